#!/usr/bin/env bash
# The load suite (make load): 100 sessions, 50 watchers and 10 clients
# issuing new, send, keys, show and kill in parallel for LOAD_SECS (60)
# seconds, on a private tmux server, loopback only.  Checks that no command
# fails (after cm's own retries) and that every watcher gets every event,
# in order, exactly once; prints peak agent memory, agent CPU and tmux
# server CPU (the figures doc/TESTING.md quotes).  Exits 0 or 1.
. "$(dirname "$0")/lib.sh"
SECS=${LOAD_SECS:-60}
SESSIONS=${LOAD_SESSIONS:-100}
WATCHERS=${LOAD_WATCHERS:-50}
CLIENTS=${LOAD_CLIENTS:-10}
HZ=$(getconf CLK_TCK)
# The agent without -v: a debug line per event would be measured too.
cm agent -f 2>>"$T/agent.log" &
AGENT_PID=$!
wait_until 5 cm ping || fail "agent did not start"
tok=$(cat "$XDG_CONFIG_HOME/cm/token")
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

echo "load: $SESSIONS sessions"
t0=$(date +%s)
pids=()
for i in $(seq "$SESSIONS"); do
	cm new -n "s$i" -- sh -c 'while read l; do echo "got:$l"; done' >/dev/null &
	pids+=($!)
	if [ $((i % 10)) -eq 0 ]; then
		for p in "${pids[@]}"; do wait "$p" || fail "new failed"; done
		pids=()
	fi
done
for p in "${pids[@]}"; do wait "$p" || fail "new failed"; done
[ "$(cm ls | wc -l)" -eq "$SESSIONS" ] || fail "sessions: $(cm ls | wc -l)"
echo "load: made in $(( $(date +%s) - t0 )) s"
spid=$(tmux -S "$CM_TMUX_SOCKET" display-message -p '#{pid}')

echo "load: $WATCHERS watchers"
for w in $(seq "$WATCHERS"); do
	mkfifo "$T/w$w.in"
	exec {fd}<>"$T/w$w.in"
	cm bridge --raw <"$T/w$w.in" >"$T/w$w.out" &
	BG_PIDS+=($!)
	printf '1 auth %s\n2 watch\n' "$tok" >&$fd
done
for w in $(seq "$WATCHERS"); do
	wait_until 10 grep -q '^ok 2 ' "$T/w$w.out" || fail "watcher $w"
done

# client K: for SECS seconds, one of new/send/keys/show/kill at a time.
client() {
	local k=$1 i=0 n end=$(( $(date +%s) + SECS )) out mine=()
	while [ "$(date +%s)" -lt "$end" ]; do
		i=$((i + 1))
		n=s$(( RANDOM % SESSIONS + 1 ))
		case $((i % 6)) in
		0) out=$(cm new -n "t$k-$i" -- cat 2>&1) && mine+=("t$k-$i") ;;
		1) out=$(cm send "$n" "hello $k $i" 2>&1) ;;
		2) out=$(cm keys "$n" Enter 2>&1) ;;
		3) out=$(cm show "$n" 2>&1 >/dev/null) ;;
		4) [ ${#mine[@]} -eq 0 ] || { out=$(cm kill "${mine[0]}" 2>&1) && mine=("${mine[@]:1}"); } ;;
		5) out=$(cm ls 2>&1 >/dev/null) ;;
		esac
		if [ $? -ne 0 ]; then
			echo "client $k op $((i % 6)): $out" >>"$T/failed"
		fi
		echo x >>"$T/ops.$k"
	done
}
a0=$(cpu "$AGENT_PID"); s0=$(cpu "$spid"); t0=$(date +%s%N)
echo "load: $CLIENTS clients for $SECS s"
pids=()
for k in $(seq "$CLIENTS"); do client "$k" & pids+=($!); done
peak=0
while kill -0 "${pids[0]}" 2>/dev/null; do
	r=$(awk '/^VmRSS/ { print $2 }' "/proc/$AGENT_PID/status")
	[ "$r" -gt "$peak" ] && peak=$r
	cm ping >/dev/null || echo "ping failed at $(date +%s)" >>"$T/failed"
	sleep 1
done
wait "${pids[@]}"
t1=$(date +%s%N); a1=$(cpu "$AGENT_PID"); s1=$(cpu "$spid")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$AGENT_PID/status")
wall=$(( (t1 - t0) / 1000000 ))
ops=$(cat "$T"/ops.* | wc -l)

# Every watcher: every event after its watch began, once, in order.
sleep 2
last=$(cm status | awk -F'\t' '$1 == "events" { print $2 }')
bad=0
for w in $(seq "$WATCHERS"); do
	wait_until 10 grep -q " $last " "$T/w$w.out" || true
	awk -v last="$last" '
	    $1 == "ok" && $2 == "2" { p = $3; next }
	    $1 == "event" { if ($3 != p + 1) { print "gap or repeat: " p " then " $3; exit 1 } p = $3 }
	    $1 == "bye" { print "dropped: " $0; exit 1 }
	    END { if (p != last) { print "ended at " p " of " last; exit 1 } }' "$T/w$w.out" >"$T/check" ||
	    { echo "watcher $w: $(cat "$T/check")"; bad=$((bad + 1)); }
done
nfail=$( [ -f "$T/failed" ] && wc -l <"$T/failed" || echo 0)
echo "load: $ops commands by $CLIENTS clients in $wall ms, $nfail failed; $last events, $WATCHERS watchers, $bad incomplete"
echo "load: agent peak RSS $hwm KiB (sampled peak $peak KiB); agent CPU $(( (a1 - a0) * 1000 / HZ )) ms; tmux server CPU $(( (s1 - s0) * 1000 / HZ )) ms, over $wall ms"
[ "$nfail" -eq 0 ] || { head -20 "$T/failed"; fail "$nfail commands failed"; }
[ "$bad" -eq 0 ] || fail "$bad watchers missed or repeated events"
exit 0
