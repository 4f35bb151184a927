#!/usr/bin/env bash
# The scripting contract for changing a session and waiting for it:
# cm send --wait returns once the program reacted and settled, prints where
# (the watch columns) and exits 0 idle, 3 confirm, 4 input, 5 error,
# 6 exited, 1 on timeout; --json prints the event sequence number a change
# caused, for cm wait --after; cm new --task --wait waits for the task's
# answer, not for the idle before it; cm new reports a program that exits
# in its first second (exit 1, its status and its last lines), --no-wait
# does not wait for that.
. "$(dirname "$0")/lib.sh"
start_agent
cm new -n sh1 -- sh -i >/dev/null || fail "new sh1"
cm wait sh1 idle -t 5 || fail "sh1 idle"

out=$(cm send --wait sh1 'sleep 1; echo first-done')
rc=$?
assert_eq "$rc" 0 "send --wait, idle"
assert_contains "$out" $'\tsh1\tidle' "send --wait prints the state"
cm show sh1 | grep -q '^first-done' || fail "send --wait returned before the program answered"

out=$(cm send --wait sh1 "printf 'Overwrite it? [y/N] '; read x")
assert_eq "$?" 3 "send --wait, confirm"
assert_contains "$out" $'\tsh1\tconfirm\t' "state"
assert_contains "$out" 'Overwrite it? [y/N]' "prompt detail"
out=$(cm send --wait sh1 n) || fail "answer: $out"
out=$(cm send --wait sh1 "printf 'Your name: '; read x")
assert_eq "$?" 4 "send --wait, input"
cm send --wait sh1 someone >/dev/null || fail "answer the input"

cm send --wait -t 0.5 sh1 'sleep 3' >/dev/null 2>"$T/err"
assert_eq "$?" 1 "send --wait timeout"
assert_contains "$(cat "$T/err")" "timed out" "timeout message"
cm wait sh1 idle -t 10 || fail "sh1 idle after sleep 3"

# --json: the sequence number; wait --after waits for what came after it.
j=$(cm send --json sh1 'sleep 1; echo second-done')
seq=$(printf '%s\n' "$j" | sed -n 's/.*"seq":\([0-9]*\).*/\1/p')
[ -n "$seq" ] || fail "no seq in '$j'"
cm wait --after "$seq" -t 10 sh1 idle || fail "wait --after"
cm show sh1 | grep -q '^second-done' || fail "wait --after returned before the answer"
# What happened after seq is still known after it happened.
cm wait --after "$seq" -t 2 sh1 idle || fail "wait --after, later"

out=$(cm send --wait sh1 'exit 7')
assert_eq "$?" 6 "send --wait, exited"
assert_contains "$out" $'\tsh1\texited\tstatus=' "exited"

# new --task --wait: the task's answer, not the idle before it.
out=$(cm new -n t1 --task 'sleep 1; echo task-done' --wait -- sh -i)
assert_eq "$?" 0 "new --task --wait"
assert_contains "$out" $'t1\n' "name first"
assert_contains "$out" $'\tt1\tidle' "then the state"
cm show t1 | grep -q '^task-done' || fail "new --task --wait returned before the task's answer"

# A program that exits at once is reported by cm new itself.
cm new -n quick -- sh -c 'echo "no such option: --frobnicate"; exit 3' >"$T/out" 2>"$T/err"
assert_eq "$?" 1 "new, program exits at once"
[ -s "$T/out" ] && fail "new printed a name for a dead program: $(cat "$T/out")"
assert_contains "$(cat "$T/err")" "quick: the program exited at once" "message"
assert_contains "$(cat "$T/err")" "no such option: --frobnicate" "its screen"
cm new -n quick2 -- false 2>"$T/err" && fail "new false succeeded"
assert_contains "$(cat "$T/err")" "status=" "status"
# --no-wait: today's behaviour, the name at once.
out=$(cm new --no-wait -n quick3 -- false) || fail "new --no-wait"
assert_eq "$out" quick3 "new --no-wait"
exit 0
