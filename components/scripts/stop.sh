#!/bin/bash
# systemd's ExecStop on a node. New API does not flush its buffered quota updates on SIGTERM;
# its batch updater writes them every BATCH_UPDATE_INTERVAL seconds. By the time systemd stops
# the service on a replaced node, the ALB has drained it, so DRAIN_SECONDS (one interval more)
# lets the last batch land.
set -euo pipefail
sleep "$DRAIN_SECONDS"
docker stop --time 10 "$CONTAINER_NAME" || true
