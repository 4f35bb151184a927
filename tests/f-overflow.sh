#!/usr/bin/env bash
# Fault (issue 13, defect 5): sessions flood events.  A watcher that never reads is dropped with "bye overflow
# SEQ" as its last line, on a line boundary, SEQ being the last event it was
# sent; a watcher that reads gets every event once, in order; the agent
# answers ping throughout; and a resume from SEQ whose replay is larger than
# a client's whole queue (1 MiB) is streamed to the end, not dropped.
. "$(dirname "$0")/lib.sh"
start_agent
tok=$(cat "$XDG_CONFIG_HOME/cm/token")
inst=$(cm status | awk -F'\t' '$1 == "instance" { print $2 }')
# Each watcher speaks through cm bridge, its input a fifo held open here.
mkfifo "$T/in1" "$T/out1" "$T/in2"
exec 3<>"$T/in1" 4<>"$T/out1" 5<>"$T/in2"
# (Each without the others' fifos: an end left open would hold them.)
cm bridge --raw <"$T/in1" >"$T/out1" 3>&- 4>&- 5>&- &
BG_PIDS+=($!)
cm bridge --raw <"$T/in2" >"$T/good" 3>&- 4>&- 5>&- &
BG_PIDS+=($!)
printf '1 auth %s\n2 watch\n' "$tok" >&3
printf '1 auth %s\n2 watch\n' "$tok" >&5
wait_until 5 grep -q '^ok 2 ' "$T/good" || fail "good watcher"

# Twenty sessions, each a long prompt that auto-confirm refuses
# (names of 64 bytes: long event lines); "confirm NAME on" for each, in
# rounds, makes each look again and report it again: 40 events a round,
# half of them ~700 bytes.
pad=ooooooooooooooooooooooooooooooooooooooooooooooooooooooooooo
names=
for k in 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29; do
	names="$names ${pad}-$k"
	cm new -y -n "${pad}-$k" 3>&- 4>&- 5>&- -- sh -c 'printf "row %s %0300d\nRun rm -rf build'$k'? [y/N] " "$(printf "a b %.0s" $(seq 60))" 0; sleep 600' >/dev/null
done
for n in $names; do cm wait "$n" confirm -t 20 >/dev/null || fail "$n prompt"; done
mkfifo "$T/spam"
exec 6<>"$T/spam"
cm bridge --raw <"$T/spam" >/dev/null 3>&- 4>&- 5>&- 6>&- &
BG_PIDS+=($!)
printf '1 auth %s\n' "$tok" >&6
# round: one "confirm on" for each session, then a breath for the captures.
round() {
	local n
	for n in $names; do printf 'r confirm %s on\n' "$n"; done >&6
	sleep 0.05
}
events() { cm status | awk -F'\t' '$1 == "events" { print $2 }'; }
i=0
while ! grep -q 'output queue full' "$T/agent.log"; do
	round
	i=$((i + 1))
	[ $i -lt 2000 ] || fail "the stalled watcher was not dropped"
done
cm ping >/dev/null || fail "ping during the flood"
# The stalled watcher reads at last: whole lines, ending with the bye.
exec 7<"$T/out1"	# a reader of our own before the read-write end goes
exec 4>&- 3>&-
timeout 20 cat <&7 >"$T/stalled" || fail "stalled watcher's stream did not end"
exec 7<&-
[ -s "$T/stalled" ] || fail "stalled watcher got nothing"
[ "$(tail -c 1 "$T/stalled" | od -An -c | tr -d ' ')" = '\n' ] || fail "stream ends inside a line: $(tail -c 100 "$T/stalled")"
last=$(tail -n 1 "$T/stalled")
case $last in "bye overflow "[0-9]*) ;; *) fail "last line: '$last'" ;; esac
n=${last#bye overflow }
lastev=$(awk '$1 == "event" { s = $3 } END { print s }' "$T/stalled")
assert_eq "$lastev" "$n" "bye's SEQ is the last event sent"
awk '$1 != "hello" && $1 != "ok" && $1 != "event" && $1 != "bye" { print "bad line " NR; exit 1 }' "$T/stalled" || fail "a broken line"
awk '$1 == "event" { if (p && $3 != p + 1) { print "gap " p " " $3; exit 1 } p = $3 }' "$T/stalled" || fail "stalled: events missing"

# More, until the events after n are more than a client's queue (1 MiB)
# and still all in the ring (4096).
bytes_after() { awk -v n="$1" '$1 == "event" && $3 > n { b += length($0) + 1 } END { print b + 0 }' "$2"; }
i=0
while [ "$(bytes_after "$n" "$T/good")" -lt 1150000 ]; do
	round
	i=$((i + 1))
	[ $i -lt 2000 ] || fail "not enough events after $n"
done
[ $(( $(events) - n )) -lt 4096 ] || fail "too many events for a replay: $(( $(events) - n ))"
exec 6>&-

# The reading watcher: every event, once, in order, from 1.
total=$(events)
wait_until 10 grep -q "^event $inst $total " "$T/good" || fail "good watcher did not get event $total"
awk '$1 == "event" { if ($3 != p + 1) { print "gap " p " " $3; exit 1 } p = $3 }' "$T/good" || fail "good watcher: events missing or twice"
grep -q '^bye' "$T/good" && fail "good watcher dropped"

# Resume from the bye's SEQ: a replay of more than 1 MiB, streamed.
printf '1 auth %s\n2 watch since=%s instance=%s\n' "$tok" "$n" "$inst" | timeout 30 cm bridge --raw >"$T/resume"
grep -q '^bye' "$T/resume" && fail "resume dropped: $(grep '^bye' "$T/resume")"
grep -q "^ok 2 $total replay" "$T/resume" || fail "no replay ok: $(tail -n 2 "$T/resume")"
assert_eq "$(awk '$1 == "event" { print $3; exit }' "$T/resume")" "$((n + 1))" "replay starts after SEQ"
awk '$1 == "event" { if (p && $3 != p + 1) { print "gap " p " " $3; exit 1 } p = $3 }' "$T/resume" || fail "replay: events missing"
[ "$(awk '$1 == "event" && $3 <= '"$total"' { b += length($0) + 1 } END { print b + 0 }' "$T/resume")" -gt 1048576 ] || fail "replay was not larger than the queue"
exec 5>&-
exit 0
