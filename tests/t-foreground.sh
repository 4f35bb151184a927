#!/usr/bin/env bash
# The generic profile knows a shell's foreground job: after "echo started;
# sleep 3" printed, the shell is working, however quiet, until it is back
# at its prompt, then idle.  A job that asks something is still seen asking.
. "$(dirname "$0")/lib.sh"
start_agent
cm new -n sh1 -- bash --norc --noprofile -i >/dev/null || fail "new"
cm wait sh1 idle -t 5 || fail "sh1 idle"
cm watch --no-snapshot sh1 >"$T/w" &
BG_PIDS+=($!)
sleep 0.3
cm send sh1 'echo started; sleep 3; echo finished'
wait_until 5 grep -q $'\tsh1\tworking' "$T/w" || fail "not working"
sleep 2
[ "$(state sh1)" = working ] || fail "quiet foreground job: $(state sh1), want working ($(cat "$T/w"))"
cm wait sh1 idle -t 10 || fail "not idle after the job"
cm show sh1 | grep -q '^finished' || fail "idle before the job ended"
n=$(count "$T/w" sh1 idle)
assert_eq "$n" 1 "idle events during the job"
# A job that asks is seen asking.
cm send sh1 "sleep 0.2; read -p 'Delete it? [y/N] ' x"
cm wait sh1 confirm -t 5 || fail "the job's question: $(state sh1)"
cm send sh1 n
cm wait sh1 idle -t 5 || fail "idle after the answer"
exit 0
