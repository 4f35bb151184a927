#!/usr/bin/env bash
# create -> watch sees starting, working, idle -> send -> the program reacts
# -> kill -> exited; and a program that exits by itself reports its status.
. "$(dirname "$0")/lib.sh"
start_agent
cm watch >"$T/watch" 2>&1 &
BG_PIDS+=($!)
sleep 0.2

name=$(cm new -n life -- sh -c 'echo ready; while read l; do echo "got:$l"; done')
assert_eq "$name" life "cm new prints the name"
wait_until 5 grep -q $'\tlife\tidle' "$T/watch" || fail "never idle"
got=$(events "$T/watch" | cut -f1,2 | tr '\n' ' ')
assert_eq "$got" "life	starting life	working life	idle " "first events"
assert_eq "$(state life)" idle

cm send life hello || fail "send"
wait_until 5 sh -c 'cm show life | grep -q got:hello' || fail "no reply on screen"
wait_until 5 at_least 2 "$T/watch" life idle || fail "not idle again after send"
got=$(events "$T/watch" | cut -f1,2 | tail -n 2 | tr '\n' ' ')
assert_eq "$got" "life	working life	idle " "events after send"

cm kill life || fail "kill"
wait_until 5 grep -q $'\tlife\texited\tkilled' "$T/watch" || fail "no exited event"
cm ls | grep -q '^life' && fail "killed session still listed"
tmux -S "$CM_TMUX_SOCKET" has-session -t =life 2>/dev/null && fail "tmux session left"

# A program that ignores SIGHUP (as Gemini CLI does), and its child, end
# with the session all the same.
cm new -n deaf -- sh -c 'trap "" HUP; echo $$ >"$0"; sleep 300 & echo $! >>"$0"; wait' "$T/pids" >/dev/null
wait_until 5 sh -c '[ "$(wc -l <"$0")" -eq 2 ]' "$T/pids" || fail "no pids"
cm wait deaf idle -t 5 || fail "deaf not idle"
cm kill deaf || fail "kill deaf"
for p in $(cat "$T/pids"); do
	wait_until 5 sh -c '! kill -0 "$0" 2>/dev/null' "$p" || fail "pid $p outlived cm kill"
done

# A program that ends by itself: exited with its status, and wait sees it.
cm new -n quit -- sh -c 'echo bye; sleep 0.3; exit 3' >/dev/null
cm wait quit exited -t 5 || fail "wait for exited"
# tmux 3.3 now and then never learns a pane's exit status: then cm says so.
wait_until 3 grep -qE $'\tquit\texited\tstatus=(3|unknown)$' "$T/watch" ||
    fail "exit status: $(grep quit "$T/watch")"
assert_eq "$(state quit)" exited
cm show quit | grep -q bye || fail "the screen of an exited session"
cm send quit x 2>"$T/err" && fail "send to an exited session succeeded"
assert_contains "$(cat "$T/err")" "has exited"

# Sequence numbers grow by one per event, with no gaps.
cm watch --json >"$T/json" 2>&1 &
BG_PIDS+=($!)
sleep 0.2
cm new -n seqs cat >/dev/null
wait_until 5 grep -q '"session":"seqs","type":"idle"' "$T/json" || fail "json watch"
grep -q '"type":"starting","detail":"cat"' "$T/json" || fail "json starting"
exit 0
