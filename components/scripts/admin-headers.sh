# The session a New API login opened, as headers, for the scripts that change the root user's
# password (admin-password.sh, local-admin-password.sh). Sourced, never run. Reads the login's
# answer from $answer.

# session_headers PREFIX: the headers of the session the login answer in $answer gives, as each
# version gives it: the user id for the New-Api-User header (v0.9, beside the cookie), or an
# access token (later versions). One "Name: value" line each, PREFIX before it.
# shellcheck disable=SC2154
session_headers() {
  if [[ "$answer" =~ \"access_token\":\"([^\"]+)\" ]]; then
    echo "$1Authorization: Bearer ${BASH_REMATCH[1]}"
  fi
  if [[ "$answer" =~ \"data\":\{\"id\":([0-9]+) ]]; then
    echo "$1New-Api-User: ${BASH_REMATCH[1]}"
  fi
}
