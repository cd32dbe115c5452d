#!/bin/sh
# The master's step of the root user's password rotation, run by `pulumi up` on the operator's
# machine (AWS CLI, the stack's credentials) once the new password is in SSM: runs
# admin-password.sh on $INSTANCE_ID through SSM Run Command (the script in base64, no secret
# in it: the master reads the passwords itself) and waits for its end within TIMEOUT_SECONDS,
# saying on failure what the master said. New API is not restarted: it keeps no copy of the
# password. Parameters: adminRotateScript in components/aws/rotationScripts.ts; NODE, INSTANCE_ID,
# MASTER_SCRIPT and AWS_REGION from the command's environment.
set -u

# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"
# shellcheck source=run-command.sh
. "$(dirname "$0")/run-command.sh"

command -v aws >/dev/null 2>&1 || { echo "new-api-cluster: rotating the admin password needs the AWS CLI (README, Deploy to AWS)" >&2; exit 1; }
fail() { echo "new-api-cluster: $NODE: $*" >&2; exit 1; }

if ! send_command "new-api-cluster: rotate the admin password" "echo $MASTER_SCRIPT | base64 -d | bash"; then
  fail "SSM Run Command refused the admin password's rotation ($command_id); the next pulumi up tries again"
fi
command_failed() {
  said="$(aws ssm get-command-invocation --command-id "$command_id" --instance-id "$INSTANCE_ID" \
      --query StandardErrorContent --output text 2>&1)" || said="(its output could not be read: $said)"
  fail "the admin password's rotation ended $status (command $command_id): $said; the next pulumi up tries again"
}
poll_until "$TIMEOUT_SECONDS" "$POLL_SECONDS" command_succeeded \
  || fail "the admin password's rotation did not end within $TIMEOUT_SECONDS s (last status: $status); the next pulumi up tries again"
echo "new-api-cluster: $NODE: the root user has the password in SSM"
