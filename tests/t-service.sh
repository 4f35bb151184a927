#!/usr/bin/env bash
# The agent under systemd's notify protocol, with a stand-in for systemd: a
# datagram socket at $NOTIFY_SOCKET gets READY=1 once the agent answers,
# WATCHDOG=1 every half of WATCHDOG_USEC while it runs, STOPPING=1 on
# SIGTERM; the programs it starts do not inherit the variables.  And "cm
# agent" when one runs: exit 0 with one line, unless --strict (or -f).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || fail "python3 is needed (apt-get install python3)"
python3 - "$T/notify" >"$T/msgs" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.2)
end = time.time() + 30
while time.time() < end:
    try:
        m = s.recv(4096).decode()
    except socket.timeout:
        continue
    print("%.3f %s" % (time.time(), m), flush=True)
    if m == "STOPPING=1":
        break
PY
BG_PIDS+=($!)
wait_until 5 test -S "$T/notify" || fail "no notify socket"
NOTIFY_SOCKET=$T/notify WATCHDOG_USEC=400000 cm agent -f 2>>"$T/agent.log" &
AGENT_PID=$!
wait_until 5 grep -q 'READY=1' "$T/msgs" || fail "no READY=1: $(cat "$T/msgs")"
cm ping || fail "READY=1 before the agent answers"
sleep 1.2
n=$(grep -c 'WATCHDOG=1' "$T/msgs")
[ "$n" -ge 3 ] || fail "watchdog pets in 1.2 s at 200 ms: $n"
cm new -n env -- sh -c 'env >"$0"; sleep 60' "$T/env" >/dev/null
wait_until 5 test -s "$T/env" || fail "session env"
grep -E '^(NOTIFY_SOCKET|WATCHDOG_)' "$T/env" && fail "the session inherited systemd's variables"

# Idempotent: exit 0, one line; --strict and -f refuse.
out=$(cm agent 2>&1); rc=$?
assert_eq "$rc" 0 "cm agent with one running"
assert_eq "$out" "cm: an agent is already running on $SOCK" "its line"
out=$(cm agent --strict 2>&1); assert_eq "$?" 1 "--strict"
assert_contains "$out" "an agent is already running"
out=$(cm agent -f 2>&1); assert_eq "$?" 1 "-f"

kill -TERM "$AGENT_PID"
wait "$AGENT_PID"
AGENT_PID=
wait_until 5 grep -q 'STOPPING=1' "$T/msgs" || fail "no STOPPING=1: $(cat "$T/msgs")"

# The unit: Type=notify with a watchdog, cm agent -f, no token in argv.
u=$REPO/contrib/cm-agent.service
grep -qx 'Type=notify' "$u" || fail "Type=notify"
grep -qx 'ExecStart=@BINDIR@/cm agent -f' "$u" || fail "ExecStart"
grep -qx 'Restart=on-failure' "$u" || fail "Restart"
grep -q '^WatchdogSec=' "$u" || fail "WatchdogSec"
grep -i '^ExecStart=.*token' "$u" && fail "token on the command line"
exit 0
