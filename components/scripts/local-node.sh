#!/bin/sh
# The local target's node: New API under a shell that stops it as a node on AWS stops (the
# stop budget, components/stopBudget.ts). Docker's stop signal (SIGTERM) reaches this shell
# first: it waits QUOTA_FLUSH_SECONDS (one batch interval more, for New API's buffered quota
# updates, which it does not flush on SIGTERM), then passes SIGTERM on. New API then takes no
# new request and lets those in flight finish within SHUTDOWN_TIMEOUT_SECONDS; Docker kills
# the container at its stop timeout, the whole budget, at the latest. The arguments are New
# API's. Parameters: localNodeParameters in components/docker/containers.ts.
set -u

stop() {
  trap - TERM INT
  sleep "$QUOTA_FLUSH_SECONDS"
  kill -TERM "$server" 2>/dev/null
}
trap stop TERM INT
"$NEW_API" "$@" &
server=$!
# A trapped signal ends `wait` early: wait again until New API itself has exited.
while :; do
  wait "$server"
  status=$?
  kill -0 "$server" 2>/dev/null || exit "$status"
done
