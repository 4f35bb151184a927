#!/usr/bin/env bash
# Every labelled screen under tests/screens/ classifies as its label says.
# For each fixture, `cm detect` (built-in rules only, the capture's working
# directory as the session's) must print the labelled state, approving keys,
# deciding rule and, for a confirmation, auto-confirm's decision; a prompt
# labelled dangerous must never be allowed.  The states, keys and danger
# were labelled from the real programs (tests/screens/README.md), then the
# rule and decision columns recorded once checked by hand.  At the end every
# profile's group and every state must have been seen.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cm=$here/../cm
manifest=$here/screens/MANIFEST.tsv
dir=/opt/cli-capture/work/proj	# where the captured sessions ran
host=vm				# the capture machine: tmux's default title
[ -f "$manifest" ] || { echo "no $manifest"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cmscreens.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME=$tmp	# no user rules

pass=0 fail=0
declare -A seen_state seen_group
while IFS=$'\t' read -r path label state keys danger facts rule decision; do
	case "$path" in ''|'#'*) continue ;; esac
	file=$here/screens/${path#tests/screens/}
	group=${file#"$here"/screens/}
	group=${group%%/*}
	# claude/, or claude-2.1.332/ for a newer version beside it
	case "${group%%-[0-9]*}" in
	claude|codex|gemini|opencode|qwen|aider) profile=${group%%-[0-9]*} ;;
	*) profile=generic ;;
	esac
	args=(--host "$host" --dir "$dir" --profile "$profile")
	if [ -f "${file%.txt}.title" ]; then
		args+=(--title "$(<"${file%.txt}.title")")
	fi
	# What the agent knows beside the text: quiet=MS, cursor=ROW, dead.
	for f in ${facts:--}; do
		case "$f" in
		quiet=*) args+=(--quiet "${f#quiet=}") ;;
		cursor=*) args+=(--cursor "${f#cursor=}") ;;
		dead) args+=(--dead) ;;
		-) ;;
		*) echo "bad fact '$f' for $path"; fail=$((fail + 1)) ;;
		esac
	done
	# State, prompt, rule, decision: read without a fork per line.
	{ read -r got; read -r _; read -r got_rule; read -r got_decision; } \
	    < <("$cm" detect "${args[@]}" "$file")
	got_decision=${got_decision%% (*}	# the rule, without its reason
	[ "$state" = confirm ] || got_decision=-
	want=$state
	if [ "$state" = confirm ] && [ "$keys" != - ]; then
		want="$state $keys"
	fi
	why=
	[ "$got" = "$want" ] || why="state"
	[ "$got_rule" = "$rule" ] || why="$why rule"
	[ "$got_decision" = "$decision" ] || why="$why decision"
	if [ "$danger" = dangerous ] && [ "${got_decision%%:*}" = allow ]; then
		why="$why dangerous-allowed"
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf 'MISMATCH (%s) %s\n  label: %s\n  want:  %s | %s | %s\n  got:   %s | %s | %s\n' \
		    "${why# }" "$path" "$label" "$want" "$rule" "$decision" \
		    "$got" "$got_rule" "$got_decision"
	fi
	seen_state[$state]=1
	seen_group[$group]=1
done < "$manifest"

# The CLI's own permission mode (line 5 of cm detect) where the screen shows
# it: one that approves by itself (auto, bypass, accept-edits, yolo), one that
# asks (manual, plan), none (-).
while read -r path mode; do
	profile=${path%%/*}
	profile=${profile%%-[0-9]*}
	case $profile in claude|codex|gemini|aider) ;; *) profile=generic ;; esac
	got=$("$cm" detect --profile "$profile" "$here/screens/$path" |
	    sed -n 5p)
	if [ "$got" != "$mode" ]; then
		echo "MODE MISMATCH $path: want $mode, got $got"
		fail=$((fail + 1))
	fi
done <<'EOF'
claude-2.1.332/06-idle-auto-mode-default-notice.txt auto
claude-2.1.332/07-auto-mode-rm-rf.txt auto
claude-2.1.332/35-after-edit-accept-edits-on.txt accept-edits
claude-2.1.332/36-idle-footer-after-shift-tab-1.txt plan
claude-2.1.332/37-idle-footer-after-shift-tab-2.txt auto
claude-2.1.332/45-idle-bypass-permissions.txt bypass
claude-2.1.332/10-idle-manual-mode.txt manual
claude/27-after-edit-accept-edits-on.txt accept-edits
claude/08-idle-welcome.txt manual
codex-0.171.0/41-idle-yolo-mode.txt yolo
codex-0.171.0/12-idle-after-response.txt -
gemini/06-idle.txt manual
unix/01-bash-idle-empty.txt -
gemini/20-after-edit-allowed-for-session.txt accept-edits
EOF

total=$((pass + fail))
echo "screens: $pass of $total classified as labelled"
echo "groups: ${!seen_group[*]}; states: ${!seen_state[*]}"
for s in starting working idle confirm input error exited; do
	[ -n "${seen_state[$s]:-}" ] || { echo "no fixture in state $s"; fail=$((fail + 1)); }
done
for g in claude codex gemini opencode qwen unix; do
	[ -n "${seen_group[$g]:-}" ] || { echo "no fixture of $g"; fail=$((fail + 1)); }
done
[ "$total" -ge 60 ] || { echo "fewer than 60 fixtures"; fail=$((fail + 1)); }
[ "$fail" -eq 0 ]
