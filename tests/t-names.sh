#!/usr/bin/env bash
# Issue 13, defect 7: a generated name (BASENAME-N) skips names tmux already
# has, not only the agent's own; and many parallel kills all succeed: new and
# kill wait their turn inside cm instead of answering "busy".
. "$(dirname "$0")/lib.sh"
start_agent
tmux -S "$CM_TMUX_SOCKET" new-session -d -s cat-1 sleep 600
tmux -S "$CM_TMUX_SOCKET" new-session -d -s cat-2 sleep 600
out=$(cm new cat 2>&1) || fail "new with tmux's names taken: $out"
assert_eq "$out" "cat-3" "generated name"
out=$(cm new cat 2>&1) || fail "second new: $out"
assert_eq "$out" "cat-4" "next generated name"

# Twenty sessions, made and killed twenty at a time.
pids=()
for i in $(seq 20); do cm new -n "p$i" -- sleep 600 >"$T/new$i" 2>&1 & pids+=($!); done
wait "${pids[@]}"
for i in $(seq 20); do grep -q "^p$i\$" "$T/new$i" || fail "new p$i: $(cat "$T/new$i")"; done
pids=()
for i in $(seq 20); do cm kill "p$i" >"$T/kill$i" 2>&1 & pids+=($!); done
wait "${pids[@]}"
for i in $(seq 20); do [ -s "$T/kill$i" ] && fail "kill p$i: $(cat "$T/kill$i")"; done
cm ls | grep -q '^p' && fail "left: $(cm ls)"
exit 0
