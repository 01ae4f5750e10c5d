# Exponential retry, independent of the Job's backoffLimit.
# Usage: sh -c "$(cat retry.sh)" retry <initialSeconds> <maxSeconds> <maxAttempts> -- <command> [args...]
# Waits initial, 2x, 4x, ... capped at max between attempts; exits 0 on the first success, otherwise
# with the command's last exit status after maxAttempts attempts.
initial=$1
max=$2
attempts=$3
shift 3
[ "$1" = "--" ] && shift
attempt=1
delay=$initial
while :; do
  "$@" && exit 0
  status=$?
  if [ "$attempt" -ge "$attempts" ]; then
    echo "retry: attempt $attempt of $attempts failed (exit $status); giving up" >&2
    exit "$status"
  fi
  echo "retry: attempt $attempt of $attempts failed (exit $status); retrying in ${delay}s" >&2
  sleep "$delay"
  attempt=$((attempt + 1))
  delay=$((delay * 2))
  if [ "$delay" -gt "$max" ]; then delay=$max; fi
done
