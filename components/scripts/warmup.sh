#!/bin/sh
# The warm-up `pulumi up` runs on the operator's machine after a node is registered with its
# target group: polls `aws elbv2 describe-target-health` for $INSTANCE_ID in $TARGET_GROUP_ARN
# (in $AWS_REGION, with the operator's AWS credentials) until the target is healthy, so that
# new weights (and the removal of the nodes it replaces) wait exactly as long as they must.
# Past TIMEOUT_SECONDS it fails `pulumi up` naming $NODE or, when the node need not turn
# healthy (MUST_TURN_HEALTHY=false), says so and lets the update go on. A failing AWS CLI call
# is retried until the deadline (throttling), and reported if it is the last word.
# Parameters: warmupScript in components/aws/warmup.ts; the rest from the command's environment.
set -eu

# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"
# shellcheck source=target.sh
. "$(dirname "$0")/target.sh"

command -v aws >/dev/null 2>&1 || { echo "new-api-cluster: waiting for $NODE to turn healthy needs the AWS CLI (README, Deploy to AWS)" >&2; exit 1; }
state=unknown
is_healthy() {
  target_state "$TARGET_GROUP_ARN" "$INSTANCE_ID"
  [ "$state" = healthy ]
}
if poll_until "$TIMEOUT_SECONDS" "$POLL_SECONDS" is_healthy; then
  echo "new-api-cluster: $NODE is healthy"
elif [ "$MUST_TURN_HEALTHY" = true ]; then
  echo "new-api-cluster: $NODE is not healthy in its target group after $TIMEOUT_SECONDS s (last state: $state); see its logs (docs/troubleshooting.md)" >&2
  exit 1
else
  echo "new-api-cluster: $NODE is not healthy after $TIMEOUT_SECONDS s (last state: $state): it starts once the master's setup is done (README, First run)" >&2
fi
