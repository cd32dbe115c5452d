# Functions the master's bash scripts share to log in to New API as its root user. Sourced,
# never run. Needs fill.sh, and API_URL, ADMIN_USERNAME, LOGIN_REQUEST, SUCCESS_MARKER,
# ADMIN_PASSWORD_COPY and SESSION_DIR (a folder only root can read).

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

# keep_copy PASSWORD: the copy a rotation logs in with (ADMIN_PASSWORD_COPY), written whole or not at all
keep_copy() {
  mkdir -p "$(dirname "$ADMIN_PASSWORD_COPY")"
  printf '%s\n' "$1" > "$ADMIN_PASSWORD_COPY.new"
  mv "$ADMIN_PASSWORD_COPY.new" "$ADMIN_PASSWORD_COPY"
}
