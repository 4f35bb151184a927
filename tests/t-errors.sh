#!/usr/bin/env bash
# Errors read like a Unix tool's, with the right exit codes.
. "$(dirname "$0")/lib.sh"

expect() {	# expect CODE MESSAGE-PART COMMAND...
	local code=$1 msg=$2 rc
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = "$code" ] || fail "'$*' exited $rc, want $code ($(cat "$T/err"))"
	[ -z "$msg" ] || grep -qF -- "$msg" "$T/err" ||
	    fail "'$*' said '$(cat "$T/err")', want '$msg'"
}

expect 1 "no agent on $SOCK (start one with 'cm agent')" cm ls
expect 1 "no agent on" cm ping
expect 2 "usage: cm " cm
expect 2 "unknown command 'frob'" cm frob
start_agent
expect 0 "" cm --help
expect 0 "" cm new --help
expect 0 "" cm watch --help
expect 2 "usage: cm new" cm new
expect 2 "usage: cm new" cm new -n
expect 2 "usage: cm wait" cm wait x
expect 2 "usage: cm send" cm send x
expect 2 "bad session name" cm show 'x!y'
expect 2 "bad session name" cm kill 'a b'
expect 1 "session 'nope' not found" cm show nope
expect 1 "session 'nope' not found" cm send nope hi
expect 1 "session 'nope' not found" cm keys nope Enter
expect 1 "session 'nope' not found" cm kill nope
expect 1 "session 'nope' not found" cm wait nope idle -t 1
expect 1 "bad key name 'NotAKey'" cm keys nope NotAKey
expect 1 "unknown state 'sleepy'" cm wait nope sleepy
cm new -n dup cat >/dev/null || fail "new dup"
expect 1 "session 'dup' exists" cm new -n dup cat
expect 1 "timed out waiting for 'dup'" cm wait dup confirm -t 0.5
expect 1 "text longer than 32768 bytes" sh -c "head -c 40000 /dev/zero | tr '\\0' a | cm send dup -"
expect 1 "No such file or directory" cm new -C "$T/missing" cat

# A second agent on a live socket refuses; a stale socket is replaced.
expect 1 "an agent is already running on $SOCK" cm agent -f
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=
[ -S "$SOCK" ] || fail "expected a stale socket after SIGKILL"
start_agent
cm ls | grep -q '^dup' || fail "dup not adopted after SIGKILL"
exit 0
