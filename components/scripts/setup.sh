#!/bin/bash
# Completes New API's setup wizard on the master, as an operator would in the browser: POST
# /api/setup with the configured root user and the generated password from SSM. Does nothing
# when the database is already set up (a replaced master, a reboot); New API creates its root
# user at the first setup only, so a different ADMIN_USERNAME then is said loudly rather than
# silently ignored. Keeps a root-only copy of the password it set ($ADMIN_PASSWORD_COPY), which
# a rotation (admin-password.sh) logs in with; a master that finds New API set up without a copy
# (a replaced master) keeps the password in SSM as its copy if it logs in with it.
# Parameters: setupParameters in components/aws/userdata.ts.
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
# shellcheck source=admin-curl.sh
. "$(dirname "$0")/admin-curl.sh"

answers() {
  status="$(curl -fs --max-time 5 "$STATUS_URL")"
}
if ! poll_until "$ANSWER_SECONDS" "$POLL_SECONDS" answers; then
  echo "new-api-setup: New API did not answer on $STATUS_URL within $ANSWER_SECONDS s" >&2
  exit 1
fi
if [[ "$status" == *"$SETUP_DONE_MARKER"* ]]; then
  echo "new-api-setup: already set up. New API creates its root user at the first setup only: if that was not $ADMIN_USERNAME, no user $ADMIN_USERNAME exists (README, First run)" >&2
  [[ ! -f "$ADMIN_PASSWORD_COPY" ]] || exit 0
  SESSION_DIR="$(mktemp -d)"
  trap 'rm -rf "$SESSION_DIR"' EXIT
  answer='{"message":"its password could not be read from SSM"}'
  if read_parameter "$ADMIN_PASSWORD_PARAMETER" && log_in "$parameter_value"; then
    keep_copy "$parameter_value"
    echo "new-api-setup: $ADMIN_USERNAME logs in with the password in SSM: kept as the copy a rotation starts from"
  else
    echo "new-api-setup: $ADMIN_USERNAME does not log in with the password in SSM ($(new_api_message)): adminPasswordRotation cannot rotate it (docs/operations.md, Rotating secrets)" >&2
  fi
  exit 0
fi

read_parameter "$ADMIN_PASSWORD_PARAMETER"
admin_password=$parameter_value
require_value "$ADMIN_PASSWORD_PARAMETER" "$admin_password" '^[A-Za-z0-9]{8,20}$' "8-20 letters and digits"
# The password goes through stdin, never the command line.
fill "$SETUP_REQUEST" '{{password}}' "$admin_password"
if ! response="$(printf '%s\n' "$filled" \
    | curl -fsS --max-time 30 -H 'Content-Type: application/json' --data-binary @- "$SETUP_URL")"; then
  echo "new-api-setup: POST /api/setup did not answer" >&2
  exit 1
fi
if [[ "$response" != *"$SUCCESS_MARKER"* ]]; then
  echo "new-api-setup: POST /api/setup failed: $response" >&2
  exit 1
fi
keep_copy "$admin_password"
echo "new-api-setup: created the root user $ADMIN_USERNAME"
