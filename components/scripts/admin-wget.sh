# New API's login and password change through GNU wget, for the docker target's bash scripts
# in the New API image, which has wget and no curl. Sourced, never run. Needs fill.sh,
# admin-session.sh and admin-headers.sh, and API_URL, LOGIN_REQUEST, PASSWORD_CHANGE_REQUEST,
# SUCCESS_MARKER and SESSION_DIR (a folder only this script reads). The passwords and the session go through
# files (the body, the cookie jar, a wgetrc of headers), never the command line.

# request METHOD PATH: sends $SESSION_DIR/body with the headers of $SESSION_DIR/wgetrc and the
# session's cookies; New API's answer, to an error status too (--content-on-error), in $answer.
# wget prints nothing for a 401 (exit code 6), which New API sends a request without a session.
request() {
  local status=0
  answer="$(wget -q -t 1 -T 30 -O - --content-on-error --config="$SESSION_DIR/wgetrc" \
      --load-cookies="$SESSION_DIR/cookies" --save-cookies="$SESSION_DIR/cookies" --keep-session-cookies \
      --method="$1" --body-file="$SESSION_DIR/body" "$API_URL$2")" || status=$?
  [[ "$status" == 0 || -n "$answer" ]] \
    || { answer="{\"message\":\"$1 $2 got no answer (wget exit code $status)\"}"; return 1; }
}

# log_in PASSWORD
# POST /api/user/login as the root user; the session's cookie in SESSION_DIR. Sets $answer.
# shellcheck disable=SC2154
log_in() {
  : > "$SESSION_DIR/cookies"
  echo 'header = Content-Type: application/json' > "$SESSION_DIR/wgetrc"
  fill "$LOGIN_REQUEST" '{{password}}' "$1"
  printf '%s\n' "$filled" > "$SESSION_DIR/body"
  request POST /api/user/login && logged_in
}

# change_password OLD NEW
# PUT /api/user/self in the session log_in opened (its answer in $answer), with the original
# password as New API requires. Sets $answer.
change_password() {
  { echo 'header = Content-Type: application/json'; session_headers 'header = '; } > "$SESSION_DIR/wgetrc"
  fill "$PASSWORD_CHANGE_REQUEST" '{{original}}' "$1"
  fill "$filled" '{{password}}' "$2"
  printf '%s\n' "$filled" > "$SESSION_DIR/body"
  request PUT /api/user/self && [[ "$answer" == *"$SUCCESS_MARKER"* ]]
}
