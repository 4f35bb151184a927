#!/usr/bin/env bash
# Bad input gets a clear error line and costs nobody else anything: garbage,
# unknown verbs, bad escapes, NUL bytes, overlong lines, no auth, a wrong
# token.  The protocol is spoken by hand through cm bridge.
. "$(dirname "$0")/lib.sh"
start_agent
cm watch >"$T/watch" 2>&1 &
BG_PIDS+=($!)
tok=$(cat "$XDG_CONFIG_HOME/cm/token")

out=$(printf '1 auth %s\n2 ping\n3 frob\ngarbage\n4 send\n5 send x\\q y\n6 ls extra\n7 new name=bad!name -- cat\n8 keys x NotAKey\n9 ping\n' "$tok" | cm bridge --raw)
assert_contains "$out" "hello cm 1 "
assert_contains "$out" "ok 1"
assert_contains "$out" "ok 2 pong"
assert_contains "$out" "err 3 usage unknown\\sverb"
assert_contains "$out" "err garbage usage no\\sverb"
assert_contains "$out" "err 4 usage wrong\\snumber\\sof\\sarguments"
assert_contains "$out" "err 5 usage bad\\sescape"
assert_contains "$out" "err 6 usage"
assert_contains "$out" "err 7 usage bad\\ssession\\sname"
assert_contains "$out" "err 8 usage bad\\skey\\sname"
assert_contains "$out" "ok 9 pong"

# A NUL byte in a line.
out=$(printf '1 auth %s\n2 ping\0x\n3 ping\n' "$tok" | cm bridge --raw)
assert_contains "$out" "err 2 usage NUL\\sbyte\\sin\\sline"
assert_contains "$out" "ok 3 pong"

# An overlong line: an error, then the agent closes this connection.
out=$( (printf '1 auth %s\n' "$tok"; head -c 70000 /dev/zero | tr '\0' a; printf '\n2 ping\n') | cm bridge --raw)
assert_contains "$out" "err - toolong line\\slonger\\sthan\\s65536\\sbytes"
case "$out" in *"ok 2 pong"*) fail "served after an overlong line" ;; esac

# No authentication, then a wrong token.
out=$(printf '1 ls\n' | cm bridge --raw)
assert_contains "$out" "err 1 auth authenticate\\sfirst"
out=$(printf '1 auth 0123456789abcdef0123456789abcdef\n2 ls\n' | cm bridge --raw)
assert_contains "$out" "err 1 auth authentication\\sfailed"
case "$out" in *"ok 2"*) fail "served after a wrong token" ;; esac
grep -q 'authentication failed' "$T/agent.log" || fail "failure not logged"
grep -q "$tok" "$T/agent.log" && fail "the token is in the log"

# Escapes round-trip: a session named by hand, text with every kind of byte.
out=$(printf '1 auth %s\n2 new name=esc -- sh -c IFS=\\sread\\s-r\\sl;\\sprintf\\s%%s\\s"$l"\\s>%s/esc.out\n' "$tok" "$T" | cm bridge --raw)
assert_contains "$out" "ok 2 esc"
cm wait esc idle -t 5 || fail "esc idle"
printf '1 auth %s\n2 send esc a\\sb\\\\c\\x01é\\t enter\n' "$tok" | cm bridge --raw >/dev/null
wait_until 5 test -s "$T/esc.out" || fail "nothing typed"
printf 'a b\\c\001é' >"$T/want"
# A tty turns a tab into spaces on echo, but read gets it: compare bytes.
cmp -s <(tr -d '\t' <"$T/esc.out") "$T/want" || fail "bytes differ: $(od -c "$T/esc.out")"

# Resume: events after a sequence number are replayed, once, in order; an
# unknown instance or a sequence number from the future gets a resync.
cm wait esc exited -t 5 || fail "esc exited"
inst=$(cm status | awk -F'\t' '$1 == "instance" { print $2 }')
last=$(cm status | awk -F'\t' '$1 == "events" { print $2 }')
[ "$last" -ge 2 ] || fail "too few events: $last"
out=$(printf '1 auth %s\n2 watch since=1 instance=%s\n' "$tok" "$inst" | cm bridge --raw)
n=$(printf '%s\n' "$out" | grep -c '^event ')
assert_eq "$n" $((last - 1)) "replayed events"
printf '%s\n' "$out" | grep '^event ' | awk '{ print $3 }' >"$T/seqs"
seq 2 "$last" | cmp -s - "$T/seqs" || fail "replay order: $(cat "$T/seqs")"
assert_contains "$out" "ok 2 $last replay"
out=$(printf '1 auth %s\n2 watch since=1 instance=0000000000000000\n' "$tok" | cm bridge --raw)
assert_contains "$out" "ok 2 $last resync"
assert_contains "$out" "data 2 esc "
out=$(printf '1 auth %s\n2 watch since=999999 instance=%s\n' "$tok" "$inst" | cm bridge --raw)
assert_contains "$out" "ok 2 $last resync"

# --via: a command as the transport (here the local bridge, which logs in
# with this machine's token, so the client needs none).
CM_AGENT_TOKEN=ffffffffffffffffffff cm --via "cm bridge" ls | grep -q $'^esc\t' ||
    fail "--via cm bridge"
cm --via "cm bridge" -H x ls 2>/dev/null; assert_eq $? 2 "-H with --via"

# Through all of that, a healthy client was served and the watcher lives.
cm ping || fail "ping"
cm ls >/dev/null || fail "ls"
grep -q $'\tesc\tstarting' "$T/watch" || fail "watcher missed events"
exit 0
