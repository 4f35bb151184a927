#!/usr/bin/env bash
# cm watch begins with the state every matching session is in (one line each,
# the watch columns, the state as TYPE), so a script that starts a watch and
# then acts never misses a state that was already there; --no-snapshot skips
# them.  It says when its agent goes away and when it is back.
. "$(dirname "$0")/lib.sh"
start_agent
cm new -n quiet -- sh -c 'echo ready; read x; sleep 60' >/dev/null
cm new --no-wait -n done -- sh -c 'exit 3' >/dev/null
cm wait quiet idle -t 5 || fail "quiet idle"
cm wait done exited -t 5 2>/dev/null
wait_until 5 sh -c 'cm ls | grep -q "^done	exited"' || fail "done exited"

cm watch quiet done >"$T/w" 2>&1 &
BG_PIDS+=($!)
cm watch --no-snapshot quiet >"$T/none" 2>&1 &
BG_PIDS+=($!)
cm watch --json quiet >"$T/json" 2>&1 &
BG_PIDS+=($!)
wait_until 5 grep -q $'\tquiet\tidle\t' "$T/w" || fail "no state line for an idle session: $(cat "$T/w")"
wait_until 5 grep -q $'\tdone\texited\tstatus=' "$T/w" || fail "no state line for an exited session: $(cat "$T/w")"
wait_until 5 test -s "$T/json" || fail "no JSON state line"
python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).readline())
assert o["session"] == "quiet" and o["type"] == "idle" and o["snapshot"] is True, o
' "$T/json" || fail "JSON state line: $(cat "$T/json")"
sleep 0.5
[ -s "$T/none" ] && fail "--no-snapshot printed: $(cat "$T/none")"
# Then the live events, in the same columns.
cm send quiet go
wait_until 5 grep -q $'\tquiet\tworking' "$T/w" || fail "no live event after the state line"
wait_until 5 grep -q $'\tquiet\tworking' "$T/none" || fail "--no-snapshot: no live event"

# README's recipes, as written there: a prompt that was already up is seen.
cm new -n ask -- sh -c 'printf "Overwrite it? [y/N] "; read x; sleep 60' >/dev/null
cm wait ask confirm -t 5 || fail "ask confirm"
# (mawk, Debian's awk, reads a pipe in blocks unless -W interactive.)
W=; awk -W version 2>/dev/null | grep -q mawk && W='-W interactive'
bg sh -c "cm watch | awk $W -F'\t' '\$3 == \"confirm\" { print \$2 \": \" \$4; fflush() }' >'$T/recipe1'"
bg sh -c "cm watch | grep --line-buffered \$(printf '\\tconfirm\\t') >'$T/recipe2'"
wait_until 5 grep -qx 'ask: Overwrite it? \[y/N\]' "$T/recipe1" || fail "awk recipe: $(cat "$T/recipe1")"
wait_until 5 grep -q $'\task\tconfirm\tOverwrite' "$T/recipe2" || fail "grep recipe: $(cat "$T/recipe2")"

# The agent goes away and comes back: the watcher says both.
stop_agent
wait_until 10 grep -q $'\t-\tagent-gone\t' "$T/w" || fail "no agent-gone line: $(cat "$T/w")"
start_agent
wait_until 10 grep -q $'\t-\tagent-back\t' "$T/w" || fail "no agent-back line: $(cat "$T/w")"
n=$(grep -c $'\t-\tagent-gone\t' "$T/w")
assert_eq "$n" 1 "agent-gone lines"
exit 0
