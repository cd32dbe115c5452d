#!/bin/sh
# The post-deploy check `pulumi up` runs on the operator's machine: the cluster must answer
# GET "$URL/api/status" with success through the load balancer within TIMEOUT_SECONDS.
# INSECURE=true skips certificate checks, for a certificate that is not for the load
# balancer's own name. Parameters: verifyScript in components/aws/verify.ts; URL from the
# command's environment.
set -eu

# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"

skip_checks=
if [ "$INSECURE" = true ]; then
  skip_checks=k
fi
reports_success() {
  answer="$(curl "-fsSL$skip_checks" --max-time 10 "$URL/api/status")" || return 1
  case "$answer" in
    *"$SUCCESS_MARKER"*) return 0 ;;
    *) return 1 ;;
  esac
}
if ! poll_until "$TIMEOUT_SECONDS" "$POLL_SECONDS" reports_success; then
  echo "new-api-cluster: $URL/api/status did not report success within $TIMEOUT_SECONDS s; check the target groups' health in the EC2 console and the nodes' logs (docs/troubleshooting.md)" >&2
  exit 1
fi
case "$answer" in
  *"$SETUP_DONE_MARKER"*) echo "new-api-cluster: $URL is up and set up" ;;
  *) echo "new-api-cluster: $URL is up; finish the setup wizard on the master (README, First run)" ;;
esac
