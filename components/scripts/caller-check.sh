#!/bin/sh
# Run by `pulumi up` on the operator's machine before the first wait (the warm-ups, drains and
# restarts run the AWS CLI here): the CLI must run with the stack's credentials
# (operator.sh) and in the stack's account, EXPECTED_ACCOUNT, the one the AWS provider
# deploys to. Otherwise it fails at once, saying what is wrong, rather than a wait timing out.
# Parameters: callerCheckScript in components/aws/localCommands.ts (CREDENTIALS: where the stack's
# credentials come from); the rest from the command's environment.
set -eu

# shellcheck source=operator.sh
. "$(dirname "$0")/operator.sh"

require_aws_cli "waiting for the nodes"
use_stack_credentials || exit 1
if ! identity="$(aws sts get-caller-identity --query '[Account,Arn]' --output text 2>&1)"; then
  echo "new-api-cluster: the AWS CLI on this machine has no working credentials ($identity); pulumi up runs it with $CREDENTIALS (docs/operations.md, The AWS CLI's credentials)" >&2
  exit 1
fi
# The CLI's text output: the account, a tab, the caller's ARN.
account=$(printf '%s' "$identity" | cut -f1)
arn=$(printf '%s' "$identity" | cut -f2)
if [ "$account" != "$EXPECTED_ACCOUNT" ]; then
  echo "new-api-cluster: the AWS CLI on this machine runs as $arn in account $account, but the stack deploys to account $EXPECTED_ACCOUNT, so its waits would fail there; pulumi up runs it with $CREDENTIALS: make those the stack's (docs/operations.md, The AWS CLI's credentials)" >&2
  exit 1
fi
echo "new-api-cluster: the AWS CLI runs as $arn, in the stack's account $EXPECTED_ACCOUNT"
