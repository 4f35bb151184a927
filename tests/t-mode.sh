#!/usr/bin/env bash
# The CLI's own permission mode: a program (with the claude profile) whose
# footer says "⏵⏵ auto mode on" approves by itself, so cm ls shows the mode
# and a "mode" event says so; a change back to "⏸ manual mode on" is an event
# too; a screen that shows no mode (a dialog over the footer) keeps the last.
. "$(dirname "$0")/lib.sh"
start_agent
cm watch >"$T/watch" 2>&1 &
BG_PIDS+=($!)
cat >"$T/prog.sh" <<'P'
box() { printf '\342\224\200\342\224\200\342\224\200\342\224\200\342\224\200\342\224\200\n\342\235\257\302\240\n\342\224\200\342\224\200\342\224\200\342\224\200\342\224\200\342\224\200\n'; }
box; printf '  \342\217\265\342\217\265 auto mode on (shift+tab to cycle)\n'
read a; clear
printf ' Select model\n \342\235\257 1. Default\n   2. Opus\n\n Enter to confirm \302\267 Esc to exit\n'
read a; clear
box; printf '  \342\217\270 manual mode on \302\267 ? for shortcuts\n'
sleep 60
P
cm new -n m1 --profile claude -- sh "$T/prog.sh" >/dev/null
wait_until 10 grep -q $'\tm1\tmode\tmode=auto' "$T/watch" ||
    fail "no mode event: $(events "$T/watch")"
cm wait m1 idle -t 5 >/dev/null || fail "not idle: $(cm show m1)"
cm ls | grep -q $'^m1\tidle\t.*\tauto$' || fail "cm ls: $(cm ls)"
cm ls --json | grep '"name":"m1"' | grep -q '"mode":"auto"' ||
    fail "cm ls --json: $(cm ls --json)"
# A dialog over the footer: still auto.
cm send m1 x
cm wait m1 input -t 5 >/dev/null || fail "picker: $(cm show m1)"
cm ls | grep -q $'^m1\tinput\t.*\tauto$' || fail "mode lost: $(cm ls)"
cm send m1 y
wait_until 10 grep -q $'\tm1\tmode\tmode=manual' "$T/watch" ||
    fail "no mode event back to manual: $(events "$T/watch")"
cm wait m1 idle -t 5 >/dev/null || fail "not idle: $(cm show m1)"
cm ls | grep -q $'^m1\tidle\t.*\tmanual$' || fail "cm ls: $(cm ls)"
assert_eq "$(count "$T/watch" m1 mode)" 2 "mode events"
# A program that shows no mode: '-'.
cm new -n plain -- sh -c 'echo hi; sleep 60' >/dev/null
cm wait plain idle -t 5 >/dev/null || fail "plain not idle"
cm ls | grep -q $'^plain\tidle\t.*\t-$' || fail "plain: $(cm ls)"
exit 0
