#!/usr/bin/env bash
# cm demo --answer no: its transcript shows the states in order, one
# auto-confirm (the safe ls -la), the rm -rf prompt left waiting with its
# rule and its audit line, the person's "no", the idle input box; and nothing
# it started is left running, nor its private directory.  Ctrl-C in the
# middle cleans up the same way.
. "$(dirname "$0")/lib.sh"
mkdir "$T/tmp"
TMPDIR=$T/tmp timeout 40 cm demo --answer no >"$T/out" 2>"$T/err" </dev/null ||
    fail "demo failed: $(cat "$T/out" "$T/err")"
out=$(cat "$T/out")
# The states, in order (the event lines: time, session, state).
states=$(awk '$2 == "demo" { print $3 }' "$T/out" | tr '\n' ' ')
case "$states" in
"starting working confirm auto-confirm working confirm denied working idle "|\
"starting working confirm auto-confirm working confirm ask working idle ") ;;
*) fail "states: $states" ;;
esac
assert_eq "$(grep -c '^  [0-9:.]*  demo  auto-confirm' "$T/out")" 1 "one auto-confirm"
grep '^  [0-9:.]*  demo  auto-confirm' "$T/out" | grep -q 'ls -la' || fail "the safe one: $out"
grep -E '^  [0-9:.]*  demo  (denied|ask) ' "$T/out" >"$T/denied"
assert_eq "$(wc -l <"$T/denied")" 1 "one left waiting"
grep -q 'rm -rf build' "$T/denied" || fail "the dangerous one: $out"
grep -Eq '↳ left waiting for you: rule [a-z]+:[a-z-]+ ' "$T/out" || fail "why: $out"
grep -Eq '^  audit: [0-9T:.Z-]+ demo confirmed [a-z]+:[a-z-]+ Enter Bash command / ls -la' "$T/out" ||
    fail "audit line of the auto-confirm: $out"
grep -Eq '^  audit: [0-9T:.Z-]+ demo (denied|ask) [a-z]+:[a-z-]+  Bash command / rm -rf build' "$T/out" ||
    fail "audit line of the denial: $out"
assert_contains "$out" "Answering no, as the person (--answer no)"
grep -q '^  | ● All right, I left the build directory as it is.$' "$T/out" || fail "the stand-in's no: $out"
grep -q '^  |   ⎿  Makefile' "$T/out" || fail "the stand-in's ls: $out"
assert_contains "$out" "cm new -y -n fix -- claude"
assert_contains "$out" "cm -H build1 new -y -n fix -- codex"
# Nothing left: not the agent, not tmux, not the stand-in, not the directory.
pid=$(sed -n 's/^agent started, pid \([0-9]*\)$/\1/p' "$T/out")
[ -n "$pid" ] || fail "no agent pid: $out"
kill -0 "$pid" 2>/dev/null && fail "agent $pid left running"
pgrep -f "$T/tmp" && fail "processes left: $(pgrep -af "$T/tmp")"
for p in $(pgrep -f 'cm fake-cli'); do
	# Only ours would have the private directory in its environment.
	grep -qz "$T/tmp" /proc/"$p"/environ 2>/dev/null && fail "stand-in $p left"
done
[ -z "$(ls -A "$T/tmp")" ] || fail "left behind: $(ls -A "$T/tmp")"

# Colour only on a terminal, and never with NO_COLOR.
grep -q $'\033' "$T/out" && fail "escape sequences in a file"
TMPDIR=$T/tmp NO_COLOR=1 script -qfec "cm demo --answer no" /dev/null >"$T/tty" 2>&1 </dev/null ||
    fail "demo on a terminal: $(cat "$T/tty")"
grep -q 'Answering no' "$T/tty" || fail "demo on a terminal: $(cat "$T/tty")"
grep -q $'\033\\[[0-9;]*m' "$T/tty" && fail "colour with NO_COLOR"

# On a terminal the person answers: y runs it (in the stand-in's words).
mkfifo "$T/in"
TMPDIR=$T/tmp script -qfec "cm demo" /dev/null <"$T/in" >"$T/tty2" 2>&1 &
demo=$!
exec 7>"$T/in"
wait_until 20 grep -q 'Your turn' "$T/tty2" || fail "no question on a terminal: $(cat "$T/tty2")"
echo y >&7
wait "$demo" || fail "interactive demo: $(cat "$T/tty2")"
exec 7>&-
grep -q "Your turn.*: run 'rm -rf build'? \[y/n\]" "$T/tty2" || fail "the question: $(cat "$T/tty2")"
grep -q '1 prompt(s) answered by cm, 1 left to you' "$T/tty2" || fail "interactive: $(cat "$T/tty2")"
grep -q '| ● Done: the build directory is gone.' "$T/tty2" || fail "y did not say yes: $(cat "$T/tty2")"
[ -z "$(ls -A "$T/tmp")" ] || fail "left behind (interactive): $(ls -A "$T/tmp")"

# Interrupted while the dangerous prompt waits for a person who never answers.
mkfifo "$T/fifo"
TMPDIR=$T/tmp cm demo >"$T/out2" 2>&1 <"$T/fifo" &
demo=$!
exec 9>"$T/fifo"	# stdin stays open: not a terminal, so it answers no...
wait_until 20 grep -q 'agent started' "$T/out2" || fail "second demo: $(cat "$T/out2")"
kill -INT "$demo"
wait "$demo"
rc=$?
exec 9>&-
assert_eq "$rc" 130 "exit status after Ctrl-C"
pid=$(sed -n 's/^agent started, pid \([0-9]*\)$/\1/p' "$T/out2")
kill -0 "$pid" 2>/dev/null && fail "agent $pid left running after Ctrl-C"
pgrep -f "$T/tmp" && fail "processes left after Ctrl-C: $(pgrep -af "$T/tmp")"
[ -z "$(ls -A "$T/tmp")" ] || fail "left behind after Ctrl-C: $(ls -A "$T/tmp")"
grep -q 'interrupted' "$T/out2" || fail "no word on Ctrl-C: $(cat "$T/out2")"
exit 0
