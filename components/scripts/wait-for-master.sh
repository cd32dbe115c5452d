#!/bin/bash
# Run by a slave's start.sh before its container starts. New API issue #942: a slave that
# starts before the master has finished setup keeps showing the setup wizard until it is
# restarted. So a slave waits, once per instance and at most MASTER_WAIT_SECONDS, until the
# master reports setup: true. It then starts anyway, and never waits again (a master outage
# must never keep a slave down for good). Parameters: waitParameters in components/aws/userdata.ts.
set -euo pipefail

# shellcheck source=ssm.sh
. "$(dirname "$0")/ssm.sh"
# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"

setup_marker="$STATE_DIR/master-setup-waited"
if [[ -e "$setup_marker" ]]; then
  exit 0
fi
next_log=0
master_set_up() {
  read_parameter "$MASTER_ADDRESS_PARAMETER" || exit 1
  master=$parameter_value
  require_value "$MASTER_ADDRESS_PARAMETER" "$master" '^[0-9]{1,3}([.][0-9]{1,3}){3}$' "an IPv4 address"
  local status
  if status="$(curl -fs --max-time 5 "http://$master:$APP_PORT/api/status")" \
      && [[ "$status" == *"$SETUP_DONE_MARKER"* ]]; then
    return 0
  fi
  # Quiet: a master that is still booting is expected; one line a minute says so.
  local now
  now="$(date +%s)"
  if (( now >= next_log && now < poll_deadline )); then
    echo "new-api: waiting for master $master to finish setup (at most $MASTER_WAIT_SECONDS s)"
    next_log=$(( now + 60 ))
  fi
  return 1
}
if poll_until "$MASTER_WAIT_SECONDS" "$POLL_SECONDS" master_set_up; then
  echo "new-api: master $master has finished setup"
else
  echo "new-api: master $master not set up after $MASTER_WAIT_SECONDS s; starting anyway (restart this node once setup is done)" >&2
fi
mkdir -p "$STATE_DIR"
touch "$setup_marker"
