# New API's login through curl, for the AWS master's bash scripts. Sourced, never run. Needs
# fill.sh and admin-session.sh, and API_URL, LOGIN_REQUEST, SUCCESS_MARKER and SESSION_DIR (a folder only root can
# read). The password goes through stdin, never the command line.

# log_in PASSWORD
# POST /api/user/login as the root user; the session's cookie in SESSION_DIR. Sets $answer.
# shellcheck disable=SC2034,SC2154
log_in() {
  fill "$LOGIN_REQUEST" '{{password}}' "$1"
  answer="$(printf '%s\n' "$filled" \
    | curl -sS --max-time 30 -c "$SESSION_DIR/cookies" -H 'Content-Type: application/json' --data-binary @- "$API_URL/api/user/login")" \
    || { answer='{"message":"POST /api/user/login did not answer"}'; return 1; }
  logged_in
}
