#!/bin/bash
# systemd's ExecStop on a node, in the order of the stop budget (components/stopBudget.ts). By
# the time systemd stops the service on a replaced or restarted node, the load balancer has
# drained it. New API does not flush its buffered quota updates on SIGTERM: they are written
# every BATCH_UPDATE_INTERVAL seconds, so the node first waits QUOTA_FLUSH_SECONDS (one
# interval more) for the last batch to land. Then `docker stop` gives New API SIGTERM: it takes
# no new request and lets those in flight finish within SHUTDOWN_TIMEOUT_SECONDS, and Docker
# kills it KILL_AFTER_SECONDS after the signal at the latest.
set -euo pipefail
sleep "$QUOTA_FLUSH_SECONDS"
docker stop --time "$KILL_AFTER_SECONDS" "$CONTAINER_NAME" || true
