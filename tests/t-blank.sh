#!/usr/bin/env bash
# A blank screen after start-up is a redraw, not a new start.  opencode
# shows one blank frame between its home screen and a session; its profile
# reads a blank screen as "starting" (its alternate screen before its first
# frame), and cm used to say "starting" again mid-session.  Now: once a
# session has left starting, a blank screen is working.  And starting is
# one event, whatever the program shows while it starts.  (Both seen live
# by tests/live-check.sh.)
. "$(dirname "$0")/lib.sh"
start_agent
cm watch >"$T/events" 2>&1 &
BG_PIDS+=($!)
home=$TESTS/screens/opencode/08-idle-after-response.txt
cm new -n oc --profile opencode -- sh -c \
    'cat "$1"; sleep 1.5; printf "\033[2J\033[H"; sleep 1; cat "$1"; sleep 60' \
    sh "$home" >/dev/null || fail "new"
# starting, then the home screen (working, idle), the blank, the screen again.
wait_until 10 sh -c "[ \$(grep -c '	oc	' '$T/events') -ge 4 ]" ||
    fail "too few events: $(events "$T/events")"
sleep 2
events "$T/events" | awk -F'\t' '$1 == "oc" && $2 != "mode" { print $2 }' >"$T/states"
# Starting once, at the start, and never again.
[ "$(head -n 1 "$T/states")" = starting ] || fail "first: $(cat "$T/states")"
[ "$(grep -c '^starting$' "$T/states")" = 1 ] ||
    fail "starting again mid-session: $(tr '\n' ' ' <"$T/states")"

# Starting is one event, however its screen changes while it starts (Qwen
# Code's "Initializing..." line with its spinner made 16 of them live).
cm new -n qw --profile qwen -- sh -c \
    'for c in a b c d e f; do printf "\r  Initializing... %s" "$c"; sleep 0.2; done; sleep 60' \
    >/dev/null || fail "new qw"
sleep 2
n=$(events "$T/events" | awk -F'\t' '$1 == "qw" && $2 == "starting"' | wc -l)
[ "$n" = 1 ] || fail "$n starting events for one start: $(events "$T/events" | grep qw)"
exit 0
