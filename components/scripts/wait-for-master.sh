#!/bin/bash
# Run by a slave's start.sh before its container starts, once per instance. New API issue #942:
# a slave that starts before the master has finished setup keeps showing the setup wizard
# until it is restarted. And only the master migrates the database: a slave of a newer release
# than the master's schema exits at start (authz.Init reads tables it lacks). So a slave waits,
# at most MASTER_WAIT_SECONDS, until the master reports setup: true and a release at least its
# own (the version /api/status reports, against `$IMAGE --version`). It then starts anyway, and
# never waits again (a master outage must never keep a slave down for good).
# Parameters: waitParameters in components/aws/userdata.ts.
set -euo pipefail

# shellcheck source=ssm.sh
. "$(dirname "$0")/ssm.sh"
# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"

setup_marker="$STATE_DIR/master-setup-waited"
if [[ -e "$setup_marker" ]]; then
  exit 0
fi
# This slave's release, as New API reports it; a build that says no version waits for setup only.
own_release="$(docker run --rm "$IMAGE" --version 2>/dev/null | tail -n 1)" || own_release=
if [[ ! "$own_release" =~ ^v?[0-9] ]]; then
  echo "new-api: $IMAGE reports no release ($own_release); waiting for the master's setup only" >&2
  own_release=
fi
# at_least A B: release A is B or newer (sort -V orders v0.10.2 after v0.9.20)
at_least() {
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]
}
next_log=0
waiting_for=
master_ready() {
  read_parameter "$MASTER_ADDRESS_PARAMETER" || exit 1
  master=$parameter_value
  require_value "$MASTER_ADDRESS_PARAMETER" "$master" '^[0-9]{1,3}([.][0-9]{1,3}){3}$' "an IPv4 address"
  local status master_release=
  if status="$(curl -fs --max-time 5 "http://$master:$APP_PORT/api/status")"; then
    [[ "$status" =~ \"version\":\"([^\"]*)\" ]] && master_release=${BASH_REMATCH[1]}
    if [[ "$status" != *"$SETUP_DONE_MARKER"* ]]; then
      waiting_for="to finish setup"
    elif [[ -n "$own_release" ]] && ! at_least "$master_release" "$own_release"; then
      waiting_for="to run $own_release or newer (it runs ${master_release:-no release it reports})"
    else
      return 0
    fi
  else
    waiting_for="to answer"
  fi
  # Quiet: a master that is still booting is expected; one line a minute says so.
  local now
  now="$(date +%s)"
  if (( now >= next_log && now < poll_deadline )); then
    echo "new-api: waiting for master $master $waiting_for (at most $MASTER_WAIT_SECONDS s)"
    next_log=$(( now + 60 ))
  fi
  return 1
}
if poll_until "$MASTER_WAIT_SECONDS" "$POLL_SECONDS" master_ready; then
  echo "new-api: master $master has finished setup${own_release:+ and runs $own_release or newer}"
else
  echo "new-api: master $master not ready after $MASTER_WAIT_SECONDS s (waiting for it $waiting_for); starting anyway (restart this node once it is)" >&2
fi
mkdir -p "$STATE_DIR"
touch "$setup_marker"
