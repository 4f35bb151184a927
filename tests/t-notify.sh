#!/usr/bin/env bash
# cm watch --on ... --exec CMD: CMD runs once per matching event with the
# event in CM_* variables, by argv (no shell); a confirm that auto-confirm
# answers is not reported, one it leaves to the person is, with its rule;
# done is working -> idle after --done-after seconds; one command at a time
# per session; a failing or hanging command is logged and the watch goes on.
. "$(dirname "$0")/lib.sh"
start_agent
cat >"$T/stub" <<'S'
#!/bin/sh
# The event, one line; then sleep as long as $T/sleep-$CM_SESSION says.
printf '%s|%s|%s|%s|%s|%s|%s\n' "$CM_SESSION" "$CM_STATE" "$CM_HOST" "$CM_RULE" "$CM_SEQ" "$CM_PROMPT" "$*" >>"$STUB_LOG"
[ -f "$STUB_DIR/sleep-$CM_SESSION" ] && sleep "$(cat "$STUB_DIR/sleep-$CM_SESSION")"
[ -f "$STUB_DIR/fail-$CM_SESSION" ] && exit 3
exit 0
S
chmod +x "$T/stub"
export STUB_LOG=$T/calls STUB_DIR=$T
: >"$T/calls"
# A literal '$HOME;' argument: no shell ever sees it.
cm watch --on confirm,input,error,exited,done --done-after 1 --timeout 2 \
    --exec "$T/stub" '$HOME;' >"$T/out" 2>"$T/err" &
BG_PIDS+=($!)
sleep 0.3
calls() { grep -c "^$1|$2|" "$T/calls"; }

# Auto-confirmed: nothing; left to the person (rm -rf): confirm with the rule.
cm new -y -n ac -- sh -c 'printf "Continue? [y/N] "; read a; sleep 0.3; printf "Run rm -rf build? [y/N] "; read b; sleep 60' >/dev/null
wait_until 10 grep -q '^ac|confirm|' "$T/calls" || fail "no confirm for ac: $(cat "$T/calls" "$T/err")"
sleep 0.6
assert_eq "$(calls ac confirm)" 1 "one confirm for ac (the safe one was answered)"
line=$(grep '^ac|confirm|' "$T/calls")
case "$line" in
"ac|confirm|local|"[a-z]*:[a-z]*"|"[0-9]*"|"*"rm -rf build"*'|$HOME;') ;;
*) fail "ac's call: $line" ;;
esac

# Without auto-confirm: the prompt is reported (no rule), after a short hold.
cm new -n ask -- sh -c 'printf "Continue? (yes/no) "; read a; sleep 60' >/dev/null
wait_until 10 grep -q '^ask|confirm|local||[0-9]*|Continue? (yes/no)|' "$T/calls" ||
    fail "no confirm for ask: $(cat "$T/calls")"

# done: worked for two seconds, then idle at a prompt.
cm new -n d1 -- sh -c 'i=0; while [ $i -lt 20 ]; do echo line $i; sleep 0.1; i=$((i+1)); done; printf "> "; read x; sleep 60' >/dev/null
wait_until 10 grep -q '^d1|done|' "$T/calls" || fail "no done: $(cat "$T/calls")"
# Too short a task is not "done".
cm new -n quick -- sh -c 'echo hi; printf "> "; read x; sleep 60' >/dev/null
cm wait quick idle -t 5 || fail "quick idle"
sleep 0.5
assert_eq "$(calls quick done)" 0 "a task under --done-after"

# exited, with a command that fails: logged, and the watch goes on.
touch "$T/fail-ex"
cm new -n ex -- sh -c 'sleep 0.3; exit 4' >/dev/null
wait_until 10 grep -q '^ex|exited|' "$T/calls" || fail "no exited: $(cat "$T/calls")"
wait_until 5 grep -q 'cm: watch: .*stub for ex (exited) exited 3' "$T/err" || fail "failure not logged: $(cat "$T/err")"

# One at a time per session; a hanging command is killed after --timeout.
echo 30 >"$T/sleep-hang"
cm new -n hang -- sh -c 'printf "First? (yes/no) "; read a; printf "Second? (yes/no) "; read b; sleep 60' >/dev/null
wait_until 10 grep -q '^hang|confirm|' "$T/calls" || fail "no confirm for hang"
cm send hang yes
cm wait hang working confirm -t 5
sleep 1
wait_until 5 grep -q 'confirm for hang not run: the one for confirm still runs' "$T/err" ||
    fail "second not refused while the first runs: $(cat "$T/err")"
assert_eq "$(calls hang confirm)" 1 "one at a time"
wait_until 10 grep -q 'stub for hang (confirm) killed after 2 s' "$T/err" || fail "no timeout: $(cat "$T/err")"
# The watch is still there and still runs commands.
cm new -n last -- sh -c 'printf "Again? (yes/no) "; read a; sleep 60' >/dev/null
wait_until 10 grep -q '^last|confirm|' "$T/calls" || fail "watch stopped after failures: $(cat "$T/err")"
[ -s "$T/out" ] && fail "events printed with --exec: $(cat "$T/out")"

# cm wait NAME confirm, with auto-confirm on, waits for a question left to
# the person, not one the agent answers at once.
cm new -y -n w1 -- sh -c 'printf "Continue? [y/N] "; read a; sleep 0.5; printf "Run rm -rf build? [y/N] "; read b; sleep 60' >/dev/null
cm wait -t 10 w1 confirm || fail "wait w1 confirm"
cm log w1 | grep -q 'rm -rf build' || fail "cm wait returned at the auto-confirmed prompt: $(cm log w1)"

# Usage errors.
out=$(cm watch --on bogus --exec true 2>&1); assert_eq "$?" 1 "bad --on"
assert_contains "$out" "unknown event 'bogus'"
out=$(cm watch --exec true 2>&1)
assert_contains "$out" "--on and --exec go together"
exit 0
