#!/usr/bin/env bash
# Every labelled screen under tests/screens/ classifies as its label says:
# `cm detect` must print the labelled state and, for a confirmation, the
# labelled approving keys.  The labels (tests/screens/MANIFEST.tsv) were
# written from the real programs, not from cm's output.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cm=$here/../cm
manifest=$here/screens/MANIFEST.tsv
[ -f "$manifest" ] || { echo "no $manifest"; exit 1; }

pass=0 fail=0
declare -A seen_state seen_group
while IFS=$'\t' read -r path label state keys danger; do
	case "$path" in ''|'#'*|path) continue ;; esac
	file=$here/screens/${path#tests/screens/}
	group=${file#"$here"/screens/}
	group=${group%%/*}
	case "$group" in
	claude|codex|gemini|aider) profile=$group ;;
	*) profile=generic ;;
	esac
	args=(--profile "$profile")
	if [ -f "${file%.txt}.title" ]; then
		args+=(--title "$(cat "${file%.txt}.title")")
	fi
	got=$("$cm" detect "${args[@]}" "$file" | head -n 1)
	want=$state
	if [ "$state" = confirm ] && [ "$keys" != - ]; then
		want="$state $keys"
	fi
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf 'MISMATCH %s\n  label: %s\n  want:  %s\n  got:   %s\n' \
		    "$path" "$label" "$want" "$got"
	fi
	seen_state[$state]=1
	seen_group[$group]=1
done < "$manifest"

total=$((pass + fail))
echo "screens: $pass of $total classified as labelled"
echo "groups: ${!seen_group[*]}; states: ${!seen_state[*]}"
[ "$total" -gt 0 ] && [ "$fail" -eq 0 ]
