#!/usr/bin/env bash
# A rules file that does not parse at start fails safe (issue 12, defect 6):
# auto-confirm asks for everything (rule ask:rules-broken) instead of
# dropping the user's deny and ask rules, and cm status, an event and
# cm rules say so; once a file that parses is loaded (SIGHUP), it answers
# again.
. "$(dirname "$0")/lib.sh"
mkdir -p -m 700 "$XDG_CONFIG_HOME" "$XDG_CONFIG_HOME/cm"
printf 'deny continue\nfrobnicate everything\n' >"$XDG_CONFIG_HOME/cm/rules"
start_agent
cm status >"$T/status"
grep -q $'^rules\tbroken$' "$T/status" || fail "status: $(cat "$T/status")"
grep -q $'^rules_error\t.*rules:2:1: expected allow, deny, ask' "$T/status" ||
    fail "status error: $(cat "$T/status")"
grep -q 'rules broken, auto-confirm asks for everything' "$T/agent.log" || fail "log"
# The event, replayed from the start.
inst=$(awk -F'\t' '$1 == "instance" { print $2 }' "$T/status")
printf '1 watch since=0 instance=%s\n' "$inst" | cm bridge >"$T/replay"
grep -q '^event .* - rules-broken .*expected' "$T/replay" || fail "event: $(cat "$T/replay")"
cm rules >"$T/rules" 2>"$T/err" && fail "cm rules exited 0"
grep -q "They do not parse" "$T/rules" || fail "cm rules: $(tail -5 "$T/rules")"
grep -q "The agent's rules did not parse" "$T/rules" || fail "cm rules (agent): $(tail -5 "$T/rules")"
grep -q "auto-confirm asks for everything" "$T/err" || fail "cm rules stderr: $(cat "$T/err")"

# A prompt the built-in rules would allow is left to the person.
cm watch >"$T/watch" 2>&1 &
BG_PIDS+=($!)
prog='printf "Continue? [y/N] "; read a; echo "answer=$a"; sleep 60'
cm new -y -n ac -- sh -c "$prog" >/dev/null
wait_until 10 grep -q $'\tac\task\trule=ask:rules-broken' "$T/watch" ||
    fail "no ask:rules-broken: $(cat "$T/watch")"
sleep 0.5
cm show ac | grep -q answer && fail "answered with broken rules"
cm log ac | grep -q $'\task\task:rules-broken\t' || fail "audit: $(cm log ac)"

# Fixed and reloaded: the user's rules apply (this one denies), and the
# agent says the rules are fine again.
printf 'deny continue\n' >"$XDG_CONFIG_HOME/cm/rules"
kill -HUP "$AGENT_PID"
wait_until 5 sh -c 'cm status | grep -q "^rules	ok$"' || fail "status after SIGHUP: $(cm status)"
wait_until 5 grep -q $'\t-\trules-loaded' "$T/watch" || fail "no rules-loaded event"
cm new -y -n ac2 -- sh -c "$prog" >/dev/null
wait_until 10 grep -q $'\tac2\tdenied\trule=' "$T/watch" || fail "user's deny rule: $(cat "$T/watch")"
cm rules >/dev/null || fail "cm rules after the fix"
exit 0
