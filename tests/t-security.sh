#!/usr/bin/env bash
# Sockets 0600 in a 0700 directory, token 0600; the token is in no argv, no
# environment of tmux or of the programs cm starts, no log line.
. "$(dirname "$0")/lib.sh"
tok=0123456789abcdef0123456789abcdef0123456789abcdef
CM_AGENT_TOKEN=$tok cm agent -f -v 2>>"$T/agent.log" &
AGENT_PID=$!
wait_until 5 env CM_AGENT_TOKEN=$tok cm ping || fail "agent did not start"
export CM_AGENT_TOKEN=$tok

mode() { stat -c %a "$1"; }
assert_eq "$(mode "$SOCK")" 600 "socket mode"
assert_eq "$(mode "$(dirname "$SOCK")")" 700 "socket dir mode"
cm new -n env -- sh -c 'env > "$0"; sleep 60' "$T/pane.env" >/dev/null
wait_until 5 test -s "$T/pane.env" || fail "pane env not written"
grep -q "$tok" "$T/pane.env" && fail "token in the pane's environment"
grep -q CM_AGENT_TOKEN "$T/pane.env" && fail "CM_AGENT_TOKEN in the pane's environment"
for p in $(pgrep -f "tmux -S $CM_TMUX_SOCKET") $AGENT_PID; do
	tr '\0' '\n' <"/proc/$p/environ" | grep -q "$tok" && fail "token in environ of $p: $(tr '\0' ' ' </proc/$p/cmdline)"
done
for f in /proc/[0-9]*/cmdline; do
	tr '\0' ' ' <"$f" 2>/dev/null | grep -q "$tok" && fail "token in $f"
done
grep -q "$tok" "$T/agent.log" && fail "token in the agent log"
stop_agent
unset CM_AGENT_TOKEN

# The token file: made 0600 by an agent that has no token.
start_agent
assert_eq "$(mode "$XDG_CONFIG_HOME/cm/token")" 600 "token file mode"
stop_agent

# A socket directory open to others is refused.
chmod 755 "$(dirname "$SOCK")"
cm agent -f 2>"$T/err" && fail "agent accepted a 0755 socket directory"
grep -q "has mode 755, want 0700" "$T/err" || fail "message: $(cat "$T/err")"
chmod 700 "$(dirname "$SOCK")"

# A wrong token is refused.
start_agent
CM_AGENT_TOKEN=ffffffffffffffffffffffffffffffff cm ls 2>"$T/err" && fail "wrong token accepted"
grep -q "authentication failed" "$T/err" || fail "message: $(cat "$T/err")"
exit 0
