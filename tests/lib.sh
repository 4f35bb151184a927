# tests/lib.sh: sourced by every end-to-end test.  Gives the test a private
# world (HOME, runtime dir, config, state, a private tmux server) so it never
# touches the user's, and stops everything the test started when it exits.

set -u
TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TESTS/.." && pwd)
export PATH="$REPO:$PATH"

T=$(mktemp -d "${TMPDIR:-/tmp}/cmtest.XXXXXX")
mkdir -m 700 "$T/run" "$T/home"
export HOME="$T/home"
export XDG_RUNTIME_DIR="$T/run"
export XDG_CONFIG_HOME="$T/home/.config"
export XDG_STATE_HOME="$T/home/.local/state"
export CM_TMUX_SOCKET="$T/tmux.sock"
unset TMUX TMUX_PANE CM_SOCKET CM_AGENT_TOKEN
SOCK="$XDG_RUNTIME_DIR/cm/agent.sock"
AGENT_PID=
BG_PIDS=()

# stop_bg: stop the background commands the test started.
stop_bg() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${BG_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	BG_PIDS=()
}

cleanup() {
	local p rc=$?
	for p in "${BG_PIDS[@]}" $AGENT_PID; do
		kill "$p" 2>/dev/null
	done
	for p in "${BG_PIDS[@]}" $AGENT_PID; do
		wait "$p" 2>/dev/null
	done
	tmux -S "$CM_TMUX_SOCKET" kill-server 2>/dev/null
	# Under make check, a sanitizer report from any agent fails the test.
	if grep -qE 'Sanitizer|runtime error' "$T/agent.log" 2>/dev/null; then
		echo "FAIL: sanitizer report in the agent log:"
		grep -E -A 12 'Sanitizer|runtime error' "$T/agent.log" | head -40
		rc=1
	fi
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	if [ -f "$T/agent.log" ]; then
		echo "--- agent log (tail)"
		tail -n 20 "$T/agent.log"
	fi
	exit 1
}

# wait_until SECONDS COMMAND...: run COMMAND every 50 ms until it succeeds.
wait_until() {
	local secs=$1 i=0
	shift
	while [ "$i" -lt $((secs * 20)) ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

start_agent() {
	cm agent -f -v "$@" 2>>"$T/agent.log" &
	AGENT_PID=$!
	wait_until 5 cm ping || fail "agent did not start"
}

stop_agent() {
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM "$AGENT_PID"
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
}

# bg COMMAND...: run in the background, remembered for cleanup.
bg() {
	"$@" &
	BG_PIDS+=($!)
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-values differ}: got '$1', want '$2'"
}

assert_contains() {
	case "$1" in
	*"$2"*) ;;
	*) fail "${3:-missing text}: '$2' not in '$1'" ;;
	esac
}

# state NAME: the session's state from cm ls.
state() {
	cm ls | awk -F'\t' -v n="$1" '$1 == n { print $2 }'
}

# events FILE: a watch log without its time column.
events() {
	cut -f2- "$1"
}

# count FILE NAME TYPE: how many TYPE events for NAME a watch log holds.
count() {
	grep -c "$(printf '\t%s\t%s' "$2" "$3")" "$1"
}

# at_least N FILE NAME TYPE: succeed once there are N such events.
at_least() {
	[ "$(count "$2" "$3" "$4")" -ge "$1" ]
}
