# A function the scripts share, POSIX sh (bash runs it too). Sourced, never run.

# fill TEMPLATE PLACEHOLDER VALUE
# Sets $filled to TEMPLATE with every PLACEHOLDER replaced by VALUE, taken literally (no
# escapes): a variable, not a $(…) subshell, as the scripts run it once per secret.
fill() {
  fill_rest=$1
  filled=
  while :; do
    case $fill_rest in
      *"$2"*)
        filled=$filled${fill_rest%%"$2"*}$3
        fill_rest=${fill_rest#*"$2"}
        ;;
      *) break ;;
    esac
  done
  filled=$filled$fill_rest
}
