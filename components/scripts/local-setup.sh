#!/bin/sh
# The local target's one-shot setup container: waits for the master to answer, then completes
# New API's setup wizard (POST /api/setup) unless it is done. POSIX sh and GNU wget, as the New
# API image has them. Every failure prints what failed and wget's reason, and exits non-zero.
# Parameters: localSetupScript in components/docker/containers.ts; ADMIN_PASSWORD from the
# container's environment.
set -eu
umask 077

# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"
# shellcheck source=fill.sh
. "$(dirname "$0")/fill.sh"

tmp="$(mktemp -d)"
# The container stays (its exit code and logs are read): the password file must not.
trap 'rm -rf "$tmp"' EXIT
# -nv: no progress, but wget's reason on failure; one try each, with a timeout.
get() {
  wget -nv -t 1 -T "$REQUEST_SECONDS" -O - "$@" 2>"$tmp/wget.log"
}
# why: sets $why to wget's reason of the last get, on one line
why() {
  why=
  while IFS= read -r line || [ -n "$line" ]; do why="${why:+$why }$line"; done < "$tmp/wget.log"
}
answers() {
  status="$(get "$STATUS_URL")"
}
if ! poll_until "$ANSWER_SECONDS" "$POLL_SECONDS" answers; then
  why
  echo "new-api-setup: the master did not answer GET $STATUS_URL within $ANSWER_SECONDS s: $why" >&2
  exit 1
fi
case "$status" in
  # New API creates its root user at the first setup only: a changed adminUsername creates none.
  *"$SETUP_DONE_MARKER"*)
    echo "new-api-setup: already set up. New API creates its root user at the first setup only: if that was not $ADMIN_USERNAME, no user $ADMIN_USERNAME exists (README, First run)" >&2
    exit 0
    ;;
esac
# The password comes from the environment and goes through a file, not the command line.
fill "$SETUP_REQUEST" '{{password}}' "$ADMIN_PASSWORD"
printf '%s\n' "$filled" > "$tmp/setup.json"
# --content-on-error: New API's own message when it answers with an error status.
if ! response="$(get --content-on-error --header 'Content-Type: application/json' --post-file="$tmp/setup.json" "$SETUP_URL")"; then
  why
  echo "new-api-setup: POST $SETUP_URL failed: $why${response:+ (New API answered: $response)}" >&2
  exit 1
fi
case "$response" in
  *"$SUCCESS_MARKER"*) echo "new-api-setup: created the root user $ADMIN_USERNAME" ;;
  *) echo "new-api-setup: POST $SETUP_URL did not succeed: $response" >&2; exit 1 ;;
esac
