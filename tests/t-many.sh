#!/usr/bin/env bash
# Many sessions made at once, from many clients: all of them come up, tmux
# survives (3.3a crashes when a control client attaches during another
# new-session: the agent keeps those apart), and a quiet agent spawns no tmux.
. "$(dirname "$0")/lib.sh"
start_agent
N=40
for i in $(seq 1 $N); do
	cm new -n m$i -- cat >/dev/null &
	BG_PIDS+=($!)
done
for p in "${BG_PIDS[@]}"; do wait "$p" || fail "a concurrent cm new failed"; done
BG_PIDS=()
assert_eq "$(cm ls | wc -l)" $N "sessions listed"
assert_eq "$(tmux -S "$CM_TMUX_SOCKET" ls | wc -l)" $N "tmux sessions"
for i in $(seq 1 $N); do cm wait m$i idle -t 10 >/dev/null || fail "m$i not idle"; done
# Quiet: no tmux process is started, nothing is captured.
s0=$(cm status | awk -F'\t' '$1 == "spawns" { print $2 }')
c0=$(cm status | awk -F'\t' '$1 == "captures" { print $2 }')
sleep 2
assert_eq "$(cm status | awk -F'\t' '$1 == "spawns" { print $2 }')" "$s0" "tmux spawns while quiet"
assert_eq "$(cm status | awk -F'\t' '$1 == "captures" { print $2 }')" "$c0" "captures while quiet"
for i in $(seq 1 $N); do cm kill m$i >/dev/null & BG_PIDS+=($!); done
for p in "${BG_PIDS[@]}"; do wait "$p" || fail "a concurrent cm kill failed"; done
BG_PIDS=()
assert_eq "$(cm ls | wc -l)" 0 "all killed"
exit 0
