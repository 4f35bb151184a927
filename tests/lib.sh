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
# The system's python3 if there is one: a version manager's shim costs a
# second a start.
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
AGENT_PID=
BG_PIDS=()
# Under make valgrind (CM_TEST_VALGRIND=1) start_agent runs the agent under
# memcheck, a log per process in $T/vg.PID; cleanup fails the test on any
# error it reports, a definite leak included.
VG=()
if [ "${CM_TEST_VALGRIND:-0}" = 1 ]; then
	VG=(valgrind --leak-check=full --show-leak-kinds=definite
	    --errors-for-leak-kinds=definite --child-silent-after-fork=yes
	    --track-origins=yes --log-file="$T/vg.%p")
fi

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
	stop_bg
	stop_sshd
	for p in "${BG_PIDS[@]}" $AGENT_PID; do
		kill "$p" 2>/dev/null
	done
	for p in "${BG_PIDS[@]}" $AGENT_PID; do
		wait "$p" 2>/dev/null
	done
	tmux -S "$CM_TMUX_SOCKET" kill-server 2>/dev/null
	# Under make valgrind, an error memcheck reported fails the test (a
	# log with no summary is an agent killed with SIGKILL on purpose).
	for p in "$T"/vg.*; do
		[ -f "$p" ] || continue
		if grep -qE 'ERROR SUMMARY: [1-9]|Invalid (read|write|free)|uninitialised|Syscall param|Mismatched' "$p"; then
			echo "FAIL: valgrind: $p"
			grep -vE '^==[0-9]+== *$' "$p" | head -60
			rc=1
		fi
	done
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
	if [ ${#VG[@]} -gt 0 ]; then
		"${VG[@]}" "$REPO/cm" agent -f -v "$@" 2>>"$T/agent.log" &
		AGENT_PID=$!
		wait_until 60 cm ping || fail "agent did not start under valgrind"
		return
	fi
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

# start_sshd: a private sshd on 127.0.0.1 with generated keys, and an ssh
# config in $S/config whose "Host box" reaches it.  The far side gets the
# environment given as arguments (NAME=VALUE ...) through SetEnv.
start_sshd() {
	local sshd port
	sshd=$(command -v sshd || echo /usr/sbin/sshd)
	[ -x "$sshd" ] || fail "sshd is not installed (apt-get install openssh-server)"
	S=$T/ssh
	mkdir -p "$S" /run/sshd
	chmod 700 "$S"
	ssh-keygen -q -t ed25519 -N '' -f "$S/host" || fail "host key"
	ssh-keygen -q -t ed25519 -N '' -f "$S/id" || fail "user key"
	cp "$S/id.pub" "$S/authorized_keys"
	port=$(( 20000 + RANDOM % 20000 ))
	cat >"$S/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
HostKey $S/host
AuthorizedKeysFile $S/authorized_keys
PidFile $S/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AcceptEnv CM_* XDG_*
LogLevel VERBOSE
CFG
	"$sshd" -f "$S/sshd_config" -D -e 2>"$T/sshd.log" &
	SSHD_PID=$!
	cat >"$S/config" <<CFG
Host box
  HostName 127.0.0.1
  Port $port
  User $(id -un)
  IdentityFile $S/id
  IdentitiesOnly yes
  UserKnownHostsFile /dev/null
  StrictHostKeyChecking no
  LogLevel ERROR
  SetEnv $*
CFG
	export CM_SSH_COMMAND="ssh -F $S/config" CM_REMOTE_CM="$REPO/cm"
	wait_until 5 ssh -F "$S/config" -o BatchMode=yes box true ||
	    fail "sshd not up: $(cat "$T/sshd.log")"
}

stop_sshd() {
	# The masters first (found by their control paths), then sshd.
	pkill -f -- "-S $XDG_RUNTIME_DIR/cm/ssh-" 2>/dev/null
	[ -n "${SSHD_PID:-}" ] && kill "$SSHD_PID" 2>/dev/null
	[ -n "${SSHD_PID:-}" ] && wait "$SSHD_PID" 2>/dev/null
	SSHD_PID=
}

# CM_TEST_SSH=1: run this test through "cm -H box", a real ssh tunnel to
# this same machine, whose far side sees the same directories, so the agent
# the test starts is the one the tunnel reaches.
if [ "${CM_TEST_SSH:-0}" = 1 ]; then
	start_sshd "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME CM_TMUX_SOCKET=$CM_TMUX_SOCKET HOME=$HOME"
	export CM_HOST=box
fi

# ns_reap: in a private pid namespace (t-realclaude, live-check), give every
# process but this shell 10 s to end; kill -9 and name those that do not.
# (pgrep writes to a file: a $(...) would fork a shell that it would list.)
ns_reap() {
	local i left
	# Up to 10 s: a program given SIGHUP may take a few seconds to save
	# its state and go (Claude Code took over 3 s once in CI).
	for i in $(seq 200); do
		pgrep -a . >"$T/ps"
		left=$(awk -v me="$$" '$1 != me' "$T/ps")
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	awk -v me="$$" '$1 != me { print $1 }' "$T/ps" | xargs -r kill -9 2>/dev/null
	echo "$left"
	return 1
}

# start_fake LOG: tests/capture/fake-model.js on a free loopback port, its
# next answer the first line of $T/script (FAKE_CWD: the project it names);
# sets FAKE_PID and PORT.
start_fake() {
	FAKE_SCRIPT=$T/script FAKE_LOG=$1 FAKE_PORT=0 \
	    node "$TESTS/capture/fake-model.js" >"$T/fake.out" 2>&1 &
	FAKE_PID=$!
	wait_until 10 grep -q '^port ' "$T/fake.out" || fail "fake server: $(cat "$T/fake.out")"
	PORT=$(awk '/^port / { print $2; exit }' "$T/fake.out")
}
