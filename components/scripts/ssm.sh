# Functions the node's bash scripts share. Sourced, never run.

# read_parameter NAME
# Sets $parameter_value to an SSM parameter's (decrypted) value, retrying while the instance
# profile's credentials appear after boot: 5 tries, backing off 5, 10, ... seconds (about 75 s
# in all). A variable, not printed: $(read_parameter …) would cost a subshell more.
# shellcheck disable=SC2034
read_parameter() {
  local attempt
  for attempt in 1 2 3 4 5; do
    if parameter_value="$(aws ssm get-parameter --region "$REGION" --with-decryption --name "$1" \
        --query Parameter.Value --output text)"; then
      return 0
    fi
    echo "new-api: reading $1 from SSM failed (attempt $attempt)" >&2
    sleep $(( attempt * 5 ))
  done
  echo "new-api: could not read $1 from SSM; not starting (docs/troubleshooting.md)" >&2
  return 1
}

# require_value NAME VALUE REGEX WHAT
# Refuses a value the scripts would put into a DSN, a URL or JSON unless it has the shape the
# stack generates: an empty or odd value would otherwise start a broken container.
require_value() {
  if [[ ! "$2" =~ $3 ]]; then
    echo "new-api: $1 is empty or not $4; not starting (docs/troubleshooting.md)" >&2
    exit 1
  fi
}
