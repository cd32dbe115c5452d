# A function the operator-side scripts share, POSIX sh (bash runs it too). Sourced, never run.

# target_state GROUP INSTANCE
# Sets $state to the state of INSTANCE (on $APP_PORT) in target group GROUP, as the load
# balancer sees it: "healthy", "initial", "draining", "unused" once it is not registered, ...;
# or, when the AWS CLI call fails (throttling), "the AWS CLI failed: " and its message, so
# that a caller polling until a state reports the failure if it is the last word.
target_state() {
  state="$(aws elbv2 describe-target-health --target-group-arn "$1" \
      --targets "Id=$2,Port=$APP_PORT" --query 'TargetHealthDescriptions[0].TargetHealth.State' --output text 2>&1)" \
    || state="the AWS CLI failed: $state"
}
