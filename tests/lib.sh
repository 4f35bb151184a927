# tests/lib.sh: sourced by every end-to-end test.
#
# Gives the test a private world -- HOME, runtime directory, config and state
# directories and a tmux server, all under one temporary directory $T -- so it
# never touches the user's, and on exit stops everything the test started:
# watchers and other background commands, agents, sshd and ssh masters, the
# private tmux server.  Any process still carrying $T in its environment after
# that is a leak: it is named, killed (by pid) and the test fails.
#
# KEEP=1 keeps $T for a look afterwards.

set -u
TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TESTS/.." && pwd)
TEST_NAME=$(basename "$0" .sh)
if [ ! -x "$REPO/cm" ]; then
	echo "FAIL: $REPO/cm is not built (run make)"
	exit 1
fi
export PATH="$REPO:$PATH"

T=$(mktemp -d "${TMPDIR:-/tmp}/cmtest.XXXXXX") || exit 1
mkdir -m 700 "$T/run" "$T/home"
export HOME="$T/home"
export XDG_RUNTIME_DIR="$T/run"
export XDG_CONFIG_HOME="$T/home/.config"
export XDG_STATE_HOME="$T/home/.local/state"
export CM_TMUX_SOCKET="$T/tmux.sock"
unset TMUX TMUX_PANE CM_SOCKET CM_AGENT_TOKEN CM_HOST CM_VIA CM_TMUX \
    CM_REMOTE_CM CM_SSH_COMMAND
SOCK="$XDG_RUNTIME_DIR/cm/agent.sock"
TOKEN_FILE="$XDG_CONFIG_HOME/cm/token"
AGENT_PID=
AGENT_PIDS=()	# every agent started here, also the ones already stopped
BG_PIDS=()	# background commands: watchers and the like
SSHD_PID=
CLEANUP_HOOKS=()	# commands a test adds, run first on exit

# --- failing and asserting ------------------------------------------------

fail() {
	echo "FAIL: $*"
	if [ -s "$T/agent.log" ]; then
		echo "--- agent log (tail)"
		tail -n 25 "$T/agent.log"
	fi
	exit 1
}

assert_eq() {	# assert_eq GOT WANT [WHAT]
	[ "$1" = "$2" ] || fail "${3:-values differ}: got '$1', want '$2'"
}

assert_contains() {	# assert_contains TEXT PART [WHAT]
	case "$1" in
	*"$2"*) ;;
	*) fail "${3:-missing text}: '$2' not in '$1'" ;;
	esac
}

assert_not_contains() {	# assert_not_contains TEXT PART [WHAT]
	case "$1" in
	*"$2"*) fail "${3:-unexpected text}: '$2' in '$1'" ;;
	esac
}

# expect CODE STDERR-PART COMMAND...: run COMMAND, which must exit CODE and
# say STDERR-PART (if not empty) on stderr.  Its output is left in $T/out and
# $T/err.
expect() {
	local code=$1 msg=$2 rc
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = "$code" ] ||
	    fail "'$*' exited $rc, want $code (stderr: $(cat "$T/err"))"
	[ -z "$msg" ] || grep -qF -- "$msg" "$T/err" ||
	    fail "'$*' said '$(cat "$T/err")', want '$msg'"
}

# --- time -----------------------------------------------------------------

now_ms() {
	local t
	t=$(date +%s%N)
	echo $((t / 1000000))
}

# wait_until SECONDS COMMAND...: run COMMAND every 50 ms until it succeeds;
# fail (return 1) once SECONDS (may be fractional: 0.5) have passed.
wait_until() {
	local secs=$1 end
	shift
	end=$(( $(now_ms) + ${secs%.*} * 1000 ))
	case $secs in
	*.*) end=$(( end + 10#$(printf '%-3.3s' "${secs#*.}" | tr ' ' 0) )) ;;
	esac
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# --- processes --------------------------------------------------------------

# bg COMMAND...: run in the background, remembered for cleanup ($! is its
# pid).  Its stdin is /dev/null unless redirected in COMMAND itself.
bg() {
	"$@" </dev/null &
	BG_PIDS+=($!)
}

# stop_pid PID: SIGTERM, up to 3 s to go, then SIGKILL; reaped if a child.
stop_pid() {
	local p=$1 i
	kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
	kill -TERM "$p" 2>/dev/null
	for i in $(seq 60); do
		kill -0 "$p" 2>/dev/null || break
		# A zombie child is gone for our purposes: wait reaps it.
		[ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" = Z ] && break
		sleep 0.05
	done
	kill -0 "$p" 2>/dev/null &&
	    [ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" != Z ] &&
	    { echo "note: pid $p ignored SIGTERM, killing it"; kill -KILL "$p" 2>/dev/null; }
	wait "$p" 2>/dev/null
	return 0
}

# stop_bg: stop the background commands started so far.
stop_bg() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${BG_PIDS[@]}"; do
		stop_pid "$p"
	done
	BG_PIDS=()
}

# start_agent [ARGS...]: an agent in the foreground (-f -v) logging to
# $T/agent.log; returns once "cm ping" answers (5 s at most).
start_agent() {
	cm agent -f -v "$@" 2>>"$T/agent.log" </dev/null &
	AGENT_PID=$!
	AGENT_PIDS+=($AGENT_PID)
	wait_until 5 cm ping || fail "agent did not start"
}

# stop_agent: SIGTERM the agent and wait for it to end (bounded).
stop_agent() {
	[ -n "$AGENT_PID" ] || return 0
	stop_pid "$AGENT_PID"
	AGENT_PID=
}

# agent_pid_of_socket: the pid "cm status" reports.
agent_pid() {
	cm status 2>/dev/null | awk -F'\t' '$1 == "pid" { print $2 }'
}

# tmx ARGS...: the private tmux server.
tmx() {
	tmux -S "$CM_TMUX_SOCKET" "$@"
}

# leftovers: pids of live processes that carry $T in their environment:
# everything this test started, directly or not (agents, tmux, the
# programs in its panes, ssh, sshd), but not this shell or its subshells.
leftovers() {
	local f p
	for f in $(grep -laF -- "$T/" /proc/[0-9]*/environ 2>/dev/null); do
		p=${f#/proc/}
		p=${p%/environ}
		[ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
		[ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" = Z ] && continue
		[ -d "/proc/$p" ] && echo "$p"
	done
}

cleanup() {
	local rc=$? p h i left
	trap - EXIT
	for h in "${CLEANUP_HOOKS[@]}"; do
		eval "$h"
	done
	# Watchers first: they would only reconnect to a dying agent.
	stop_bg
	if [ "${CM_TEST_SSH:-0}" = 1 ] || [ -n "$SSHD_PID" ]; then
		cm -H box tunnel close >/dev/null 2>&1
	fi
	stop_sshd
	for p in "${AGENT_PIDS[@]}"; do
		stop_pid "$p"
	done
	tmux -S "$CM_TMUX_SOCKET" kill-server 2>/dev/null
	# The panes' programs get SIGHUP from tmux; give them a moment.
	for i in $(seq 60); do
		left=$(leftovers)
		[ -z "$left" ] && break
		sleep 0.05
	done
	if [ -n "$left" ]; then
		echo "FAIL: processes left behind by $TEST_NAME:"
		for p in $left; do
			echo "  $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
			kill -KILL "$p" 2>/dev/null
		done
		rc=1
	fi
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
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

# --- watch logs -------------------------------------------------------------

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

# has_event FILE NAME TYPE [DETAIL]: the watch log has that event.
has_event() {
	if [ $# -ge 4 ]; then
		grep -qF -- "$(printf '\t%s\t%s\t%s' "$2" "$3" "$4")" "$1"
	else
		grep -qF -- "$(printf '\t%s\t%s\t' "$2" "$3")" "$1"
	fi
}

# state NAME: the session's state from cm ls.
state() {
	cm ls | awk -F'\t' -v n="$1" '$1 == n { print $2 }'
}

# clients: how many clients the agent has (cm status counts itself too).
clients() {
	cm status | awk -F'\t' '$1 == "clients" { print $2 }'
}

# clients_more N / clients_fewer N: the agent has more / fewer than N
# clients (for wait_until, which must run the check anew each time).
clients_more() {
	[ "$(clients)" -gt "$1" ]
}
clients_fewer() {
	[ "$(clients)" -lt "$1" ]
}

# start_watch FILE [ARGS...]: "cm watch ARGS" in the background into FILE,
# returning once the agent has it as a client (so no event is missed).
start_watch() {
	local f=$1 before
	shift
	before=$(clients) || fail "cm status"
	bg cm watch "$@" >"$f" 2>"$f.err"
	# Connected and authenticated: one more client than before.
	wait_until 5 clients_more "$before" ||
	    fail "watcher did not connect: $(cat "$f.err")"
	# The watch request itself follows the login at once.
	sleep 0.1
}

# --- ssh --------------------------------------------------------------------

# start_sshd NAME=VALUE...: a private sshd on 127.0.0.1 with generated keys,
# and an ssh config in $S/config whose "Host box" reaches it; the far side
# gets the given environment through SetEnv.
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
	"$sshd" -f "$S/sshd_config" -D -e 2>"$T/sshd.log" </dev/null &
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
	[ -n "$SSHD_PID" ] || return 0
	stop_pid "$SSHD_PID"
	SSHD_PID=
}

# CM_TEST_SSH=1: run this test through "cm -H box", a real ssh tunnel to
# this same machine, whose far side sees the same directories, so the agent
# the test starts is the one the tunnel reaches.
if [ "${CM_TEST_SSH:-0}" = 1 ]; then
	start_sshd "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME CM_TMUX_SOCKET=$CM_TMUX_SOCKET HOME=$HOME"
	export CM_HOST=box
fi
