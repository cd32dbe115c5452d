#!/bin/sh
# The post-deploy check `pulumi up` runs on the operator's machine: the cluster must answer
# GET "$URL/api/status" with success through the load balancer within TIMEOUT_SECONDS, and
# says every PROGRESS_SECONDS what it last got and how long it still waits.
# INSECURE=true skips certificate checks, for a certificate that is not for the load
# balancer's own name. Parameters: verifyScript in components/aws/verify.ts; URL from the
# command's environment.
set -eu

# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"
# shellcheck source=progress.sh
. "$(dirname "$0")/progress.sh"

skip_checks=
if [ "$INSECURE" = true ]; then
  skip_checks=k
fi
reports_success() {
  if answer="$(curl "-fsSL$skip_checks" --max-time 10 "$URL/api/status")"; then
    case "$answer" in
      *"$SUCCESS_MARKER"*) return 0 ;;
    esac
    last="an answer without success"
  else
    last="no answer (curl exit $?)"
  fi
  if progress_due "$poll_deadline"; then
    echo "new-api-cluster: waiting for $URL/api/status to report success (last: $last); at most $progress_left s left"
  fi
  return 1
}
if ! poll_until "$TIMEOUT_SECONDS" "$POLL_SECONDS" reports_success; then
  echo "new-api-cluster: $URL/api/status did not report success within $TIMEOUT_SECONDS s (last: $last); check the target groups' health in the EC2 console and the nodes' logs (docs/troubleshooting.md)" >&2
  exit 1
fi
case "$answer" in
  *"$SETUP_DONE_MARKER"*) echo "new-api-cluster: $URL is up and set up" ;;
  *) echo "new-api-cluster: $URL is up; finish the setup wizard on the master (README, First run)" ;;
esac
