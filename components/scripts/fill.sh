# A function the scripts share, POSIX sh (bash runs it too). Sourced, never run.

# fill TEMPLATE PLACEHOLDER VALUE
# Prints TEMPLATE with every PLACEHOLDER replaced by VALUE, taken literally (no escapes).
fill() {
  fill_rest=$1
  fill_done=
  while :; do
    case $fill_rest in
      *"$2"*)
        fill_done=$fill_done${fill_rest%%"$2"*}$3
        fill_rest=${fill_rest#*"$2"}
        ;;
      *) break ;;
    esac
  done
  printf '%s\n' "$fill_done$fill_rest"
}
