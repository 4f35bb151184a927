#!/usr/bin/env bash
# cm new tells the truth at once: a command execvp would not find is refused
# (exit 1, "NAME: not found (PATH=...)", no session left); a directory that
# is not there is refused by the agent too (so through -H as well); a
# program that exits in its first second, even silently, is reported; -e
# VAR=VAL reaches the program (and its PATH is the one searched).
. "$(dirname "$0")/lib.sh"
start_agent
cm new -n fix -- no-such-cli-here >"$T/out" 2>"$T/err"
assert_eq "$?" 1 "new with a command not on PATH"
assert_contains "$(cat "$T/err")" "cm: no-such-cli-here: not found (PATH=" "message"
[ -s "$T/out" ] && fail "printed a name: $(cat "$T/out")"
[ -z "$(cm ls)" ] || fail "a session was left: $(cm ls)"
cm new -n fix2 -- ./nothing-here 2>"$T/err" && fail "relative path not checked"
assert_contains "$(cat "$T/err")" "not found" "relative path"
cm new -n fix3 -- /etc/passwd 2>"$T/err" && fail "not executable, accepted"

# The agent checks the directory (a client's check is not enough for -H).
printf 'proto\n' >/dev/null
cm new -n d1 -C "$T/does/not/exist" -- sh 2>"$T/err" && fail "missing -C accepted"
[ -z "$(cm ls)" ] || fail "a session was left: $(cm ls)"

# A program that ends at 0.8 s without a word is reported by cm new.
cm new -n late -- sh -c 'sleep 0.8; exit 4' 2>"$T/err" && fail "exit at 0.8 s not reported"
assert_contains "$(cat "$T/err")" "late: the program exited at once (status=" "late exit"

# ... however slow the machine: the agent, stopped from 0.5 s to 2.5 s (as
# a loaded box would hold it), still answers only once it has looked.  (A
# client that gave up at its own 1.4 s said "late2" and exit 0.)
( sleep 0.5; kill -STOP "$AGENT_PID"; sleep 2; kill -CONT "$AGENT_PID" ) &
stopper=$!
cm new -n late2 -- sh -c 'sleep 0.8; exit 5' >"$T/out" 2>"$T/err" &&
    fail "an exit at 0.8 s, the agent held up, not reported: $(cat "$T/out")"
wait "$stopper"
assert_contains "$(cat "$T/err")" "late2: the program exited at once (status=" "held-up agent"
t0=$(date +%s%N)
cm new -n alive -- sleep 60 >/dev/null || fail "new alive"
t1=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$t1" -ge 900 ] || fail "cm new answered in $t1 ms, before the first second was looked at"

# -e: the environment, and the PATH searched is that one.
mkdir -p "$T/bin"
printf '#!/bin/sh\necho "tool says $GREETING"; sleep 60\n' >"$T/bin/mytool"
chmod +x "$T/bin/mytool"
cm new -n e1 -- mytool 2>/dev/null && fail "mytool found without -e PATH"
cm new -n e1 -e GREETING='hello there' -e "PATH=$T/bin:/usr/bin:/bin" -- mytool >/dev/null ||
    fail "new -e"
wait_until 5 sh -c 'cm show e1 | grep -q "tool says hello there"' || fail "-e did not reach the program: $(cm show e1)"
cm new -n e2 -e '1BAD=x' -- sh 2>/dev/null && fail "bad -e name accepted"
exit 0
