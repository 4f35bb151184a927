#!/usr/bin/env bash
# Several watchers at once see every event of a scripted sequence, in the same
# order, identically; a watcher given names sees only those sessions; a
# --json watcher sees the same events with sequence numbers that grow by one.
. "$(dirname "$0")/lib.sh"
start_agent
for w in 1 2 3; do
	start_watch "$T/w$w"
done
start_watch "$T/only" two
start_watch "$T/json" --json

cm new -n one -- sh -c 'echo a; read x; echo b; read y' >/dev/null || fail "new one"
cm new -n two -- sh -c 'echo c; read x; exit 4' >/dev/null || fail "new two"
cm wait one idle -t 5 || fail "one idle"
cm wait two idle -t 5 || fail "two idle"
cm send one x || fail "send one"
cm send two x || fail "send two"
cm wait two exited -t 5 || fail "two exited"
cm wait one idle -t 5 || fail "one idle again"
cm kill one || fail "kill one"
cm new -n three -- sh -c 'printf "Go on? [y/N] "; read a' >/dev/null || fail "new three"
cm wait three confirm -t 5 || fail "three confirm"
cm kill three || fail "kill three"
for w in w1 w2 w3 json; do
	wait_until 5 grep -q 'three.*exited' "$T/$w" || fail "$w saw no end of three: $(cat "$T/$w")"
done
wait_until 5 grep -q $'\ttwo\texited' "$T/only" || fail "filtered watcher saw no exit of two"
sleep 0.3	# anything more would be a bug: let it show

# Every watcher saw the same events, in the same order.
events "$T/w1" >"$T/e1"
events "$T/w2" >"$T/e2"
events "$T/w3" >"$T/e3"
cmp -s "$T/e1" "$T/e2" || fail "watchers 1 and 2 differ: $(diff "$T/e1" "$T/e2")"
cmp -s "$T/e1" "$T/e3" || fail "watchers 1 and 3 differ: $(diff "$T/e1" "$T/e3")"
# ... at the same times, too: the time is the event's, not the printing's.
cmp -s "$T/w1" "$T/w2" || fail "times differ between watchers: $(diff "$T/w1" "$T/w2")"

# And the sequence is the one scripted.
cut -f1,2,3 "$T/e1" | grep -v $'\t''confirm-' >"$T/seq"
cat >"$T/want" <<'W'
one	starting	sh -c 'echo a; read x; echo b; read y'
one	working	
one	idle	
two	starting	sh -c 'echo c; read x; exit 4'
two	working	
two	idle	
W
head -n 6 "$T/seq" | sort >"$T/first"
sort "$T/want" >"$T/want.sorted"
cmp -s "$T/first" "$T/want.sorted" || fail "first events: $(cat "$T/seq")"
for ev in $'one\tstarting' $'one\tworking' $'one\tidle' $'two\tstarting' $'two\tworking' $'two\tidle' \
    $'two\texited\tstatus=4' $'one\texited\tkilled' $'three\tstarting' $'three\tconfirm\tGo on? [y/N]' \
    $'three\texited\tkilled'; do
	grep -qF -- "$ev" "$T/e1" || fail "missing event '$ev': $(cat "$T/e1")"
done
# Per session, the order is the session's life.
for s in one two three; do
	grep "^$s	" "$T/e1" | cut -f2 | tr '\n' ' ' >"$T/life.$s"
done
assert_eq "$(cat "$T/life.one")" "starting working idle working idle exited " "life of one"
# It may end before a capture sees it working.
grep -qxE "starting working idle (working )?exited " "$T/life.two" ||
    fail "life of two: $(cat "$T/life.two")"
assert_eq "$(cat "$T/life.three")" "starting confirm exited " "life of three"

# The filtered watcher saw exactly the events of "two".
grep $'\ttwo\t' "$T/w1" >"$T/two"
cmp -s "$T/two" "$T/only" || fail "filtered watcher: $(diff "$T/two" "$T/only")"

# The JSON watcher: the same events, seq growing by one with no gap.
assert_eq "$(wc -l <"$T/json")" "$(wc -l <"$T/w1")" "json watcher's event count"
sed -n 's/.*"seq":\([0-9]*\),.*/\1/p' "$T/json" >"$T/seqs"
first=$(head -n 1 "$T/seqs")
seq "$first" $((first + $(wc -l <"$T/seqs") - 1)) | cmp -s - "$T/seqs" ||
    fail "json seq numbers: $(tr '\n' ' ' <"$T/seqs")"
grep -q '"session":"two","type":"exited","detail":"status=4"}$' "$T/json" ||
    fail "json exited: $(cat "$T/json")"

# A watcher stops cleanly on SIGTERM, and the agent forgets it.
before=$(clients)
stop_bg
wait_until 3 clients_fewer "$before" || fail "agent kept the watchers"
exit 0
