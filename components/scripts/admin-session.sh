# Functions the master's bash scripts share to log in to New API as its root user. Sourced,
# never run. Needs fill.sh, and API_URL, ADMIN_USERNAME, LOGIN_REQUEST, SUCCESS_MARKER and
# SESSION_DIR (a folder only root can read).

# new_api_message: New API's message in $answer, never the rest (a login's answer holds a token)
new_api_message() {
  if [[ "$answer" =~ \"message\":\"([^\"]*)\" ]]; then
    echo "${BASH_REMATCH[1]:-no message}"
  else
    echo "no JSON answer"
  fi
}

# log_in PASSWORD
# POST /api/user/login as ADMIN_USERNAME, the password through stdin, never the command line;
# the session's cookie in SESSION_DIR. Sets $answer.
log_in() {
  answer="$(fill "$LOGIN_REQUEST" '{{password}}' "$1" \
    | curl -sS --max-time 30 -c "$SESSION_DIR/cookies" -H 'Content-Type: application/json' --data-binary @- "$API_URL/api/user/login")" \
    || { answer='{"message":"POST /api/user/login did not answer"}'; return 1; }
  [[ "$answer" == *"$SUCCESS_MARKER"* && "$answer" != *'"require_2fa":true'* ]]
}
