#!/usr/bin/env bash
# The profile is chosen through wrappers (env [-i] [VAR=..], npx/bunx/pnpm
# dlx package names, node .../cli.js, absolute paths, symlinks) and shown:
# cm ls has PROFILE and AUTOCONFIRM columns (with the expiry), ls --json the
# same and more, and cm confirm prints what it set.
. "$(dirname "$0")/lib.sh"
start_agent
B=$T/bin P=$T/lib/node_modules
mkdir -p "$B" "$P/@anthropic-ai/claude-code" "$P/@openai/codex" "$P/@google/gemini-cli"
fake='#!/bin/sh
echo "fake $0"; sleep 60'
for f in claude npx bunx pnpm node; do printf '%s\n' "$fake" >"$B/$f"; done
printf '%s\n' "$fake" >"$P/@anthropic-ai/claude-code/cli.js"
chmod +x "$B"/* "$P/@anthropic-ai/claude-code/cli.js"
ln -s "$P/@anthropic-ai/claude-code/cli.js" "$B/my-assistant"
E="PATH=$B:/usr/bin:/bin"
want() {	# want NAME PROFILE -- COMMAND...: made with that command, it gets that profile
	local name=$1 prof=$2
	shift 3
	cm new --no-wait -e "$E" -n "$name" -- "$@" >/dev/null || fail "new $name"
	got=$(cm ls | awk -F'\t' -v n="$name" '$1 == n { print $5 }')
	assert_eq "$got" "$prof" "profile of '$*'"
}
want e1 claude -- env FOO=1 claude --resume
want e2 claude -- env -i PATH="$B" HOME=/ claude
want e3 claude -- env -u HOME claude
want n1 claude -- npx -y @anthropic-ai/claude-code@2.1.197
want n2 codex -- bunx @openai/codex
want n3 gemini -- pnpm dlx @google/gemini-cli
want n4 claude -- node --no-warnings "$P/@anthropic-ai/claude-code/cli.js"
want a1 claude -- "$B/claude"
want s1 claude -- my-assistant
want g1 generic -- env FOO=1 sh
want g2 generic -- npx cowsay

# Auto-confirm, in ls and as cm confirm sets it.
out=$(cm confirm e1 on --for 2h) || fail "confirm on --for"
until=$(date -d @$(( $(date +%s) + 7200 )) +%H:%M)
until2=$(date -d @$(( $(date +%s) + 7260 )) +%H:%M)
case "$out" in
"e1: auto-confirm on until $until"|"e1: auto-confirm on until $until2") ;;
*) fail "confirm printed '$out'" ;;
esac
ac=$(cm ls | awk -F'\t' '$1 == "e1" { print $6 }')
assert_eq "e1: auto-confirm $ac" "$out" "ls shows what confirm set"
assert_eq "$(cm confirm e2 on)" "e2: auto-confirm on" "confirm on"
assert_eq "$(cm ls | awk -F'\t' '$1 == "e2" { print $6 }')" "on" "ls: on"
assert_eq "$(cm confirm e2 off)" "e2: auto-confirm off" "confirm off"
assert_eq "$(cm ls | awk -F'\t' '$1 == "e2" { print $6 }')" "off" "ls: off"
exit 0
