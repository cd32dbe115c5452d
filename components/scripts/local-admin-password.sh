#!/bin/bash
# The docker target's root user password step, run by `pulumi up` in a run-once container of
# the New API image (bash, GNU wget) after the setup, and again whenever adminPasswordRotation
# gives the root user a new password ($ADMIN_PASSWORD). New API changes a password only given
# the current one (PUT /api/user/self), so this keeps a copy of the password it last set
# ($ADMIN_PASSWORD_COPY, in a volume only the stack's run-once containers mount). Without a
# copy (its first run) it keeps $ADMIN_PASSWORD as the copy if the root user logs in with it.
# With a copy that is not $ADMIN_PASSWORD it logs in with the copy, changes the password, and
# replaces the copy only once New API said so. On any failure it says why and leaves the
# password and the copy as they were. Parameters: localAdminPasswordScript in
# components/docker/containers.ts; ADMIN_PASSWORD and ADMIN_PASSWORD_ROTATION from its environment.
set -euo pipefail
umask 077

# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"
# shellcheck source=fill.sh
. "$(dirname "$0")/fill.sh"
# shellcheck source=admin-session.sh
. "$(dirname "$0")/admin-session.sh"
# shellcheck source=admin-headers.sh
. "$(dirname "$0")/admin-headers.sh"
# shellcheck source=admin-wget.sh
. "$(dirname "$0")/admin-wget.sh"

fail() { echo "new-api-admin-password: $*; the password of $ADMIN_USERNAME is unchanged" >&2; exit 1; }

SESSION_DIR="$(mktemp -d)"
# The container stays (its exit code and logs are read): the session and the bodies must not.
trap 'rm -rf "$SESSION_DIR"' EXIT
answers() { wget -q -t 1 -T 5 -O - "$API_URL/api/status" > /dev/null 2>&1; }
poll_until "$ANSWER_SECONDS" "$POLL_SECONDS" answers || fail "New API did not answer on $API_URL within $ANSWER_SECONDS s"

if [[ ! -f "$ADMIN_PASSWORD_COPY" ]]; then
  if log_in "$ADMIN_PASSWORD"; then
    keep_copy "$ADMIN_PASSWORD"
    echo "new-api-admin-password: $ADMIN_USERNAME logs in with the stack's password: kept as the copy a rotation starts from"
    exit 0
  fi
  # Generation 0 rotates nothing: a root user set up otherwise is no reason to fail the update.
  if [[ "$ADMIN_PASSWORD_ROTATION" == 0 ]]; then
    echo "new-api-admin-password: $ADMIN_USERNAME does not log in with the stack's password ($(new_api_message)): adminPasswordRotation cannot rotate it (docs/operations.md, Rotating secrets)" >&2
    exit 0
  fi
  fail "there is no copy of the password the stack last set ($ADMIN_PASSWORD_COPY), and $ADMIN_USERNAME does not log in with the new one ($(new_api_message)): see docs/operations.md, Rotating secrets"
fi
old_password="$(<"$ADMIN_PASSWORD_COPY")"
if [[ "$old_password" == "$ADMIN_PASSWORD" ]]; then
  echo "new-api-admin-password: $ADMIN_USERNAME already has the stack's password; nothing to change"
  exit 0
fi
log_in "$old_password" || fail "logging in as $ADMIN_USERNAME with the password the stack last set failed: $(new_api_message)"
change_password "$old_password" "$ADMIN_PASSWORD" || fail "New API refused the new password: $(new_api_message)"
keep_copy "$ADMIN_PASSWORD"
echo "new-api-admin-password: $ADMIN_USERNAME has the stack's password now"
