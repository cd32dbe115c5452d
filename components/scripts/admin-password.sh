#!/bin/bash
# The root user's password rotation on the master, run as root through SSM Run Command by
# `pulumi up` (admin-rotate.sh) once the password in SSM ($ADMIN_PASSWORD_PARAMETER) is new:
# logs in with the password the master last set (its copy, $ADMIN_PASSWORD_COPY, kept by
# setup.sh), changes it to the one in SSM, and replaces the copy only once New API said so.
# On any failure it says why and leaves the password and the copy as they were.
# Parameters: adminPasswordScript in components/aws/rotationScripts.ts.
set -euo pipefail
umask 077

# shellcheck source=ssm.sh
. "$(dirname "$0")/ssm.sh"
# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"
# shellcheck source=fill.sh
. "$(dirname "$0")/fill.sh"
# shellcheck source=admin-session.sh
. "$(dirname "$0")/admin-session.sh"
# shellcheck source=admin-headers.sh
. "$(dirname "$0")/admin-headers.sh"
# shellcheck source=admin-curl.sh
. "$(dirname "$0")/admin-curl.sh"

fail() { echo "new-api-admin-password: $*; the password of $ADMIN_USERNAME is unchanged" >&2; exit 1; }

# change_password OLD NEW
# PUT /api/user/self in the session log_in opened (its answer in $answer), with the original
# password as New API requires; the session's headers from a file. Sets $answer.
change_password() {
  session_headers '' > "$SESSION_DIR/headers"
  fill "$PASSWORD_CHANGE_REQUEST" '{{original}}' "$1"
  fill "$filled" '{{password}}' "$2"
  answer="$(printf '%s\n' "$filled" \
    | curl -sS --max-time 30 -b "$SESSION_DIR/cookies" -H @"$SESSION_DIR/headers" -H 'Content-Type: application/json' \
        -X PUT --data-binary @- "$API_URL/api/user/self")" \
    || { answer='{"message":"PUT /api/user/self did not answer"}'; return 1; }
  [[ "$answer" == *"$SUCCESS_MARKER"* ]]
}

answers() { curl -fs --max-time 5 "$API_URL/api/status" > /dev/null; }
poll_until "$ANSWER_SECONDS" "$POLL_SECONDS" answers || fail "New API did not answer on $API_URL within $ANSWER_SECONDS s"

read_parameter "$ADMIN_PASSWORD_PARAMETER" || fail "could not read $ADMIN_PASSWORD_PARAMETER"
new_password=$parameter_value
require_value "$ADMIN_PASSWORD_PARAMETER" "$new_password" '^[A-Za-z0-9]{8,20}$' "8-20 letters and digits"
[[ -f "$ADMIN_PASSWORD_COPY" ]] \
  || fail "this master has no copy of the password it set ($ADMIN_PASSWORD_COPY): see docs/operations.md, Rotating secrets"
old_password="$(<"$ADMIN_PASSWORD_COPY")"
if [[ "$old_password" == "$new_password" ]]; then
  echo "new-api-admin-password: $ADMIN_USERNAME already has the password in SSM; nothing to change"
  exit 0
fi

SESSION_DIR="$(mktemp -d)"
trap 'rm -rf "$SESSION_DIR"' EXIT
log_in "$old_password" || fail "logging in as $ADMIN_USERNAME with the password the master last set failed: $(new_api_message)"
change_password "$old_password" "$new_password" || fail "New API refused the new password: $(new_api_message)"
keep_copy "$new_password"
echo "new-api-admin-password: $ADMIN_USERNAME has the password in SSM now"
