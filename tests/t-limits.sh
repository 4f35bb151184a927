#!/usr/bin/env bash
# Unauthenticated connections cannot lock clients out, and a wrong token
# slows only its own connection (issue 12, defects 3 and 4).
. "$(dirname "$0")/lib.sh"
start_agent
TOK=$XDG_CONFIG_HOME/cm/token
BC=("$PYTHON" "$TESTS/badclient.py" "$SOCK")	# a simple command: $! is its pid

# 300 idle connections (more than CM_CLIENTS_MAX), then 50 with half a
# line: cm still gets in, and every one of them is closed, by "bye full" or
# after CM_AUTH_TIMEOUT_MS (3 s) by "bye timeout".
for how in "" --half; do
	n=300
	[ -n "$how" ] && n=50
	"${BC[@]}" hold "$n" $how --secs 8 >"$T/hold" &
	HOLD=$!
	BG_PIDS+=("$HOLD")
	wait_until 10 grep -q '^held' "$T/hold" || fail "hold $how: $(cat "$T/hold")"
	cm ping 2>"$T/err" || fail "ping with $n idle connections$how: $(cat "$T/err")"
	cm ls >/dev/null 2>"$T/err" || fail "ls with $n idle connections$how: $(cat "$T/err")"
	wait "$HOLD"
	grep -q '^open' "$T/hold" && fail "connections left open $how: $(cat "$T/hold")"
	grep -q '^bye timeout' "$T/hold" || fail "no bye timeout $how: $(cat "$T/hold")"
	echo "hold $n$how: $(tr '\n' ' ' <"$T/hold")"
done
grep -q "not authenticated in 3000 ms" "$T/agent.log" || fail "no timeout in the log"

# Six wrong tokens at once, then the right one: answered before any of
# them (the old agent made every client wait out the penalty).
"${BC[@]}" order "$TOK" 6 >"$T/order" || fail "order: $(cat "$T/order")"
cat "$T/order"
cm ping || fail "ping after the wrong tokens"
exit 0
