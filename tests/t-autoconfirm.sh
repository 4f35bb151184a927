#!/usr/bin/env bash
# A program works for a while, then asks a safe question, then a dangerous
# one.  With -y the safe one is answered once; the dangerous one is left on
# screen and reported; both are in the audit log.  Prompts are detected and
# reported as confirm without -y, and nothing is typed then.
. "$(dirname "$0")/lib.sh"
start_agent
cm watch >"$T/watch" 2>&1 &
BG_PIDS+=($!)
cat >"$T/prog.sh" <<'P'
for i in 1 2 3 4 5; do echo "working $i"; sleep 0.2; done
printf 'Continue? [y/N] '; read a; echo "answer1=$a"
sleep 0.3
printf 'Run rm -rf build? [y/N] '; read b; echo "answer2=$b"
sleep 60
P
cm new -y -n ac -- sh "$T/prog.sh" >/dev/null
wait_until 10 grep -q $'\tac\tdenied' "$T/watch" || fail "no denial: $(cat "$T/watch")"
cm show ac | grep -q 'answer1=y' || fail "safe prompt not answered: $(cm show ac)"
cm show ac | grep -q 'answer2' && fail "dangerous prompt answered"
assert_eq "$(state ac)" confirm "left waiting"
assert_eq "$(count "$T/watch" ac auto-confirm)" 1 "answered once"
grep $'\tac\tdenied' "$T/watch" | grep -q 'rule=deny:rm-recursive' || fail "rule not named"
cm log ac >"$T/log"
assert_eq "$(wc -l <"$T/log")" 2 "audit entries"
# The prompt: the rows above the question (what it is about), then it.
grep -Eq $'\tac\tconfirmed\tallow:question\ty Enter\tworking 1 / .*working 5 / Continue\\? \\[y/N\\]$' "$T/log" ||
    fail "audit: $(cat "$T/log")"
grep -Eq $'\tac\tdenied\tdeny:rm-recursive\t\t.* / answer1=y / Run rm -rf build\\? \\[y/N\\]$' "$T/log" ||
    fail "audit: $(cat "$T/log")"
cm status | grep -q $'^confirms\t1$' || fail "status confirms"

# The person answers; the session goes on.
cm send ac n
wait_until 5 sh -c 'cm show ac | grep -q answer2=n' || fail "manual answer"

# Without -y: reported, not answered.
cm new -n ask -- sh -c 'printf "Continue? (yes/no) "; read a; echo "got $a"; sleep 60' >/dev/null
cm wait ask confirm -t 5 || fail "prompt not detected"
grep $'\task\tconfirm' "$T/watch" | grep -q 'Continue? (yes/no)' || fail "prompt text"
sleep 1
cm show ask | grep -q got && fail "answered without -y"

# Turned on later, it answers the prompt that is waiting, and the log
# survives a restart of the agent.
cm confirm ask on || fail "confirm on"
wait_until 5 sh -c 'cm show ask | grep -q "got yes"' || fail "not answered after confirm on"
stop_agent
start_agent
cm log | grep -q $'\task\tconfirmed' || fail "audit log lost across restart"

# A user rule may not lift a built-in deny; override may.
mkdir -p "$XDG_CONFIG_HOME/cm"
printf 'allow rm\n' >"$XDG_CONFIG_HOME/cm/rules"
kill -HUP "$AGENT_PID"
cm new -y -n rm1 -- sh -c 'printf "rm -rf x? [y/N] "; read a; echo "got $a"; sleep 60' >/dev/null
cm wait rm1 confirm -t 5 || fail "rm1 prompt"
wait_until 5 sh -c 'cm log rm1 | grep -q "denied	deny:rm-recursive"' ||
    fail "allow rm lifted the deny: $(cm log rm1)"
sleep 0.5
cm show rm1 | grep -q 'got' && fail "rm1 answered"
printf 'override rm-recursive\nallow rm\n' >"$XDG_CONFIG_HOME/cm/rules"
kill -HUP "$AGENT_PID"
sleep 0.3
cm new -y -n rm2 -- sh -c 'printf "rm -rf x? [y/N] "; read a; echo "got $a"; sleep 60' >/dev/null
wait_until 5 sh -c 'cm show rm2 | grep -q "got y"' || fail "override did not lift the deny"
# A broken rules file is reported and the rules stay as they were.
printf 'allow (\n' >"$XDG_CONFIG_HOME/cm/rules"
kill -HUP "$AGENT_PID"
wait_until 5 grep -q "rules not changed: .*rules:1:7:" "$T/agent.log" || fail "bad rules not reported"
exit 0
