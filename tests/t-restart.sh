#!/usr/bin/env bash
# SIGTERM: the agent says bye, removes its socket (not its lock file) and
# exits; the sessions live on in tmux; the next agent adopts them with their
# names, commands, settings and states, and logs "adopted" events; commands
# work on adopted sessions; a watcher running across the restart reconnects
# by itself, prints a resync line and then the current state of each session.
. "$(dirname "$0")/lib.sh"
start_agent
cmd_ab='echo one; while read l; do echo "got:$l"; done'
cm new -n a.b -- sh -c "$cmd_ab" >/dev/null || fail "new a.b"
cm new -y -n plain -- cat >/dev/null || fail "new plain"
cm new -n ask -- sh -c 'printf "Proceed? [y/N] "; read a; echo "answer=$a"; sleep 60' >/dev/null ||
    fail "new ask"
cm wait a.b idle -t 5 || fail "a.b idle"
cm wait plain idle -t 5 || fail "plain idle"
cm wait ask confirm -t 5 || fail "ask confirm"
cm ls >"$T/ls.before"
old_inst=$(cm status | awk -F'\t' '$1 == "instance" { print $2 }')
start_watch "$T/watch"
start_watch "$T/watch.ab" a.b

# A client connected during the shutdown is told so.
exec {bye_fd}< <(printf '1 ping\n'; sleep 3)
cm bridge <&$bye_fd >"$T/bye.out" 2>&1 &
BG_PIDS+=($!)
wait_until 5 grep -q '^ok 1 pong' "$T/bye.out" || fail "bridge: $(cat "$T/bye.out")"

stop_agent
[ -e "$SOCK" ] && fail "socket left after SIGTERM"
[ -e "$SOCK.lock" ] || fail "the lock file should stay (by design)"
grep -q 'shutting down: SIGTERM' "$T/agent.log" || fail "no shutdown log"
grep -qx 'bye shutdown' "$T/bye.out" || fail "no 'bye shutdown': $(cat "$T/bye.out")"
# The sessions live on in tmux, a.b under tmux's own spelling a_b.
tmx ls -F '#{session_name}' >"$T/tmux.ls" || fail "tmux server gone"
assert_eq "$(sort "$T/tmux.ls" | tr '\n' ' ')" "a_b ask plain " "tmux sessions"
expect 1 "no agent on $SOCK (start one with 'cm agent')" cm ping
expect 1 "no agent on" cm ls

# The watchers keep trying meanwhile; a new agent takes over.
sleep 0.5
start_agent
new_inst=$(cm status | awk -F'\t' '$1 == "instance" { print $2 }')
[ "$new_inst" != "$old_inst" ] || fail "same instance after a restart"
# Adopted sessions are looked at afresh: starting until the first capture.
wait_until 5 sh -c '! cm ls | grep -q "	starting	"' || fail "still starting: $(cm ls)"
cm ls >"$T/ls.after"
# Same names, commands and states (ages may have moved on).
cut -f1-3 "$T/ls.before" | sort >"$T/a"
cut -f1-3 "$T/ls.after" | sort >"$T/b"
cmp -s "$T/a" "$T/b" || fail "sessions differ after the restart: $(diff "$T/a" "$T/b")"
grep -qF "a.b	idle	sh -c '$cmd_ab'" "$T/ls.after" || fail "a.b: $(cat "$T/ls.after")"
grep -q $'^ask\tconfirm\t' "$T/ls.after" || fail "ask not in confirm: $(cat "$T/ls.after")"
cm ls --json | grep '"name":"plain"' | grep -q '"autoconfirm":true' ||
    fail "plain lost its auto-confirm: $(cm ls --json)"
cm ls --json | grep '"name":"a.b"' | grep -q '"autoconfirm":false' ||
    fail "a.b got auto-confirm: $(cm ls --json)"
cm ls --json | grep '"name":"ask"' | grep -q '"detail":"Proceed? \[y/N\]"' ||
    fail "ask's prompt: $(cm ls --json)"
assert_eq "$(cm status | awk -F'\t' '$1 == "sessions" { print $2 }')" 3 "sessions in status"
grep -q 'adopted 3 sessions' "$T/agent.log" || fail "no adoption in the log"

# The new agent's "adopted" events, from its memory of events.
tok=$(cat "$TOKEN_FILE")
printf '1 auth %s\n2 watch since=0 instance=%s\n' "$tok" "$new_inst" |
    timeout 10 cm bridge --raw >"$T/replay"
for s in a.b plain ask; do
	grep -q "^event $new_inst [0-9]* [0-9]* $s adopted " "$T/replay" ||
	    fail "no adopted event for $s: $(cat "$T/replay")"
done

# The watchers came back on their own and said so, then the states.
wait_until 10 grep -q $'\t-\tresync\tagent restarted$' "$T/watch" ||
    fail "watcher did not resync: $(cat "$T/watch")"
wait_until 5 grep -q $'\t-\tresync\tagent restarted$' "$T/watch.ab" ||
    fail "filtered watcher did not resync: $(cat "$T/watch.ab")"
sed -n '/resync/,$p' "$T/watch" | sed -n '2,4p' | cut -f2,3 | sort >"$T/states"
printf 'a.b\tidle\nask\tconfirm\nplain\tidle\n' >"$T/want"
cmp -s "$T/states" "$T/want" || fail "states after resync: $(cat "$T/watch")"
sed -n '/resync/,$p' "$T/watch.ab" | sed -n '2p' | cut -f2,3 >"$T/states.ab"
assert_eq "$(cat "$T/states.ab")" "a.b	idle" "the filtered watcher's state line"
# Adopted sessions work: send, show, keys, kill.
cm send a.b after || fail "send to an adopted session"
wait_until 5 sh -c 'cm show a.b | grep -qx got:after' || fail "adopted session did not react: $(cm show a.b)"
cm send ask n || fail "answer the adopted prompt"
wait_until 5 sh -c 'cm show ask | grep -qx answer=n' || fail "ask: $(cm show ask)"
cm keys plain x y Enter || fail "keys to an adopted session"
wait_until 5 sh -c 'cm show plain | grep -qx xy' || fail "plain: $(cm show plain)"

# ... and they are live again.
wait_until 5 grep -q $'\ta.b\tworking' "$T/watch" || fail "watcher not live again"
wait_until 5 grep -q $'\task\tworking' "$T/watch" || fail "watcher missed ask"
grep -q $'\t\\(plain\\|ask\\)\t' "$T/watch.ab" && fail "filtered watcher saw others"
# Exactly one resync each.
assert_eq "$(grep -c resync "$T/watch")" 1 "resync lines"

# A second restart, by SIGINT this time: the same again.
kill -INT "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=
[ -e "$SOCK" ] && fail "socket left after SIGINT"
start_agent
wait_until 10 at_least 2 "$T/watch" - resync || fail "no second resync"
cm kill a.b || fail "kill an adopted session"
wait_until 5 grep -q $'\ta.b\texited\tkilled' "$T/watch" || fail "kill not seen"
tmx has-session -t =a_b 2>/dev/null && fail "a_b left in tmux"
assert_eq "$(cm ls | cut -f1 | sort | tr '\n' ' ')" "ask plain " "sessions left"
exit 0
