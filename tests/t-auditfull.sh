#!/usr/bin/env bash
# Issue 13, defect 2: no auto-confirm answer without its audit record.  The
# audit log on a full disk (a link to /dev/full: every write fails with
# ENOSPC): the prompt is left for the person, with an "ask" event whose
# rule is audit-failed.  Once the log can be written, the answer and its
# record both happen.
. "$(dirname "$0")/lib.sh"
start_agent
cm watch >"$T/watch" 2>&1 &
BG_PIDS+=($!)
log=$XDG_STATE_HOME/cm/audit.log
[ -d "$(dirname "$log")" ] || fail "no state directory"
ln -sf /dev/full "$log"
cm new -y -n full -- sh -c 'printf "Continue? [y/N] "; read a; echo "got $a"; sleep 60' >/dev/null
wait_until 10 grep -q $'\tfull\task\trule=audit-failed' "$T/watch" || fail "no audit-failed event: $(cat "$T/watch")"
sleep 0.5
cm show full | grep -q 'got' && fail "answered without an audit record"
assert_eq "$(state full)" confirm "left waiting"
cm status | grep -q $'^confirms\t0$' || fail "counted as confirmed"

# The disk has room again: asked anew, answered, recorded.
rm "$log"
cm confirm full on || fail "confirm on"
wait_until 5 sh -c 'cm show full | grep -q "got y"' || fail "not answered once the log works"
cm log full | grep -q $'\tfull\tconfirmed\t' || fail "no record: $(cm log full)"
exit 0
