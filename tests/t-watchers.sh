#!/usr/bin/env bash
# Several watchers see every event, in the same order; a watcher given names
# sees only those sessions.
. "$(dirname "$0")/lib.sh"
start_agent
for w in 1 2 3; do
	cm watch >"$T/w$w" 2>&1 &
	BG_PIDS+=($!)
done
cm watch two >"$T/only" 2>&1 &
BG_PIDS+=($!)
sleep 0.3

cm new -n one -- sh -c 'echo a; read x; echo b; read y' >/dev/null
cm new -n two -- sh -c 'echo c; read x; exit 4' >/dev/null
cm wait one idle -t 5 || fail "one idle"
cm wait two idle -t 5 || fail "two idle"
cm send one x
cm send two x
cm wait two exited -t 5 || fail "two exited"
cm kill one
wait_until 5 grep -q $'\tone\texited' "$T/w3" || fail "w3 saw no exit"
sleep 0.3

n=$(wc -l <"$T/w1")
[ "$n" -ge 7 ] || fail "too few events: $n"
# Every watcher saw the same events, in the same order, at the same times.
cmp -s "$T/w1" "$T/w2" || fail "watchers 1 and 2 differ: $(diff "$T/w1" "$T/w2")"
cmp -s "$T/w1" "$T/w3" || fail "watchers 1 and 3 differ"
# The filtered watcher saw exactly the events of "two".
grep $'\ttwo\t' "$T/w1" >"$T/two"
cmp -s "$T/two" "$T/only" || fail "filtered watcher: $(diff "$T/two" "$T/only")"
grep -q $'\tone\t' "$T/only" && fail "filtered watcher saw 'one'"
exit 0
