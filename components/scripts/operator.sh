# Functions the scripts `pulumi up` runs on the operator's machine share (the warm-ups, drains,
# restarts, the caller check), POSIX sh (bash runs it too). Sourced, never run.

# require_aws_cli WHAT: exits saying that WHAT needs the AWS CLI, when there is none.
require_aws_cli() {
  command -v aws >/dev/null 2>&1 \
    || { echo "new-api-cluster: $1 needs the AWS CLI v2 on this machine (docs/operations.md, The AWS CLI's credentials)" >&2; exit 1; }
}

# use_stack_credentials: makes the AWS CLI calls that follow run as the stack's AWS provider
# does. The profile, access keys, shared files and web identity file arrive as the environment
# the CLI reads (components/aws/localCommands.ts); the roles of aws:assumeRoles, in ASSUME_ROLES
# (space-separated, each "role ARN|session name|external id|duration seconds|source
# identity"), are assumed here in order, each with the credentials of the one before, as the
# provider chains them. Status 1, having said which role, when one cannot be assumed.
use_stack_credentials() {
  tab=$(printf '\t')
  set -f
  for role in ${ASSUME_ROLES:-}; do
    role_arn=${role%%|*} fields=${role#*|}
    session_name=${fields%%|*} fields=${fields#*|}
    external_id=${fields%%|*} fields=${fields#*|}
    duration=${fields%%|*} source_identity=${fields#*|}
    if ! assumed="$(aws sts assume-role --role-arn "$role_arn" --role-session-name "$session_name" \
        ${external_id:+--external-id "$external_id"} ${duration:+--duration-seconds "$duration"} ${source_identity:+--source-identity "$source_identity"} \
        --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text 2>&1)"; then
      echo "new-api-cluster: could not assume $role_arn (aws:assumeRoles): $assumed" >&2
      set +f
      return 1
    fi
    # The CLI's text output: three fields, tab-separated.
    AWS_ACCESS_KEY_ID=${assumed%%"$tab"*} fields=${assumed#*"$tab"}
    AWS_SECRET_ACCESS_KEY=${fields%%"$tab"*} AWS_SESSION_TOKEN=${fields#*"$tab"}
    export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
    # The assumed role's keys, not the profile or web identity they came from, from here on.
    unset AWS_PROFILE AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_SESSION_NAME
  done
  set +f
}

# credentials_refused TEXT: status 0 when TEXT, an AWS CLI failure, says that the credentials
# are missing, expired or not allowed: no retry mends that, so a wait stops at once.
credentials_refused() {
  case $1 in
    *ExpiredToken* | *InvalidClientTokenId* | *UnrecognizedClient* | *SignatureDoesNotMatch* | *AccessDenied* | *AuthFailure* | *UnauthorizedOperation* \
      | *"Unable to locate credentials"* | *"could not be found"* | *"Token has expired"*) return 0 ;;
  esac
  return 1
}
