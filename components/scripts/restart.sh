#!/bin/sh
# A node's restart step of a secret rotation, run by `pulumi up` on the operator's machine
# (AWS CLI, the stack's credentials): restarts New API on $INSTANCE_ID so that it reads the
# rotated secrets from SSM, without sending it a request meanwhile. When the node is the only
# healthy target of $TARGET_GROUP_ARN, a healthy target of $OTHER_TARGET_GROUP_ARN stands in
# for it; it deregisters the node and waits until the load balancer has drained it; restarts
# the service through SSM Run Command; registers the node again and waits until it is
# healthy; and lets the stand-in go. Everything must be done within TIMEOUT_SECONDS, or
# `pulumi up` fails naming the step (and runs it again next time).
# Parameters: restartScript in components/aws/rotationScripts.ts; the rest from the command's environment.
set -u

# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"
# shellcheck source=target.sh
. "$(dirname "$0")/target.sh"
# shellcheck source=run-command.sh
. "$(dirname "$0")/run-command.sh"
# shellcheck source=operator.sh
. "$(dirname "$0")/operator.sh"
# shellcheck source=progress.sh
. "$(dirname "$0")/progress.sh"

require_aws_cli "restarting $NODE"
use_stack_credentials || exit 1
# One deadline for the whole restart: each wait gets what is left of it.
deadline=$(( $(date +%s) + TIMEOUT_SECONDS ))
fail() { echo "new-api-cluster: $NODE: $*" >&2; exit 1; }
# time_left: sets $left to the seconds left before the deadline
time_left() { left=$(( deadline - $(date +%s) )); }

# in_state GROUP INSTANCE STATE: saying every PROGRESS_SECONDS what it waits for ($waiting_for)
in_state() {
  target_state "$1" "$2"
  [ "$state" != "$3" ] || return 0
  credentials_refused "$state" && fail "the AWS CLI's credentials were refused ($state); see docs/operations.md, The AWS CLI's credentials"
  if progress_due "$deadline"; then
    echo "new-api-cluster: $NODE: $waiting_for (the load balancer says $state); at most $progress_left s left"
  fi
  return 1
}
# wait_for GROUP INSTANCE STATE WHAT
wait_for() {
  waiting_for=$4
  time_left
  poll_until "$left" "$POLL_SECONDS" in_state "$1" "$2" "$3" \
    || fail "$4 did not happen within $TIMEOUT_SECONDS s (last state: $state)"
}
# healthy_other GROUP: sets $other to a healthy target of GROUP other than this node, or nothing
healthy_other() {
  other="$(aws elbv2 describe-target-health --target-group-arn "$1" \
      --query "TargetHealthDescriptions[?TargetHealth.State=='healthy' && Target.Id!='$INSTANCE_ID'].Target.Id | [0]" --output text 2>/dev/null)" || other=
  [ "$other" != None ] || other=
}
# register|deregister INSTANCE: in or out of this node's target group
register() { aws elbv2 register-targets --target-group-arn "$TARGET_GROUP_ARN" --targets "Id=$1,Port=$APP_PORT" >/dev/null; }
deregister() { aws elbv2 deregister-targets --target-group-arn "$TARGET_GROUP_ARN" --targets "Id=$1,Port=$APP_PORT" >/dev/null; }

stand_in=
healthy_other "$TARGET_GROUP_ARN"
if [ -z "$other" ]; then
  healthy_other "$OTHER_TARGET_GROUP_ARN"
  if [ -n "$other" ]; then
    stand_in="$other"
    echo "new-api-cluster: $NODE is the only healthy target of its group: $stand_in stands in while it restarts"
    register "$stand_in" || fail "could not register the stand-in $stand_in"
    wait_for "$TARGET_GROUP_ARN" "$stand_in" healthy "the stand-in $stand_in turning healthy"
  else
    echo "new-api-cluster: $NODE is the only healthy target of the cluster: requests fail while it restarts" >&2
  fi
fi

deregister "$INSTANCE_ID" || fail "could not deregister it from its target group"
wait_for "$TARGET_GROUP_ARN" "$INSTANCE_ID" unused "draining it from its target group"

# The service's stop drains New API's buffered quota updates; its start reads SSM again.
if ! send_command "new-api-cluster: restart New API with the rotated secrets" "systemctl restart $UNIT_NAME"; then
  fail "SSM Run Command refused the restart ($command_id); it is out of its target group until the next pulumi up restarts it"
fi
command_failed() { fail "the restart ended $status (command $command_id); it is out of its target group until the next pulumi up restarts it"; }
restarted() {
  command_succeeded && return 0
  if progress_due "$deadline"; then
    echo "new-api-cluster: $NODE: restarting New API (Run Command says $status); at most $progress_left s left"
  fi
  return 1
}
time_left
poll_until "$left" "$POLL_SECONDS" restarted \
  || fail "the restart did not end within $TIMEOUT_SECONDS s (last status: $status); it is out of its target group until the next pulumi up restarts it"

register "$INSTANCE_ID" || fail "could not register it again in its target group; the next pulumi up restarts and registers it"
wait_for "$TARGET_GROUP_ARN" "$INSTANCE_ID" healthy "turning healthy after its restart"
if [ -n "$stand_in" ]; then
  deregister "$stand_in" || fail "could not deregister the stand-in $stand_in from its target group; deregister it by hand"
fi
echo "new-api-cluster: $NODE restarted with the current secrets and is healthy"
