#!/usr/bin/env bash
# A burst of connections to a busy agent: every command succeeds.  The agent
# here is stopped and continued every 150 ms, as a loaded machine would hold
# it, while 60 "cm ping" connect at once; more than CM_UNAUTH_MAX (32) wait
# to authenticate.  The agent drops an unauthenticated connection for a
# newer one only if it has nothing unread (a token in its socket is not
# idleness), and a client dropped with "bye full" before its answer tries
# again, as it does for a greeting.  (Before: "authentication: agent closed
# the connection" for some of them.)
. "$(dirname "$0")/lib.sh"
# Under memcheck the agent is 20 to 50 times slower than a loaded machine.
[ "${CM_TEST_VALGRIND:-0}" = 1 ] && { echo "SKIP: a timing test, not for valgrind"; exit 77; }
start_agent
( while :; do kill -STOP "$AGENT_PID" 2>/dev/null; sleep 0.15
	kill -CONT "$AGENT_PID" 2>/dev/null; sleep 0.005; done ) &
stutter=$!
BG_PIDS+=($stutter)
pids=()
for round in 1 2 3 4 5 6; do
	for i in $(seq 1 60); do
		cm ping >/dev/null 2>"$T/err.$round.$i" & pids+=($!)
	done
	sleep 0.3
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
kill "$stutter"; wait "$stutter" 2>/dev/null
kill -CONT "$AGENT_PID"
[ "$bad" -eq 0 ] || fail "$bad of ${#pids[@]} pings failed: $(cat "$T"/err.* | sort | uniq -c)"
cm ping >/dev/null || fail "agent not answering after the burst"
exit 0
