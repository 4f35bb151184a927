#!/usr/bin/env bash
# README's notification recipes, run as written against stubs of
# notify-send, tmux, curl and osascript (the bell is the real printf): one
# prompt left to the person reaches each, with the session in it.  And cm ls
# --summary, the status-bar line README puts in tmux.conf.
. "$(dirname "$0")/lib.sh"
start_agent
mkdir "$T/stubs"
for s in notify-send tmux curl osascript; do
	cat >"$T/stubs/$s" <<S
#!/bin/sh
# Record the call: the program's name, then one argument a line (a file
# per program: calls of different programs may run at once).
{ echo "== $s"; for a in "\$@"; do echo "\$a"; done; } >>"$T/rec-$s"
S
	chmod +x "$T/stubs/$s"
done
# The recipes: README's "cm watch --on" lines.
awk '/^## Be told/ { on = 1; next } /^## / { on = 0 } on && /^    \$ cm watch --on/' "$REPO/README.md" |
    sed 's/^    \$ //; s/ &$//' >"$T/recipes"
assert_eq "$(wc -l <"$T/recipes")" 5 "five recipes in README"
i=0
while IFS= read -r r; do
	i=$((i + 1))
	PATH="$T/stubs:$PATH" bash -c "exec $r" >"$T/out$i" 2>"$T/err$i" &
	BG_PIDS+=($!)
done <"$T/recipes"
sleep 0.5
cm new -n r1 -- sh -c 'printf "Continue? (yes/no) "; read a; sleep 60' >/dev/null
for s in notify-send tmux curl osascript; do
	wait_until 10 grep -qx "== $s" "$T/rec-$s" 2>/dev/null || fail "$s not called: $(cat "$T"/rec-* "$T"/err*)"
done
wait_until 5 grep -q $'\a' "$T/out2" || fail "no bell: $(od -c "$T/out2")"
sleep 0.5
# What each got.
cat "$T/rec-notify-send" >"$T/n"
assert_eq "$(sed -n 2p "$T/n")" "cm: r1" "notify-send title"
assert_eq "$(sed -n 3p "$T/n")" "confirm Continue? (yes/no)" "notify-send body"
cat "$T/rec-tmux" >"$T/t"
assert_eq "$(sed -n 2,3p "$T/t" | tr '\n' ' ')" "display-message cm: r1 confirm " "tmux"
grep -qx 'r1 confirm: Continue? (yes/no)' "$T/rec-curl" || fail "curl: $(cat "$T/rec-curl")"
grep -qx 'https://ntfy.sh/my-cm-topic' "$T/rec-curl" || fail "curl url"
tail -2 "$T/rec-osascript" | tr '\n' '|' | grep -qx 'cm: r1|confirm|' || fail "osascript: $(cat "$T/rec-osascript")"
for s in notify-send tmux curl osascript; do
	assert_eq "$(grep -cx "== $s" "$T/rec-$s")" 1 "$s called once"
done
stop_bg

# The status-bar line: one line, counts by state, then who needs you.
grep -q "^    set -g status-right '#(cm ls --summary 2>/dev/null)" "$REPO/README.md" || fail "tmux.conf line"
cm new -n w1 -- sh -c 'while :; do echo x; sleep 0.1; done' >/dev/null
cm new -n i1 -- sh -c 'printf "> "; read a; sleep 60' >/dev/null
cm wait w1 working -t 5 && cm wait i1 idle -t 5 || fail "states"
assert_eq "$(cm ls --summary)" "1 working · 1 idle · 1 needs you: r1 (confirm)" "summary"
cm kill w1; cm kill i1; cm kill r1
wait_until 5 sh -c '[ "$(cm ls --summary)" = "no sessions" ]' || fail "empty summary: $(cm ls --summary)"
out=$(cm ls --summary --json 2>&1); assert_eq "$?" 2 "--summary with --json"
exit 0
