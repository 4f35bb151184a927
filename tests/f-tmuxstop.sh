#!/usr/bin/env bash
# Fault (issue 13, defect 4): the tmux server stopped for 10 s (SIGSTOP).
# Every command fails within its documented deadline (the agent's 5 s, well
# before the client's 10 s) with "tmux did not answer in 5 s"; cm ping and
# ls still answer; on SIGCONT everything recovers, and a session tmux made
# after cm gave up on it is not left behind.
. "$(dirname "$0")/lib.sh"
tm() { tmux -S "$CM_TMUX_SOCKET" "$@"; }
start_agent
cm new -n live -- sh -c 'while read l; do echo "got:$l"; done' >/dev/null
cm wait live idle -t 5 || fail "live idle"
spid=$(tm display-message -p '#{pid}')
[ -n "$spid" ] || fail "no tmux server pid"
kill -STOP "$spid"
trap 'rc=$?; kill -CONT '"$spid"' 2>/dev/null; (exit $rc); cleanup' EXIT
t0=$(date +%s%N)
out=$(timeout 15 cm new -n during -- cat 2>&1); rc=$?
t1=$(date +%s%N)
assert_eq "$rc" 1 "cm new while tmux is stopped: $out"
assert_contains "$out" "tmux did not answer in 5 s" "new's error"
[ $(( (t1 - t0) / 1000000 )) -lt 9500 ] || fail "new took $(( (t1 - t0) / 1000000 )) ms"
out=$(timeout 15 cm send live stopped 2>&1); rc=$?
assert_eq "$rc" 1 "cm send while tmux is stopped: $out"
assert_contains "$out" "tmux did not answer in 5 s" "send's error"
cm ping >/dev/null || fail "ping while tmux is stopped"
cm ls >/dev/null || fail "ls while tmux is stopped"
# Until 10 s after the stop.
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 10000 ]; do sleep 0.2; done
kill -CONT "$spid"
trap cleanup EXIT

# Recovered: the live session is driven again, new works, and "during"
# (made by tmux when it woke up, after cm said it failed) is removed.
wait_until 15 sh -c 'cm send live back 2>/dev/null' || fail "send after SIGCONT: $(tail -5 "$T/agent.log")"
wait_until 5 sh -c 'cm show live | grep -q got:back' || fail "live not driven after SIGCONT"
cm new -n after -- cat >/dev/null || fail "new after SIGCONT"
wait_until 15 sh -c '! tmux -S "$CM_TMUX_SOCKET" has-session -t =during 2>/dev/null' ||
    fail "orphan session 'during' left in tmux: $(tm ls)"
cm ls | grep -q '^during' && fail "during listed"
assert_eq "$(tm ls -F '#{session_name}' | sort | tr '\n' ' ')" "after live " "tmux sessions"
exit 0
