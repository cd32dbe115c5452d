# Functions the scripts that log in to New API as its root user share, whatever their HTTP
# client (admin-curl.sh on the AWS master, admin-wget.sh in the New API image on docker).
# Sourced, never run. Needs ADMIN_PASSWORD_COPY and SUCCESS_MARKER; reads New API's last
# answer, which the client's log_in and change_password set, from $answer.

# new_api_message: New API's message in $answer, never the rest (a login's answer holds a token)
# shellcheck disable=SC2154
new_api_message() {
  if [[ "$answer" =~ \"message\":\"([^\"]*)\" ]]; then
    echo "${BASH_REMATCH[1]:-no message}"
  else
    echo "no JSON answer"
  fi
}

# logged_in: whether $answer, a login's, opened a session (it does not when the user has 2FA)
logged_in() {
  [[ "$answer" == *"$SUCCESS_MARKER"* && "$answer" != *'"require_2fa":true'* ]]
}

# keep_copy PASSWORD: the copy a rotation logs in with (ADMIN_PASSWORD_COPY), written whole or not at all
keep_copy() {
  mkdir -p "${ADMIN_PASSWORD_COPY%/*}"
  printf '%s\n' "$1" > "$ADMIN_PASSWORD_COPY.new"
  mv "$ADMIN_PASSWORD_COPY.new" "$ADMIN_PASSWORD_COPY"
}
