#!/usr/bin/env bash
# Profiles users can fix the same day (doc/PROFILES.md): a profile file
# changes a built-in profile or adds one; `cm detect --profile-file FILE`
# tries it on saved screens; `cm detect` reads the user's profile
# directory as the agent does; a bad file is reported as FILE:LINE:COL.
. "$(dirname "$0")/lib.sh"
S=$TESTS/screens
P=$XDG_CONFIG_HOME/cm/profiles
dir=/opt/cli-capture/work/proj

# detect ARGS...: the state line of cm detect
detect() { cm detect --host vm --dir "$dir" "$@" | sed -n 1p; }

# 1. A footer that changed: opencode says "esc to stop" where it said
# "esc interrupt".  Built in, cm misreads the busy screen; one line fixes it.
sed 's/esc interrupt/esc to stop/' "$S/opencode/06-working-streaming-1.txt" >"$T/busy.txt"
got=$(detect --profile opencode "$T/busy.txt")
[ "$got" != working ] || fail "precondition: the changed footer is read as working already"
printf '# opencode 1.19 says "esc to stop"\nworking "esc to stop"\n' >"$T/opencode"
assert_eq "$(detect --profile-file "$T/opencode" "$T/busy.txt")" working "changed footer"
# The file adds to the built-in tables: the rest still reads as before.
assert_eq "$(detect --profile-file "$T/opencode" "$S/opencode/13-bash-prompt-rm-rf.txt")" \
    "confirm Enter" "built-in choice kept"
assert_eq "$(detect --profile-file "$T/opencode" "$S/opencode/08-idle-after-response.txt")" \
    idle "built-in idle kept"
# Several screens at once, each under its name.
out=$(cm detect --host vm --dir "$dir" --profile-file "$T/opencode" "$T/busy.txt" \
    "$S/opencode/13-bash-prompt-rm-rf.txt")
assert_eq "$(grep -c '^== ' <<<"$out")" 2 "two screens, two headers"
assert_contains "$out" "== $T/busy.txt"
# The user's directory is read by cm detect, as by the agent.
mkdir -p -m 700 "$XDG_CONFIG_HOME" "$XDG_CONFIG_HOME/cm"
mkdir -p "$P"
cp "$T/opencode" "$P/opencode"
assert_eq "$(detect --profile opencode "$T/busy.txt")" working "profiles directory"
# Editor backups and hidden files are not profiles.
printf 'working "no"\nbogus\n' >"$P/opencode~"
printf 'bogus\n' >"$P/.opencode.swp"
assert_eq "$(detect --profile opencode "$T/busy.txt")" working "backups skipped"
rm -f "$P/opencode~" "$P/.opencode.swp"

# 2. A new program, by name and by command; its own choice row, with the
# approving label second; its own exit mark; clear and base.
cat >"$P/mycli" <<'EOF'
# a program cm has never seen
command mycli my-cli
working "(esc to cancel"
title-working "Working"
idle "Type your message"
box "Type your message"
error "API Error"
mark exited exit-message "Goodbye from mycli"
choice "Deny" "Allow once" "Allow always"
turn "> "
enter-delay 250
EOF
printf '> hi\nhello\n\n> Type your message\n' >"$T/idle.txt"
printf 'working on it\n\xe2\xa0\xb9 Thinking (esc to cancel, 3s)\n' >"$T/work.txt"
printf 'Run ls -la?\n\n  Deny   Allow once   Allow always      enter to choose\n' >"$T/choice.txt"
printf 'Run rm -rf build?\n\n  Deny   Allow once   Allow always\n' >"$T/rm.txt"
printf '> do it\nAPI Error: 500\n\n> Type your message\n' >"$T/error.txt"
printf 'bye\nGoodbye from mycli.\n' >"$T/exit.txt"
assert_eq "$(detect --profile mycli "$T/idle.txt")" idle "new: idle"
assert_eq "$(detect --profile mycli "$T/work.txt")" working "new: working"
assert_eq "$(detect --profile mycli --title 'Working (x)' "$T/idle.txt")" working "new: title"
assert_eq "$(detect --profile mycli "$T/choice.txt")" "confirm Right Enter" "new: choice"
# cm cannot tell what approving a new program's prompt does: it asks.
assert_contains "$(cm detect --dir "$dir" --profile mycli "$T/choice.txt" | sed -n 4p)" ask:unknown-prompt
assert_eq "$(cm detect --dir "$dir" --profile mycli "$T/rm.txt" | sed -n 4p)" deny:rm-recursive
assert_eq "$(detect --profile mycli "$T/error.txt")" error "new: error"
assert_eq "$(detect --profile mycli "$T/exit.txt")" exited "new: exit mark"
assert_eq "$(cm detect --profile mycli "$T/exit.txt" | sed -n 3p)" mycli/exit-message
# Without the file, the same screens are the generic profile's.
assert_eq "$(detect --profile-file /dev/null --profile generic "$T/work.txt")" idle "generic does not know it"
cat >"$T/q" <<'EOF'
base qwen
clear working
working "esc to stop)"
EOF
assert_eq "$(detect --profile-file "$T/q" "$S/qwen/06-working-streaming-1.txt")" idle "clear working"
sed 's/esc to cancel)/esc to stop)/' "$S/qwen/06-working-streaming-1.txt" >"$T/q6.txt"
assert_eq "$(detect --profile-file "$T/q" "$T/q6.txt")" working "base + new marker"
assert_eq "$(detect --profile-file "$T/q" "$S/qwen/12-shell-prompt-rm-rf.txt")" "confirm Enter" \
    "base qwen keeps its menus"

# 3. Errors, as FILE:LINE:COL: message, and no output.
bad() {	# bad 'FILE CONTENT' 'EXPECTED MESSAGE'
	printf '%b' "$1" >"$T/bad"
	cm detect --profile-file "$T/bad" "$T/idle.txt" >"$T/out" 2>"$T/err"
	rc=$?
	assert_eq "$rc" 1 "exit status for: $1"
	assert_eq "$(cat "$T/err")" "cm: $T/bad:$2" "message for: $1"
	[ ! -s "$T/out" ] || fail "output despite the error: $(cat "$T/out")"
}
bad 'frobnicate "x"\n' '1:1: unknown directive '"'frobnicate'"
bad '# ok\n\nworking x\n' '3:9: expected a string in double quotes'
bad 'idle "abc\n' '1:6: unterminated string'
bad 'idle ""\n' '1:6: empty string'
bad 'idle "a\\qb"\n' '1:8: unknown escape (\\, \", \t, \xHH)'
bad 'idle "a" "b"\n' '1:10: unexpected text at the end of the line'
bad 'mark sleeping x "y"\n' '1:6: unknown state '"'sleeping'"
bad 'mark exited Bad_Rule "y"\n' '1:13: a rule name is [a-z0-9-]'
bad 'choice "Allow"\n' '1:8: a choice needs two labels or more'
bad 'choice "A|B" "C"\n' "1:8: a choice's label may not hold '|'"
bad 'titled maybe\n' '1:8: expected yes or no'
bad 'enter-delay 99999\n' '1:13: expected milliseconds, 0 to 5000'
bad 'idle "x"\nbase qwen\n' '2:1: base must come first'
bad 'base nosuch\n' "1:6: no built-in profile 'nosuch'"
bad 'clear nothing\n' "1:7: no list called 'nothing'"
bad "idle \"$(head -c 300 /dev/zero | tr '\0' a)\"\n" '1:6: string longer than 256 bytes'
# A bad file in the directory: cm detect says which, and where.
printf 'working "ok"\n  idle "x\n' >"$P/broken"
cm detect --profile opencode "$T/busy.txt" >"$T/out" 2>"$T/err" && fail "a broken profile file was accepted"
assert_eq "$(cat "$T/err")" "cm: $P/broken:2:8: unterminated string"
rm -f "$P/broken"
printf 'idle "x"\n' >"$P/Bad.Name"
cm detect "$T/idle.txt" >/dev/null 2>"$T/err" && fail "a bad profile name was accepted"
assert_contains "$(cat "$T/err")" "bad profile name 'Bad.Name'"
rm -f "$P/Bad.Name"

# 4. The agent reads the profile files when it starts, and again on SIGHUP.
# A program that keeps printing "Frobnication failed": with no mark for it
# the session is busy (its screen keeps changing); once the file has one
# and the agent has read it, the same screen is an error, by mycli's rule.
start_agent
cm new -n frob --profile mycli -- sh -c 'while :; do printf "\033[H\033[2JFrobnication failed %s\n" "$(date +%N)"; sleep 0.3; done' >/dev/null ||
    fail "cm new --profile mycli"
sleep 1.5
[ "$(state frob)" != error ] || fail "error before the mark was loaded"
grep -q 'profile file.* loaded from' "$T/agent.log" || fail "profiles not loaded at start: $(tail -5 "$T/agent.log")"
echo 'mark error frob-failed "Frobnication failed"' >>"$P/mycli"
kill -HUP "$AGENT_PID"
cm wait frob error -t 10 || fail "no error after SIGHUP: $(state frob)"
cm ls | grep -q 'frob' || fail "session gone"
# A file that does not parse, on SIGHUP: logged where, and nothing changes.
printf 'working "ok"\nmark error\n' >"$P/zbroken"
kill -HUP "$AGENT_PID"
wait_until 5 grep -q "profiles not changed: $P/zbroken:2:" "$T/agent.log" ||
    fail "no log line for the broken file: $(tail -5 "$T/agent.log")"
sleep 1
assert_eq "$(state frob)" error "profiles kept after a bad reload"
rm -f "$P/zbroken"
# A profile the agent does not know is refused by name.
cm new -n x --profile nosuch -- true 2>"$T/err" && fail "unknown profile accepted"
assert_contains "$(cat "$T/err")" "unknown profile 'nosuch' (claude, codex, gemini, opencode, qwen, aider, generic, "
cm kill frob >/dev/null
echo "ok"
