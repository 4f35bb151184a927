#!/usr/bin/env bash
# Fault (issue 13, defect 0): the agent's own children (tmux jobs and
# control clients) killed, again and again, while 10 clients make, drive
# and kill sessions in parallel.  The agent survives, every request gets an
# answer (success or an error, never silence), and once things settle no
# tmux session is left that the agent does not know.
. "$(dirname "$0")/lib.sh"
start_agent
SECS=${FAULT_SECS:-8}
# client K: new, send, show, kill, over and over, for SECS seconds.
client() {
	local k=$1 i=0 end=$(( $(date +%s) + SECS )) rc
	while [ "$(date +%s)" -lt "$end" ]; do
		i=$((i + 1))
		for cmd in "new -n c$k-$i -- cat" "send c$k-$i hello" "show c$k-$i" "new cat" "kill c$k-$i"; do
			timeout 30 cm $cmd >/dev/null 2>"$T/err.$k"; rc=$?
			echo "$rc $cmd" >>"$T/rc.$k"
			[ "$rc" -le 1 ] || echo "rc $rc: $cmd: $(cat "$T/err.$k")" >>"$T/bad"
		done
	done
}
pids=()
for k in 0 1 2 3 4 5 6 7 8 9; do client "$k" & pids+=($!); done
# The killer: SIGKILL or SIGTERM to a random child of the agent.
end=$(( $(date +%s) + SECS )); kills=0
while [ "$(date +%s)" -lt "$end" ]; do
	for c in $(pgrep -P "$AGENT_PID"); do
		[ $((RANDOM % 3)) -eq 0 ] || continue
		kill -"$( [ $((RANDOM % 2)) -eq 0 ] && echo KILL || echo TERM)" "$c" 2>/dev/null &&
		    kills=$((kills + 1))
	done
	sleep 0.02
done
wait "${pids[@]}"
echo "clients done after $(( $(date +%s) - end + SECS )) s"
echo "killed $kills children; $(cat "$T"/rc.* | wc -l) requests, $(cat "$T"/rc.* | awk '$1 != 0' | wc -l) failed (as they may)"
kill -0 "$AGENT_PID" 2>/dev/null || fail "the agent died: $(grep -i 'segmentation\|fatal' "$T/agent.log" | head)"
cm ping >/dev/null || fail "agent does not answer"
[ -s "$T/bad" ] && fail "requests without an answer: $(head -5 "$T/bad")"
[ "$(cat "$T"/rc.* | wc -l)" -ge 50 ] || fail "too few requests ran"
# Settled: every tmux session is one the agent lists.
orphans() {
	comm -23 <(tmux -S "$CM_TMUX_SOCKET" ls -F '#{session_name}' 2>/dev/null | sort) \
	    <(cm ls | cut -f1 | tr . _ | sort)
}
no_orphans() { [ -z "$(orphans)" ]; }
wait_until 20 no_orphans
left=$(orphans)
[ -z "$left" ] || fail "tmux sessions the agent does not know: $left"
# And it still works.
cm new -n after -- cat >/dev/null || fail "new after"
cm kill after || fail "kill after"
exit 0
