#!/usr/bin/env bash
# What keeps auto-confirm in bounds: the loop guard pauses it when the same
# question keeps coming back; an answer that does not take is reported as
# stuck; a time limit turns it off with an event; and the config file's
# "autoconfirm on" turns it on for new sessions.
. "$(dirname "$0")/lib.sh"
mkdir -p -m 700 "$XDG_CONFIG_HOME" "$XDG_CONFIG_HOME/cm"
start_agent
cm watch >"$T/watch" 2>&1 &
BG_PIDS+=($!)

# The same question, again and again: answered CM_LOOP_MAX (3) times, then
# auto-confirm pauses for that session and says so.
cm new -y -n loop -- sh -c 'while :; do printf "Continue? [y/N] "; read a; echo "got $a"; done' >/dev/null
wait_until 10 grep -q $'\tloop\tconfirm-paused' "$T/watch" || fail "no pause: $(cat "$T/watch")"
assert_eq "$(count "$T/watch" loop auto-confirm)" 3 "answers before the pause"
grep $'\tloop\tconfirm-paused' "$T/watch" | grep -q 'rule=loop-guard' || fail "pause rule"
cm log loop | grep -q $'\tloop\tpaused\tloop-guard\t' || fail "pause not in the audit log: $(cm log loop)"
sleep 0.5
assert_eq "$(cm show loop | grep -c 'got y')" 3 "typed after the pause"
assert_eq "$(state loop)" confirm "left waiting"

# An answer the program does not take (it does not read, and does not echo):
# reported once as stuck, in the watch stream and the audit log.
cm new -y -n deaf -- sh -c 'stty -echo; printf "Proceed? [y/N] "; sleep 60' >/dev/null
wait_until 10 grep -q $'\tdeaf\tconfirm-stuck' "$T/watch" || fail "no stuck report: $(cat "$T/watch")"
assert_eq "$(count "$T/watch" deaf auto-confirm)" 1 "answered once"
cm log deaf | grep -q $'\tdeaf\tstuck\t' || fail "stuck not in the audit log"

# A time limit: on for 1 s, then off with an event; a prompt after that is
# left alone.
cm new -n brief -- sh -c 'sleep 3; printf "Continue? [y/N] "; read a; echo "got $a"; sleep 60' >/dev/null
cm confirm brief on --for 1s || fail "confirm --for"
wait_until 5 grep -q $'\tbrief\tconfirm-expired' "$T/watch" || fail "no expiry event"
cm wait brief confirm -t 10 || fail "brief prompt"
sleep 0.5
cm show brief | grep -q 'got' && fail "answered after the time limit"
cm confirm brief on --for 0s 2>/dev/null && fail "--for 0s accepted"
cm confirm brief on --for 5x 2>/dev/null; assert_eq "$?" 2 "bad duration is a usage error"

# The agent-wide default, from the config file, for sessions made after.
printf '# on for every new session\nautoconfirm on\n' >"$XDG_CONFIG_HOME/cm/config"
stop_agent
start_agent
cm new -n dflt -- sh -c 'printf "Continue? [y/N] "; read a; echo "got $a"; sleep 60' >/dev/null
wait_until 5 sh -c 'cm show dflt | grep -q "got y"' || fail "config default not applied"
exit 0
