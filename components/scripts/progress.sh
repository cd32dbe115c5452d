# A function the long waits `pulumi up` runs on the operator's machine share, POSIX sh (bash runs
# it too). Sourced, never run. Needs PROGRESS_SECONDS.

# progress_due DEADLINE: status 0 when a progress line is due (PROGRESS_SECONDS since the last,
# or the first) and time is left before DEADLINE (an epoch second), setting $progress_left to
# the seconds left; a long wait says where it is at least that often.
progress_due() {
  progress_now=$(date +%s)
  progress_left=$(( $1 - progress_now ))
  if [ "$progress_left" -le 0 ] || [ "$progress_now" -lt "${progress_next:-0}" ]; then
    return 1
  fi
  progress_next=$(( progress_now + PROGRESS_SECONDS ))
}
