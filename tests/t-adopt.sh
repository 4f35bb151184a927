#!/usr/bin/env bash
# Issue 13, defects 1 and 3: kill -9 of the agent; the next one adopts every
# session it marked: one made with --task (whose task was typed), one with
# -y, one named with '.', one paused by the loop guard, one whose prompt was
# denied, one whose options were damaged (adopted with defaults and a
# warning), and lists the one it cannot adopt as such.  The watcher's
# resync names them all; the paused one stays paused, and neither prompt is
# answered or audited again.
. "$(dirname "$0")/lib.sh"
tm() { tmux -S "$CM_TMUX_SOCKET" "$@"; }
start_agent
cm new -n tasked --task hello -- sh -c 'while read l; do echo "got:$l"; done' >/dev/null
cm new -y -n yes -- cat >/dev/null
cm new -n a.b -- cat >/dev/null
cm new -y -n loop -- sh -c 'while :; do printf "Continue? [y/N] "; read a; echo "got $a"; done' >/dev/null
cm new -y -n deny -- sh -c 'printf "Run rm -rf build? [y/N] "; read a; echo "got $a"; sleep 60' >/dev/null
wait_until 10 sh -c 'cm show tasked | grep -q got:hello' || fail "task not typed"
wait_until 10 sh -c 'cm log loop | grep -q paused' || fail "loop not paused"
wait_until 10 sh -c 'cm log deny | grep -q denied' || fail "deny not denied"
cm new -n damaged -- cat >/dev/null
wait_until 5 sh -c '[ "$(cm ls | wc -l)" -ge 6 ]' || fail "sessions: $(cm ls)"
sleep 0.5	# the options saved by jobs
# Damage one session's options; make one that no agent can adopt.
tm set-option -t =damaged: @cm_created yesterday
tm set-option -t =damaged: -u @cm_name
tm set-option -t =damaged: -u @cm_profile
tm new-session -d -s 'x y' sleep 60
tm set-option -t '=x y:' @cm 1
tm set-option -t '=x y:' @cm_name 'bad name'
cm watch >"$T/watch" 2>&1 &
BG_PIDS+=($!)
sleep 0.3

kill -9 "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=
start_agent
for n in tasked yes a.b loop deny damaged; do
	cm ls | grep -q "^$n	" || fail "$n not adopted: $(cm ls) $(grep -i adopt "$T/agent.log")"
done
cm ls --json | grep '"name":"x y"' | grep -q '"detail":"not adopted: ' ||
    fail "unadopted one not listed: $(cm ls --json)"
cm ls --json | grep '"name":"yes"' | grep -q '"autoconfirm":true' || fail "yes lost -y"
wait_until 10 grep -q $'\t-\tresync\t' "$T/watch" || fail "no resync: $(cat "$T/watch")"
for n in tasked yes a.b loop deny damaged 'x y'; do
	grep -q $'\t'"$n"$'\t' "$T/watch" || fail "resync did not name $n: $(cat "$T/watch")"
done
# The warning came before any client could connect: ask for a replay.
inst=$(cm status | awk -F'\t' '$1 == "instance" { print $2 }')
tok=$(cat "$XDG_CONFIG_HOME/cm/token")
out=$(printf '1 auth %s\n2 watch since=0 instance=%s\n' "$tok" "$inst" | cm bridge --raw)
assert_contains "$out" 'damaged warning adopted\swith\sdefaults\sfor:\sname\screated\sprofile' "warning event"
assert_contains "$out" 'x\sy not-adopted name\snot\svalid\sor\staken' "not-adopted event"
cm send tasked again || fail "send to the task session"
wait_until 5 sh -c 'cm show tasked | grep -q got:again' || fail "tasked not driven"
cm show tasked | grep -c got:hello | grep -qx 1 || fail "task typed twice"
sleep 2
assert_eq "$(cm show loop | grep -c 'got y')" 3 "answers to the paused session"
grep -q $'\tloop\tauto-confirm' <(cut -f2- "$T/watch" | sed -n '/resync/,$p') && fail "answered after restart"
assert_eq "$(cm log deny | grep -c denied)" 1 "denied prompt audited again"
cm kill tasked || fail "kill the task session"
exit 0
