#!/usr/bin/env bash
# After a restart, adopted sessions keep the state they were in: no invented
# starting/working -> idle flash; a watcher's resync shows the real states
# and no state event follows until a screen really changes.
. "$(dirname "$0")/lib.sh"
start_agent
cm new -n a -- sh -c 'echo one; while read l; do echo "got:$l"; done' >/dev/null
cm new -n b -- sh -c 'printf "Proceed? [y/N] "; read x; sleep 60' >/dev/null
cm new -n c -- sh -i >/dev/null
cm new --no-wait -n d -- sh -c 'exit 5' >/dev/null
cm wait a idle -t 5 || fail "a idle"
cm wait b confirm -t 5 || fail "b confirm"
cm wait c idle -t 5 || fail "c idle"
wait_until 5 sh -c 'cm ls | grep -q "^d	exited"' || fail "d exited"
sleep 0.3
cm watch >"$T/w" 2>&1 &
BG_PIDS+=($!)
wait_until 5 grep -q $'\td\texited' "$T/w" || fail "watch snapshot"
stop_agent
start_agent
wait_until 10 grep -q $'\t-\tresync\t' "$T/w" || fail "no resync: $(cat "$T/w")"
sleep 2
sed -n '/\tresync\t/,$p' "$T/w" | sed 1d >"$T/after"
grep -q $'^[^\t]*\ta\tidle\t' "$T/after" || fail "a not idle after restart: $(cat "$T/after")"
grep -q $'^[^\t]*\tb\tconfirm\tProceed? \\[y/N\\]' "$T/after" || fail "b not confirm: $(cat "$T/after")"
grep -q $'^[^\t]*\tc\tidle\t' "$T/after" || fail "c not idle: $(cat "$T/after")"
grep -q $'^[^\t]*\td\texited\tstatus=' "$T/after" || fail "d not exited: $(cat "$T/after")"
n=$(wc -l <"$T/after")
assert_eq "$n" 4 "lines after the resync (one per session, no change): $(cat "$T/after")"
# It still notices a real change.
cm send a hello
wait_until 5 grep -q $'\ta\tworking' "$T/w" || fail "adopted session's change not seen"
exit 0
