#!/usr/bin/env bash
# A session's life as a watcher sees it: new -> starting, working, idle; send
# -> the program reacts, working, idle; kill -> exited killed, and it is gone
# from ls and from tmux.  A program that ends by itself is exited with its
# status, stays listed (remain-on-exit) until killed, and cm wait sees it.
. "$(dirname "$0")/lib.sh"
start_agent
start_watch "$T/watch"

name=$(cm new -n life -- sh -c 'echo ready; while read l; do echo "got:$l"; done') ||
    fail "cm new"
assert_eq "$name" life "cm new prints the name"
wait_until 5 has_event "$T/watch" life idle || fail "never idle: $(cat "$T/watch")"
# The time column: ISO-8601 UTC with milliseconds.
head -n 1 "$T/watch" | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z	' ||
    fail "time column: $(head -n 1 "$T/watch")"
got=$(grep $'\tlife\t' "$T/watch" | cut -f2,3 | tr '\n' ' ')
assert_eq "$got" "life	starting life	working life	idle " "first events"
# starting says what runs.
grep -qF $'\tlife\tstarting\tsh -c \'echo ready; while read l; do echo "got:$l"; done\'' "$T/watch" ||
    fail "starting detail: $(grep $'\tlife\tstarting' "$T/watch")"
assert_eq "$(state life)" idle "state in ls"
cm show life | grep -qx ready || fail "screen: $(cm show life)"

cm send life hello || fail "send"
wait_until 5 sh -c 'cm show life | grep -qx got:hello' || fail "no reply on screen: $(cm show life)"
wait_until 5 at_least 2 "$T/watch" life idle || fail "not idle again after send"
got=$(grep $'\tlife\t' "$T/watch" | cut -f2,3 | tr '\n' ' ')
assert_eq "$got" "life	starting life	working life	idle life	working life	idle " \
    "events after send"
cm wait life idle -t 1 || fail "cm wait on an idle session"

# show trims the unused rows at the bottom: the last line has text.
cm show life >"$T/screen" || fail "show"
[ -n "$(tail -n 1 "$T/screen")" ] || fail "show kept trailing blank rows"

# ls: name, state, command, age; tab-separated, no header.
cm ls >"$T/ls" || fail "ls"
assert_eq "$(wc -l <"$T/ls")" 1 "ls lines"
assert_eq "$(cut -f1,2 "$T/ls")" "life	idle" "ls columns"
assert_eq "$(awk -F'\t' '{ print NF }' "$T/ls")" 4 "ls has 4 columns"
cut -f4 "$T/ls" | grep -qE '^[0-9]+s$' || fail "age column: $(cat "$T/ls")"
cm ls --json | grep -q '^{"name":"life","state":"idle","command":"sh -c' ||
    fail "ls --json: $(cm ls --json)"

cm kill life || fail "kill"
wait_until 5 has_event "$T/watch" life exited killed ||
    fail "no 'exited killed' event: $(cat "$T/watch")"
assert_eq "$(grep -c $'\tlife\texited' "$T/watch")" 1 "one exited event"
cm ls | grep -q '^life	' && fail "killed session still listed: $(cm ls)"
tmx has-session -t =life 2>/dev/null && fail "tmux session left after kill"
expect 1 "session 'life' not found" cm show life

# A program that ends by itself: exited with its status; it stays listed.
cm new -n quit -- sh -c 'echo bye; exit 3' >/dev/null || fail "new quit"
cm wait quit exited -t 5 || fail "wait for exited"
wait_until 3 has_event "$T/watch" quit exited status=3 ||
    fail "exit status: $(grep quit "$T/watch")"
assert_eq "$(state quit)" exited "an exited session stays listed"
cm ls --json | grep '"name":"quit"' | grep -q '"detail":"status=3"' ||
    fail "ls --json detail: $(cm ls --json)"
cm show quit | grep -qx bye || fail "the screen of an exited session: $(cm show quit)"
expect 1 "has exited" cm send quit x
cm wait quit exited -t 1 || fail "wait on an already exited session"
expect 1 "exited" cm wait quit idle -t 2
cm kill quit || fail "kill an exited session"
wait_until 3 sh -c '! cm ls | grep -q "^quit	"' || fail "quit still listed after kill"
# Its exit was reported once: kill adds nothing.
assert_eq "$(grep -c $'\tquit\texited' "$T/watch")" 1 "exited events for quit"

# Generated names: the command's base name and a number.
n1=$(cm new -- /bin/cat) || fail "new without -n"
n2=$(cm new -- cat) || fail "second new without -n"
assert_eq "$n1" cat-1 "generated name"
assert_eq "$n2" cat-2 "second generated name"
exit 0
