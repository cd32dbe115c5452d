#!/bin/sh
# The warm-up `pulumi up` runs on the operator's machine after a node is registered with its
# target group: polls `aws elbv2 describe-target-health` for $INSTANCE_ID in $TARGET_GROUP_ARN
# (in $AWS_REGION, with the stack's AWS credentials) until the target is healthy, so that
# new weights (and the removal of the nodes it replaces) wait exactly as long as they must,
# saying every PROGRESS_SECONDS what the load balancer reports and how long it still waits.
# Past TIMEOUT_SECONDS it fails `pulumi up` naming $NODE or, when the node need not turn
# healthy (MUST_TURN_HEALTHY=false), says so and lets the update go on. A failing AWS CLI call
# is retried until the deadline (throttling), and reported if it is the last word; credentials
# that are refused end the wait at once.
# Parameters: warmupScript in components/aws/warmup.ts; the rest from the command's environment.
set -eu

# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"
# shellcheck source=target.sh
. "$(dirname "$0")/target.sh"
# shellcheck source=operator.sh
. "$(dirname "$0")/operator.sh"
# shellcheck source=progress.sh
. "$(dirname "$0")/progress.sh"

require_aws_cli "waiting for $NODE to turn healthy"
use_stack_credentials || exit 1
state=unknown
is_healthy() {
  target_state "$TARGET_GROUP_ARN" "$INSTANCE_ID"
  [ "$state" != healthy ] || return 0
  if credentials_refused "$state"; then
    echo "new-api-cluster: $NODE: the AWS CLI's credentials were refused ($state); see docs/operations.md, The AWS CLI's credentials" >&2
    exit 1
  fi
  if progress_due "$poll_deadline"; then
    echo "new-api-cluster: $NODE: waiting to turn healthy (the load balancer says $state); at most $progress_left s left"
  fi
  return 1
}
if poll_until "$TIMEOUT_SECONDS" "$POLL_SECONDS" is_healthy; then
  echo "new-api-cluster: $NODE is healthy"
elif [ "$MUST_TURN_HEALTHY" = true ]; then
  echo "new-api-cluster: $NODE is not healthy in its target group after $TIMEOUT_SECONDS s (last state: $state); see its logs (docs/troubleshooting.md)" >&2
  exit 1
else
  echo "new-api-cluster: $NODE is not healthy after $TIMEOUT_SECONDS s (last state: $state): it starts once the master's setup is done (README, First run)" >&2
fi
