#!/bin/sh
# Run on the operator's machine when a node's drain command is deleted, after its target group
# attachment and before its instance: deleting the attachment deregisters the target but does
# not wait for it to drain. Waits until the load balancer reports $INSTANCE_ID `unused` in
# $TARGET_GROUP_ARN (it drains for at most the deregistration delay, and less once no request
# is left), at most WAIT_SECONDS, saying every PROGRESS_SECONDS where it is; a target group
# already deleted has nothing to drain. It never fails: a node left draining is stopped anyway,
# which New API's own shutdown window softens (components/stopBudget.ts).
# Parameters: drainScript in components/aws/nodes.ts; the rest from the command's environment.
set -u

# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"
# shellcheck source=target.sh
. "$(dirname "$0")/target.sh"
# shellcheck source=operator.sh
. "$(dirname "$0")/operator.sh"
# shellcheck source=progress.sh
. "$(dirname "$0")/progress.sh"

if ! command -v aws >/dev/null 2>&1; then
  echo "new-api-cluster: $NODE: no AWS CLI to watch the drain; waiting the whole deregistration delay ($DRAIN_SECONDS s)" >&2
  sleep "$DRAIN_SECONDS"
  exit 0
fi
if ! use_stack_credentials; then
  echo "new-api-cluster: $NODE: waiting the whole deregistration delay ($DRAIN_SECONDS s) instead" >&2
  sleep "$DRAIN_SECONDS"
  exit 0
fi
state=unknown
drained() {
  target_state "$TARGET_GROUP_ARN" "$INSTANCE_ID"
  case $state in
    unused | *TargetGroupNotFound*) return 0 ;;
  esac
  if progress_due "$poll_deadline"; then
    echo "new-api-cluster: $NODE: draining (the load balancer says $state); at most $progress_left s left"
  fi
  return 1
}
if poll_until "$WAIT_SECONDS" "$POLL_SECONDS" drained; then
  echo "new-api-cluster: $NODE has left its target group"
else
  echo "new-api-cluster: $NODE is still $state after $WAIT_SECONDS s; stopping it anyway" >&2
fi
