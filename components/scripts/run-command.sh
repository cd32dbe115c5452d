# Running a command on a node through SSM Run Command (AWS-RunShellScript), from the
# operator's machine with the AWS CLI. POSIX sh; sourced, never run. Needs INSTANCE_ID.

# send_command COMMENT COMMAND: sets $command_id, or on failure the AWS CLI's message there.
send_command() {
  command_id="$(aws ssm send-command --instance-ids "$INSTANCE_ID" --document-name AWS-RunShellScript \
      --comment "$1" --parameters "commands=[\"$2\"]" --query Command.CommandId --output text 2>&1)"
}

# command_succeeded, for poll_until: sets $status; 0 once $command_id succeeded, 1 while it
# runs; when it ended otherwise (Failed, Cancelled, TimedOut) it calls command_failed, which
# the sourcing script defines.
command_succeeded() {
  # Right after send-command the invocation may not exist yet (InvocationDoesNotExist).
  status="$(aws ssm get-command-invocation --command-id "$command_id" --instance-id "$INSTANCE_ID" --query Status --output text 2>&1)" \
    || status="the AWS CLI failed: $status"
  case "$status" in
    Success) return 0 ;;
    Failed|Cancelled|TimedOut) command_failed ;;
  esac
  return 1
}
