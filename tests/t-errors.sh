#!/usr/bin/env bash
# Errors read like a Unix tool's: "cm: ..." on stderr, exit 1 on failure, 2 on
# a usage error, 0 for --help.  No agent: a clear message.  A second agent on
# a live socket refuses; a stale socket (agent killed with SIGKILL) is
# replaced, and the sessions are adopted.
. "$(dirname "$0")/lib.sh"

# expect_usage COMMAND...: exit 2 with "usage: cm ..." on stderr.
expect_usage() {
	expect 2 "usage: cm " "$@"
	[ -s "$T/out" ] && fail "'$*' printed on stdout: $(cat "$T/out")"
	return 0
}

# --- No agent.
expect 1 "" cm ls
assert_eq "$(cat "$T/err")" "cm: no agent on $SOCK (start one with 'cm agent')" "no agent message"
expect 1 "cm: no agent on $SOCK (start one with 'cm agent')" cm ping
expect 1 "cm: no agent on $SOCK" cm status
expect 1 "cm: no agent on $SOCK" cm show x
expect 1 "cm: no agent on $SOCK" cm new -- cat
expect 1 "cm: no agent on $SOCK" cm watch
expect 1 "cm: no agent on $SOCK" cm wait x idle -t 1
expect 1 "cm: no agent on $SOCK" cm send x hi
# The socket path follows CM_SOCKET, then XDG_RUNTIME_DIR.
CM_SOCKET=$T/elsewhere.sock expect 1 "cm: no agent on $T/elsewhere.sock (start one" cm ls
(unset XDG_RUNTIME_DIR; expect 1 "cm: no agent on /tmp/cm-$(id -u)/agent.sock" cm ls) || exit 1

# --- Usage errors need no agent.
expect_usage cm
expect 2 "cm: unknown command 'frob'" cm frob
expect 2 "usage: cm " cm frob
expect 0 "" cm --help
grep -q '^usage: cm ' "$T/out" || fail "cm --help: $(cat "$T/out")"
expect 0 "" cm -h
expect 0 "" cm help
expect 0 "" cm --version
assert_eq "$(cat "$T/out")" "cm 0.1.0" "cm --version"
for c in new send keys ls show kill watch wait ping status bridge agent; do
	expect 0 "" cm "$c" --help
	grep -q "^usage: cm $c" "$T/out" || fail "cm $c --help: $(cat "$T/out")"
done
expect_usage cm new
expect_usage cm new -n
expect_usage cm new -n x
expect_usage cm new -n x --
expect_usage cm new --bogus cat
expect_usage cm send
expect_usage cm send x
expect_usage cm send -x x hi
expect_usage cm keys
expect_usage cm keys x
expect_usage cm show
expect_usage cm show a b
expect_usage cm show -x
expect_usage cm kill
expect_usage cm kill a b
expect_usage cm ls --bogus
expect_usage cm ls extra
expect_usage cm ping extra
expect_usage cm status extra
expect_usage cm wait
expect_usage cm wait x
expect_usage cm wait -t 1 x
expect_usage cm wait -t abc x idle
expect_usage cm wait -t -1 x idle
expect_usage cm wait -x x idle
expect_usage cm watch --bogus
expect_usage cm bridge --bogus
expect 2 "usage: cm agent" cm agent -x
expect 2 "usage: cm agent" cm agent extra
# Bad session names are usage errors too, whatever the command.
long=$(printf 'n%.0s' $(seq 65))
for bad in 'x!y' 'a b' 'a/b' "$long" 'é'; do
	expect 2 "cm: bad session name '$bad'" cm show "$bad"
	expect 2 "bad session name" cm kill "$bad"
	expect 2 "bad session name" cm send "$bad" hi
	expect 2 "bad session name" cm keys "$bad" Enter
	expect 2 "bad session name" cm wait "$bad" idle
	expect 2 "bad session name" cm new -n "$bad" -- cat
	expect 2 "bad session name" cm watch "$bad"
done
expect 2 "bad session name" cm new -n -lead -- cat
# A 64-character name is fine (checked below with an agent).
name64=$(printf 'n%.0s' $(seq 64))

# --- With an agent.
start_agent
expect 1 "" cm show nope
assert_eq "$(cat "$T/err")" "cm: session 'nope' not found" "show: message"
[ -s "$T/out" ] && fail "show nope printed on stdout"
for c in "send nope hi" "send -n nope hi" "keys nope Enter" "kill nope" "wait nope idle -t 1" \
    "wait nope idle" "confirm nope on"; do
	expect 1 "" cm $c
	assert_eq "$(cat "$T/err")" "cm: session 'nope' not found" "cm $c: message"
done
printf 'hi\n' | expect 1 "cm: session 'nope' not found" cm send nope -
# A key name cm does not know: refused before anything is sent.  (The
# client checks it and says so with exit 1, not 2 as for a bad session name.)
expect 1 "cm: bad key name 'NotAKey' (e.g. Enter, Escape, C-c, Up, Tab, F1, or one character)" \
    cm keys nope NotAKey
expect 1 "bad key name" cm keys nope "'"
expect 1 "bad key name" cm keys nope 'C-C-x'
expect 1 "bad key name" cm keys nope ''
expect 1 "cm: unknown state 'sleepy'" cm wait nope sleepy
expect_usage cm keys nope $(seq 33)

cm new -n dup -- cat >/dev/null || fail "new dup"
expect 1 "cm: session 'dup' exists" cm new -n dup -- cat
cm new -n "$name64" -- cat >/dev/null || fail "a 64-character name"
cm kill "$name64" || fail "kill the 64-character name"
expect 1 "cm: timed out waiting for 'dup' (it is " cm wait dup confirm -t 0.5
expect 1 "cm: $T/missing: No such file or directory" cm new -C "$T/missing" -- cat
touch "$T/file"
expect 1 "cm: $T/file: " cm new -C "$T/file" -- cat
expect 1 "cm: unknown profile 'bogus'" cm new --profile bogus -- cat
cm keys dup Enter C-c || fail "keys"
cm wait dup exited -t 5 || fail "C-c did not end cat"
expect 1 "cm: session 'dup' has exited" cm send dup hi
expect 1 "has exited" cm keys dup Enter
cm kill dup || fail "kill dup"

# A program that cannot be run: the session starts, then ends (env exits
# 127); it is reported, not hung.
cm new -n nosuch -- /no/such/program >/dev/null || fail "new nosuch"
cm wait nosuch exited -t 5 || fail "nosuch did not exit"
wait_until 3 sh -c 'cm ls --json | grep "\"name\":\"nosuch\"" | grep -q "status=127"' ||
    fail "nosuch status: $(cm ls --json)"
cm kill nosuch

# Token problems.
chmod 644 "$TOKEN_FILE"
expect 1 "must be owned by you and mode 0600" cm ls
chmod 600 "$TOKEN_FILE"
CM_AGENT_TOKEN=xyz expect 1 "CM_AGENT_TOKEN is not 16 to 128 hex digits" cm ls
CM_AGENT_TOKEN=0123456789abcdef0123456789abcdef expect 1 "cm: authentication failed" cm ls
cm ls >/dev/null || fail "ls after the token problems"

# --- One agent per socket.
expect 1 "cm: an agent is already running on $SOCK" cm agent -f
expect 1 "cm: an agent is already running on $SOCK" cm agent
cm ping || fail "the first agent suffered from the second"

# A stale socket (its agent killed with SIGKILL) is replaced.
cm new -n stale -- sh -c 'echo here; read l' >/dev/null || fail "new stale"
cm wait stale idle -t 5 || fail "stale idle"
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=
[ -S "$SOCK" ] || fail "expected a stale socket after SIGKILL"
expect 1 "cm: no agent on $SOCK (start one with 'cm agent')" cm ping
start_agent
wait_until 5 sh -c 'cm ls | grep -q "^stale	idle	"' || fail "stale not adopted: $(cm ls)"

# In the background: cm agent returns once it answers, logs to the state
# directory; a second one refuses with the same message.
stop_agent
rm -f "$SOCK"
cm agent || fail "cm agent (background)"
bgpid=$(agent_pid)
[ -n "$bgpid" ] || fail "no pid from the background agent"
AGENT_PIDS+=($bgpid)
cm ping || fail "background agent does not answer"
[ -s "$XDG_STATE_HOME/cm/agent.log" ] || fail "no log in $XDG_STATE_HOME/cm/agent.log"
grep -q "agent 0.1.0 started, pid $bgpid" "$XDG_STATE_HOME/cm/agent.log" ||
    fail "log: $(cat "$XDG_STATE_HOME/cm/agent.log")"
expect 1 "cm: an agent is already running on $SOCK" cm agent
kill -TERM "$bgpid"
wait_until 5 sh -c "! kill -0 $bgpid 2>/dev/null" || fail "background agent did not stop"
[ -e "$SOCK" ] && fail "socket left by the background agent"

# An explicit socket path: -S for the agent, CM_SOCKET for clients.
cm agent -f -S "$T/other.sock" 2>>"$T/agent.log" </dev/null &
AGENT_PIDS+=($!)
CM_SOCKET=$T/other.sock wait_until 5 cm ping || fail "agent on -S path"
CM_SOCKET=$T/other.sock cm ls | grep -q '^stale	' || fail "ls through CM_SOCKET"
[ -e "$SOCK" ] && fail "the -S agent made the default socket"
# Its directory must be private, like the default one.
mkdir -m 755 "$T/open"
expect 1 "cm: $T/open has mode 755, want 0700" cm agent -f -S "$T/open/agent.sock"
# A socket path too long for a Unix socket.
deep=$T/$(printf 'd%.0s' $(seq 120))
expect 1 "socket path too long" cm agent -f -S "$deep/agent.sock"
exit 0
