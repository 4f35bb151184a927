#!/usr/bin/env bash
# Issue 13, defect 0: a tmux job that succeeds with empty output (here a
# tmux that prints no pane id for new-session, as a killed or odd tmux may)
# must not crash the agent: the client gets an error, the agent lives on,
# and the session tmux made is removed.
. "$(dirname "$0")/lib.sh"
real=$(command -v tmux)
cat >"$T/tmux" <<W
#!/bin/sh
# new-session, while $T/quiet exists: do it, print nothing, succeed.
if [ -e "$T/quiet" ]; then
	for a in "\$@"; do
		[ "\$a" = new-session ] && { "$real" "\$@" >/dev/null; exit 0; }
	done
fi
exec "$real" "\$@"
W
chmod +x "$T/tmux"
export CM_TMUX="$T/tmux"
start_agent
touch "$T/quiet"
out=$(cm new -n q -- sleep 60 2>&1) && fail "new with no pane id succeeded: $out"
assert_contains "$out" "no pane id" "the error"
cm ping >/dev/null || fail "agent died: $(tail -5 "$T/agent.log")"
rm "$T/quiet"
# What tmux made anyway is not left behind.
wait_until 5 sh -c '! tmux -S "$CM_TMUX_SOCKET" has-session -t =q 2>/dev/null' ||
    fail "session q left in tmux"
cm new -n ok -- sleep 60 >/dev/null || fail "new after"
cm ls | grep -q '^ok' || fail "ls: $(cm ls)"
exit 0
