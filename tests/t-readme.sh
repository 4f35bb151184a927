#!/usr/bin/env bash
# README's quick start, run as written (every "    $ " line of its section,
# in order) in a fresh directory, with "claude" on PATH standing for the
# demo's stand-in CLI: every command succeeds, cm new prints what README
# shows, the safe prompt is answered, the rm -rf one left to the person and
# answered by cm keys, and the session ends idle with the build directory
# "left as it is".  README's first lines show cm demo.
. "$(dirname "$0")/lib.sh"
sed -n 3p "$REPO/README.md" | grep -qx '    \$ make && ./cm demo' || fail "README does not open with cm demo"
mkdir -p "$T/bin" "$T/work" "$T/tmp"
printf '#!/bin/sh\nexec cm fake-cli "$@"\n' >"$T/bin/claude"
chmod +x "$T/bin/claude"
awk '/^## Quick start/ { on = 1; next } /^## / { on = 0 } on && /^    \$ /' "$REPO/README.md" |
    sed 's/^    \$ //' >"$T/lines"
[ "$(wc -l <"$T/lines")" -ge 8 ] || fail "quick start: $(cat "$T/lines")"
{
	echo 'set -e'
	while IFS= read -r l; do
		printf 'echo "+ %s" >&2\n' "${l//\"/\\\"}"
		case $l in
		"cm new "*) printf '%s >"$OUT/new"\n' "$l" ;;
		"cm kill "*) printf 'cm show fix >"$OUT/final"\n%s\n' "$l" ;;
		*) printf '%s\n' "$l" ;;
		esac
	done <"$T/lines"
	echo 'kill $(jobs -p) 2>/dev/null; wait'
} >"$T/script"
(cd "$T/work" && OUT=$T PATH="$T/bin:$PATH" TMPDIR=$T/tmp timeout 100 bash "$T/script") >"$T/out" 2>&1
rc=$?
# The agent that "cm agent" left in the background.
pid=$(cm status 2>/dev/null | awk -F'\t' '$1 == "pid" { print $2 }')
[ -n "$pid" ] && AGENT_PID=$pid
[ "$rc" -eq 0 ] || fail "quick start failed ($rc): $(tail -30 "$T/out")"
assert_eq "$(cat "$T/new")" fix "cm new's output"
grep -q $'\tfix\tauto-confirm\t.*ls -la' "$T/out" || fail "safe prompt not answered: $(cat "$T/out")"
grep -Eq $'\tfix\t(denied|ask)\t.*rm -rf build' "$T/out" || fail "rm -rf not left to the person: $(cat "$T/out")"
grep -q 'I left the build directory as it is' "$T/final" || fail "cm keys fix 2 did not say no: $(cat "$T/final")"
grep -q $'^fix\tidle\t' "$T/out" || fail "ls: $(cat "$T/out")"
grep -q 'cm demo: a private agent' "$T/out" || fail "cm demo did not run"
exit 0
