#!/usr/bin/env bash
# The bad-input suite (issue 12): a running agent, with a descriptor limit
# of 64, takes malformed requests of every kind, requests before
# authentication, 300 wrong tokens from 30 parallel connections (and 300
# more pipelined on 30), 250 idle connections and 50 half lines, a watcher
# that never reads while 10,000 events are made, and 500 clients at once,
# past its descriptor limit.  Throughout, a client with the right token
# pings every 50 ms, on a new connection each time and on one kept open;
# the suite prints the latencies (doc/TESTING.md records them).  The agent
# must answer every one of its pings, never die, never spin.
. "$(dirname "$0")/lib.sh"
FDMAX=64
( ulimit -n $FDMAX; exec cm agent -f -v ) 2>>"$T/agent.log" &
AGENT_PID=$!
wait_until 5 cm ping || fail "agent did not start"
TOK=$XDG_CONFIG_HOME/cm/token
BC=("$PYTHON" "$TESTS/badclient.py" "$SOCK")	# a simple command: $! is its pid
say() { echo "badinput: $*"; }
cpu() { awk '{ print $14 + $15 }' "/proc/$AGENT_PID/stat"; }
alive() { kill -0 "$AGENT_PID" 2>/dev/null || fail "agent died ($1)"; }
cm new -n ev -- sleep 600 >/dev/null || fail "new ev"

# The pinger, for the whole run; told to stop on its stdin.
mkfifo "$T/pingctl"
"${BC[@]}" ping "$TOK" 120 "$T/pings" <"$T/pingctl" &
PINGER=$!
BG_PIDS+=("$PINGER")
exec 9>"$T/pingctl"
wait_until 5 test -s "$T/pings" || fail "pinger"

# 1. Malformed requests, logged in, one per connection; then before auth.
echo "phase malformed" >&9
"${BC[@]}" lines "$TOK" >"$T/lines" || fail "bad lines: $(grep FAIL "$T/lines")"
say "$(tail -n 1 "$T/lines") (malformed requests: each answered err, agent fine)"
"${BC[@]}" preauth >"$T/preauth" || fail "before auth: $(grep FAIL "$T/preauth")"
say "$(tail -n 1 "$T/preauth") (requests before auth)"
alive "malformed requests"

# 2. Wrong tokens, while 250 idle connections and 50 half lines wait.
echo "phase tokens+idle" >&9
"${BC[@]}" hold 250 --secs 10 >"$T/idle" &
H1=$!
"${BC[@]}" hold 50 --half --secs 10 >"$T/half" &
H2=$!
BG_PIDS+=("$H1" "$H2")
"${BC[@]}" wrong 30 10 >"$T/wrong"
say "$(cat "$T/wrong")"
"${BC[@]}" pipelined 30 10 >"$T/pipe"
say "$(cat "$T/pipe")"
wait "$H1" "$H2"
say "250 idle: $(tr '\n' ' ' <"$T/idle")"
say "50 half lines: $(tr '\n' ' ' <"$T/half")"
grep -q '^open' "$T/idle" "$T/half" && fail "connections never closed"
alive "wrong tokens and idle connections"

# 3. A watcher that never reads, while 10,000 events are made: it is
# dropped ("bye overflow"), the agent's memory stays bounded.
echo "phase noread" >&9
"${BC[@]}" noread "$TOK" >"$T/noread" &
NR=$!
BG_PIDS+=("$NR")
wait_until 5 grep -q watching "$T/noread" || fail "noread"
"${BC[@]}" events "$TOK" 10000 ev >"$T/events"
say "$(cat "$T/events") (a watcher never reading)"
grep -q 'events 10000 answered 10000' "$T/events" || fail "events: $(cat "$T/events")"
say "agent memory with the watcher's queue: $(awk '/VmRSS/ { printf "%s kB", $2 }' "/proc/$AGENT_PID/status")"
# 10,000 events of ~70 bytes fit its 1 MiB queue; 10,000 more do not: it
# is dropped with "bye overflow", the queue never passes its limit.
"${BC[@]}" events "$TOK" 10000 ev >"$T/events"
wait_until 5 grep -q 'output queue full, dropped' "$T/agent.log" || fail "the watcher that never reads was not dropped"
# The last of the 10,000 turned auto-confirm on: that is what tmux keeps
# for a restarted agent (each change once took a tmux process, and most
# were lost).
wait_until 5 sh -c 'tmux -S "$CM_TMUX_SOCKET" show-options -v -t =ev: @cm_confirm | grep -qx 1' ||
    fail "auto-confirm setting in tmux: $(tmux -S "$CM_TMUX_SOCKET" show-options -t =ev: @cm_confirm)"
kill "$NR"
say "agent memory after: $(awk '/VmRSS|VmHWM/ { printf "%s %s kB  ", $1, $2 }' "/proc/$AGENT_PID/status")"
alive "events"

# 4. 500 clients at once, past the descriptor limit: some get in, the rest
# are told "bye full"; the agent neither dies nor spins while they stay.
echo "phase 500" >&9
"${BC[@]}" many "$TOK" 500 4 >"$T/many" &
M=$!
BG_PIDS+=("$M")
wait_until 20 test -s "$T/many" || fail "many: no result"
c0=$(cpu)
sleep 2
c1=$(cpu)
say "$(cat "$T/many"); agent CPU while they stay: $((c1 - c0)) ticks in 2 s"
[ $((c1 - c0)) -lt 100 ] || fail "agent spins: $((c1 - c0)) ticks in 2 s"
grep -q 'accept: Too many open files: refusing clients' "$T/agent.log" ||
    fail "the descriptor limit was not reached"
say "EMFILE reached: $(grep -c 'refusing clients' "$T/agent.log") log lines (at most one a second)"
wait "$M"
echo "phase after" >&9
sleep 0.5
alive "500 clients"
cm ping || fail "ping after 500 clients"

# The pinger's figures.
echo stop >&9
exec 9>&-
wait "$PINGER"
"$PYTHON" - "$T/pings" <<'EOF' | tee "$T/figures"
import sys
lat = {}
fails = {}
for l in open(sys.argv[1]):
    w = l.split()
    if w[0] == "fail":
        fails.setdefault(w[1], []).append(" ".join(w[2:]))
    else:
        lat.setdefault((w[0], w[2]), []).append(float(w[1]))
def fig(v):
    v = sorted(v)
    return "n=%d median %.1f p99 %.1f max %.1f ms, over 500 ms: %d" % (
        len(v), v[len(v) // 2], v[min(len(v) - 1, int(len(v) * 0.99))],
        v[-1], sum(1 for x in v if x > 500))
for (kind, phase), v in sorted(lat.items(), key=lambda x: x[0][1]):
    print("badinput: ping, %s connection, during %s: %s" % (kind, phase, fig(v)))
for phase, f in fails.items():
    print("badinput: failed pings during %s: %d (%s)" % (phase, len(f), f[0]))
EOF
# Every ping answered, but for new connections while 500 clients hold
# every descriptor: those are told "bye full".
grep '^fail' "$T/pings" | grep -v '^fail 500 new .*bye full' | grep -q . &&
    fail "pings failed: $(grep '^fail' "$T/pings" | grep -v '^fail 500 new' | head -5)"
exit 0
