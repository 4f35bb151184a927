#!/usr/bin/env bash
# SIGTERM: the agent says bye, removes its socket and exits; the sessions live
# on in tmux; the next agent adopts them with their names and settings; a
# watcher reconnects by itself and says it may have missed events.
. "$(dirname "$0")/lib.sh"
start_agent
cm new -n a.b -- sh -c 'echo one; while read l; do echo "got:$l"; done' >/dev/null
cm new -y -n plain cat >/dev/null
cm wait a.b idle -t 5 || fail "a.b idle"
cm wait plain idle -t 5 || fail "plain idle"
cm watch >"$T/watch" 2>&1 &
BG_PIDS+=($!)
sleep 0.3

stop_agent
[ -e "$SOCK" ] && fail "socket left after SIGTERM"
grep -q 'shutting down: SIGTERM' "$T/agent.log" || fail "no shutdown log"
tmux -S "$CM_TMUX_SOCKET" has-session -t =a_b || fail "tmux session a_b gone"
tmux -S "$CM_TMUX_SOCKET" has-session -t =plain || fail "tmux session plain gone"
cm ping 2>/dev/null && fail "ping answered with no agent"

start_agent
wait_until 5 sh -c 'cm ls | grep -q "^a\.b	idle"' || fail "a.b not adopted: $(cm ls)"
cm ls --json | grep '"name":"plain"' | grep -q '"autoconfirm":true' ||
    fail "plain lost its auto-confirm: $(cm ls --json)"
cm ls | grep -q $'^a\\.b\tidle\tsh -c \'echo one; while read l; do echo "got:$l"; done\'' ||
    fail "command not kept: $(cm ls)"
cm send a.b after || fail "send to an adopted session"
wait_until 5 sh -c 'cm show a.b | grep -q got:after' || fail "adopted session did not react"

# The watcher came back on its own and said so.
wait_until 10 grep -q $'\t-\tresync\tagent restarted' "$T/watch" ||
    fail "watcher did not resync: $(cat "$T/watch")"
wait_until 5 grep -q $'\ta.b\tworking' "$T/watch" || fail "watcher not live again"
exit 0
