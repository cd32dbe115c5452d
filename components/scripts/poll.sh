# A function the scripts share, POSIX sh (bash runs it too). Sourced, never run.

# poll_until SECONDS INTERVAL COMMAND [ARG...]
# Runs COMMAND until it succeeds (status 0) or, at the latest, once SECONDS have passed since
# the first try (status 1), sleeping INTERVAL seconds between tries. COMMAND may read
# poll_deadline, the epoch second it gives up at.
poll_until() {
  poll_deadline=$(( $(date +%s) + $1 ))
  poll_interval=$2
  shift 2
  while :; do
    if "$@"; then
      return 0
    fi
    if [ "$(date +%s)" -ge "$poll_deadline" ]; then
      return 1
    fi
    sleep "$poll_interval"
  done
}
