#!/usr/bin/env bash
# Fault: the tmux server killed (SIGKILL).  Every session is reported
# exited, the agent stays up and answers, and works again once tmux does
# (the next new starts a server).
. "$(dirname "$0")/lib.sh"
start_agent
cm watch >"$T/watch" 2>&1 &
BG_PIDS+=($!)
for n in a b c; do cm new -n "$n" -- cat >/dev/null || fail "new $n"; done
for n in a b c; do cm wait "$n" idle -t 10 || fail "$n idle"; done
spid=$(tmux -S "$CM_TMUX_SOCKET" display-message -p '#{pid}')
kill -9 "$spid"
for n in a b c; do
	wait_until 15 grep -q $'\t'"$n"$'\texited' "$T/watch" || fail "$n not exited: $(cat "$T/watch")"
done
cm ping >/dev/null || fail "agent gone"
wait_until 10 sh -c '[ -z "$(cm ls)" ]' || fail "sessions still listed: $(cm ls)"
cm new -n again -- sh -c 'while read l; do echo "got:$l"; done' >/dev/null || fail "new after tmux came back"
cm wait again idle -t 10 || fail "again idle"
cm send again hi || fail "send"
wait_until 5 sh -c 'cm show again | grep -q got:hi' || fail "not driven"
exit 0
