#!/usr/bin/env bash
# Fault: a session prints as fast as it can for FLOOD_SECS (20 here; 60 in
# make load).  The agent's memory stays flat (the second half's peak RSS no
# more than 2 MiB over the first half's) and it answers ping throughout.
. "$(dirname "$0")/lib.sh"
start_agent
SECS=${FLOOD_SECS:-20}
cm new -n flood -- sh -c 'yes "flood line: the quick brown fox jumps over the lazy dog 0123456789"' >/dev/null
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$AGENT_PID/status"; }
first=0 second=0 slow=0
for i in $(seq "$SECS"); do
	sleep 1
	timeout 5 cm ping >/dev/null || slow=$((slow + 1))
	r=$(rss)
	echo "$i $r" >>"$T/rss"
	if [ "$i" -le $((SECS / 2)) ]; then
		[ "$r" -gt "$first" ] && first=$r
	else
		[ "$r" -gt "$second" ] && second=$r
	fi
done
echo "agent peak RSS: first half $first KiB, second half $second KiB; $(cm status | grep -E '^(captures|events)' | tr '\t\n' '= ')"
[ "$slow" -eq 0 ] || fail "$slow pings not answered in 5 s"
[ "$second" -le $((first + 2048)) ] || fail "memory grew: $(tr '\n' ' ' <"$T/rss")"
cm kill flood || fail "kill flood"
exit 0
