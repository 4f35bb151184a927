#!/usr/bin/env bash
# Issue 13, defect 8: a deletion question about a path outside the
# session's directory is not auto-confirmed, even with -y: the prompt is
# left for the person (doc/RULES.md), and nothing is typed.
. "$(dirname "$0")/lib.sh"
start_agent
cm watch >"$T/watch" 2>&1 &
BG_PIDS+=($!)
mkdir -p "$T/proj"
cm new -y -n del -C "$T/proj" -- sh -c 'printf "Delete the file /tmp/x? [y/N] "; read a; echo "got $a"; sleep 60' >/dev/null
wait_until 10 grep -Eq $'\tdel\t(ask|denied|auto-confirm)\t' "$T/watch" || fail "no decision: $(cat "$T/watch")"
sleep 1
grep -q $'\tdel\tauto-confirm' "$T/watch" && fail "auto-confirmed: $(grep auto-confirm "$T/watch")"
cm show del | grep -q got && fail "answered: $(cm show del)"
assert_eq "$(state del)" confirm "left waiting"
exit 0
