#!/usr/bin/env bash
# Fault (issue 13, defect 6): one session's control client killed again and
# again: restarted each time, backing off; after a period of health the
# back-off starts again from nothing, so the next crash costs no seconds of
# blindness; a command sent meanwhile is answered, not stalled.
. "$(dirname "$0")/lib.sh"
start_agent
cm new -n c -- sh -c 'while read l; do echo "got:$l"; done' >/dev/null
cm wait c idle -t 5 || fail "idle"
ctl() { pgrep -f -- "$CM_TMUX_SOCKET -C attach-session -f ignore-size -t =c\$" | head -1; }
# ms: milliseconds since the epoch.
ms() { echo $(( $(date +%s%N) / 1000000 )); }
for i in 1 2 3 4 5; do
	p=$(ctl)
	[ -n "$p" ] || fail "no control client ($i)"
	kill -9 "$p"
	wait_until 10 sh -c "p2=\$(pgrep -f -- '$CM_TMUX_SOCKET -C attach-session -f ignore-size -t =c\$' | head -1); [ -n \"\$p2\" ] && [ \"\$p2\" != $p ]" ||
	    fail "control client not restarted after crash $i"
done
sleep 6	# healthy for longer than CM_CTL_HEALTHY_MS (5 s)
p=$(ctl)
t0=$(ms)
kill -9 "$p"
out=$(cm send c after 2>&1) || fail "send during the restart: $out"
wait_until 10 sh -c "p2=\$(pgrep -f -- '$CM_TMUX_SOCKET -C attach-session -f ignore-size -t =c\$' | head -1); [ -n \"\$p2\" ] && [ \"\$p2\" != $p ]" ||
    fail "not restarted after the healthy period"
t1=$(ms)
[ $((t1 - t0)) -lt 3000 ] || fail "restart after a healthy period took $((t1 - t0)) ms (back-off not reset)"
wait_until 5 sh -c 'cm show c | grep -q got:after' || fail "send not typed"
cm ping >/dev/null || fail "agent"
exit 0
