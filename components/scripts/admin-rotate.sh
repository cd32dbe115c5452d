#!/bin/sh
# The master's step of the root user's password rotation, run by `pulumi up` on the operator's
# machine (AWS CLI, the stack's credentials) once the new password is in SSM: runs
# admin-password.sh on $INSTANCE_ID through SSM Run Command (the script in base64, no secret
# in it: the master reads the passwords itself) and waits for its end within TIMEOUT_SECONDS,
# saying on failure what the master said. New API is not restarted: it keeps no copy of the
# password. Parameters: adminRotateScript in components/aws/rotationScripts.ts; NODE, INSTANCE_ID,
# MASTER_SCRIPT and the AWS CLI's environment (localCommands.ts) from the command's.
set -u

# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"
# shellcheck source=run-command.sh
. "$(dirname "$0")/run-command.sh"
# shellcheck source=operator.sh
. "$(dirname "$0")/operator.sh"
# shellcheck source=progress.sh
. "$(dirname "$0")/progress.sh"

require_aws_cli "rotating the admin password"
use_stack_credentials || exit 1
fail() { echo "new-api-cluster: $NODE: $*" >&2; exit 1; }

if ! send_command "new-api-cluster: rotate the admin password" "echo $MASTER_SCRIPT | base64 -d | bash"; then
  fail "SSM Run Command refused the admin password's rotation ($command_id); the next pulumi up tries again"
fi
command_failed() {
  said="$(aws ssm get-command-invocation --command-id "$command_id" --instance-id "$INSTANCE_ID" \
      --query StandardErrorContent --output text 2>&1)" || said="(its output could not be read: $said)"
  fail "the admin password's rotation ended $status (command $command_id): $said; the next pulumi up tries again"
}
rotated() {
  command_succeeded && return 0
  if progress_due "$poll_deadline"; then
    echo "new-api-cluster: $NODE: changing the root user's password (Run Command says $status); at most $progress_left s left"
  fi
  return 1
}
poll_until "$TIMEOUT_SECONDS" "$POLL_SECONDS" rotated \
  || fail "the admin password's rotation did not end within $TIMEOUT_SECONDS s (last status: $status); the next pulumi up tries again"
echo "new-api-cluster: $NODE: the root user has the password in SSM"
