#!/bin/sh
# Run when a node's drain command is deleted, after its target group attachment and before its
# instance: deleting the attachment deregisters the target but does not wait for it to drain.
set -eu
sleep "$DEREGISTRATION_DELAY_SECONDS"
