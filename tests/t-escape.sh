#!/usr/bin/env bash
# Nothing an agent sends can drive the terminal, and --json is always valid
# (issue 12, defects 7 and 8).  A hostile fake agent (tests/fakeagent.py)
# answers every verb with names, commands, states, details, screens and
# error messages full of escapes (OSC title, clear screen, C1 CSI) and bytes
# that are not UTF-8; every human-readable output must come out with control
# bytes escaped, and every --json line must parse strictly.
. "$(dirname "$0")/lib.sh"
D=$XDG_RUNTIME_DIR/cm
mkdir -m 700 "$D"
mkdir -p -m 700 "$XDG_CONFIG_HOME/cm"
(umask 077; echo 0123456789abcdef0123456789abcdef >"$XDG_CONFIG_HOME/cm/token")
"$PYTHON" "$TESTS/fakeagent.py" --socket "$SOCK" --record "$T/rec" \
    >"$T/fake.out" 2>&1 &
BG_PIDS+=($!)
wait_until 5 grep -q ready "$T/fake.out" || fail "fake agent: $(cat "$T/fake.out")"

# safe MODE WHAT COMMAND...: run it, output to a file; check the file.
safe() {
	local mode=$1 what=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	"$PYTHON" "$TESTS/safeout.py" "$mode" "$T/out" >"$T/why" ||
	    fail "$what: unsafe stdout: $(cat "$T/why")"
	"$PYTHON" "$TESTS/safeout.py" text "$T/err" >"$T/why" ||
	    fail "$what: unsafe stderr: $(cat "$T/why")"
}

safe text "ls" cm ls
assert_contains "$(cat "$T/out")" "ok ✻ café" "ls keeps valid UTF-8"
assert_contains "$(cat "$T/out")" '\x1b]0;pwned\x07' "ls shows the escape, escaped"
safe json "ls --json" cm ls --json
assert_contains "$(cat "$T/out")" '\u001b]0;pwned\u0007' "json escapes ESC"
assert_contains "$(cat "$T/out")" '\u009b31m\u009b\u00ff\u00ed\u00a0\u0080' "json: C1 and invalid bytes as \\u00XX"
"$PYTHON" -c '
import json, sys
o = json.loads(open(sys.argv[1], "rb").read().decode("utf-8").split("\n")[0])
assert o["name"].endswith("ok \u273b caf\u00e9"), o["name"]
' "$T/out" || fail "json keeps valid UTF-8"
safe tty "ls on a terminal" script -qec "cm ls" /dev/null
safe text "status" cm status
safe text "show" cm show x
safe sgr "show -e" cm show -e x
assert_contains "$(cat "$T/out")" $'\e[1mbold\e[0m \e[31mred\e[m' "show -e keeps colours"
safe text "new" cm new -n x -- true
safe text "kill (error message)" cm kill x
assert_contains "$(cat "$T/err")" '\x1b]0;pwned' "kill's error, escaped"
safe text "log" cm log
safe text "watch" timeout 1 cm watch
assert_contains "$(cat "$T/out")" '\x1b]0;pwned' "watch printed the event"
safe json "watch --json" timeout 1 cm watch --json
assert_contains "$(cat "$T/out")" '"session":' "watch --json printed the event"
safe text "wait" cm wait -t 1 x idle
# send --wait that times out names the state the snapshot gave: escaped.
safe text "send --wait" cm send --wait -t 1 x hi
assert_contains "$(cat "$T/err")" 'to settle (it is \x1b]0;pwned' "send --wait's timeout, escaped"

# A hostile screen given to cm detect, which prints its prompt.
printf 'Run \033]0;x\007\033[2J\302\233\377?\n1. Yes\n2. No\n' >"$T/screen"
safe text "detect" cm detect "$T/screen"
safe json "detect --json" cm detect --json "$T/screen"
exit 0
