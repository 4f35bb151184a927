#!/usr/bin/env bash
# Text and arguments arrive exactly: no shell, no tmux parser in between.
. "$(dirname "$0")/lib.sh"
start_agent
reader() {	# reader NAME OUTFILE: a session that writes one line it reads
	cm new -n "$1" -- sh -c 'IFS= read -r l; printf %s "$l" > "$0"; sleep 60' "$2" >/dev/null
	cm wait "$1" idle -t 5 || fail "$1 idle"
}

text=$'quotes \' " semicolon ; \\; #{session_name} $HOME `id` \\back\\slash é ✳ %1 ~'
reader r1 "$T/r1"
cm send r1 "$text" || fail "send"
wait_until 5 test -s "$T/r1" || fail "nothing arrived"
assert_eq "$(cat "$T/r1")" "$text" "typed text"

reader r2 "$T/r2"
printf '%s\n' "from stdin; with #{pane_id}" | cm send r2 - || fail "send -"
wait_until 5 test -s "$T/r2" || fail "stdin text did not arrive"
assert_eq "$(cat "$T/r2")" "from stdin; with #{pane_id}" "stdin text"

reader r3 "$T/r3"
cm send -n r3 "no enter yet" || fail "send -n"
sleep 0.5
[ -s "$T/r3" ] && fail "Enter was pressed after send -n"
cm keys r3 Enter || fail "keys Enter"
wait_until 5 test -s "$T/r3" || fail "Enter did not arrive"
assert_eq "$(cat "$T/r3")" "no enter yet"

# Arguments reach the program as they are, whatever they hold.
cm new -n args -- sh -c 'printf "[%s]\n" "$@" > "$0"' "$T/args" 'a b' 'x;' '\;' \
    '#{session_name}' '' "it's" >/dev/null
wait_until 5 test -s "$T/args" || fail "args not written"
printf '[%s]\n' 'a b' 'x;' '\;' '#{session_name}' '' "it's" >"$T/want"
cmp -s "$T/args" "$T/want" || fail "argv differs: $(cat "$T/args")"

# A directory with '#', spaces and a quote in its name.
dir="$T/dir #{x} it's"
mkdir -p "$dir"
cm new -n cwd -C "$dir" -- sh -c 'pwd > "$0"' "$T/pwd" >/dev/null
wait_until 5 test -s "$T/pwd" || fail "pwd not written"
assert_eq "$(cat "$T/pwd")" "$dir" "working directory"

# --task is typed once the program first waits for input.
cm new -n task --task 'do the thing' -- sh -c 'echo hello; IFS= read -r l; printf %s "$l" > "$0"; sleep 60' "$T/task" >/dev/null
wait_until 10 test -s "$T/task" || fail "task not typed"
assert_eq "$(cat "$T/task")" "do the thing" "task text"
exit 0
