#!/usr/bin/env bash
# The protocol spoken by hand through "cm bridge --raw", logged in with the
# token from the token file.  Bad input -- garbage, unknown verbs, bad
# escapes, control and NUL bytes, too many fields, an overlong line -- gets an
# "err" line each, and costs nobody else anything: while and after it
# happens, ls, ping and a running watcher are served.  No authentication, or
# a wrong token: refused and closed.
. "$(dirname "$0")/lib.sh"
start_agent
start_watch "$T/watch"
tok=$(cat "$TOKEN_FILE") || fail "no token file"
[[ $tok =~ ^[0-9a-f]{64}$ ]] || fail "token is not 64 hex digits: '$tok'"

# raw LINES...: one connection, the lines sent at once (printf %b: \n, \0 and
# \x01 are bytes), stdin closed after them; prints what the agent said.
raw() {
	printf '%b' "$@" | timeout 20 cm bridge --raw
}

# healthy: another client is served right now.
healthy() {
	cm ping || fail "ping failed ($1)"
	cm ls >/dev/null || fail "ls failed ($1)"
}

# A persistent connection, fed through a fifo: conn_open NAME, conn_send NAME
# TEXT (printf %b), the answers accumulate in $T/NAME.out.
declare -A CONN_FD
conn_open() {
	mkfifo "$T/$1.in"
	bg sh -c 'exec cm bridge --raw <"$0" >"$1" 2>&1' "$T/$1.in" "$T/$1.out"
	CONN_PID[$1]=$!
	exec {fd}>"$T/$1.in"
	CONN_FD[$1]=$fd
}
declare -A CONN_PID
conn_send() {
	# In a subshell: if the agent has closed the connection (as it does
	# after an overlong line), the write's SIGPIPE ends only the subshell.
	(printf '%b' "$2" >&"${CONN_FD[$1]}") 2>/dev/null
}
conn_close() {
	exec {CONN_FD[$1]}>&-
}
# conn_has NAME TEXT: the answers so far contain TEXT (a whole line).
conn_has() {
	grep -qxF -- "$2" "$T/$1.out"
}
conn_wait() {	# conn_wait NAME LINE [SECONDS]
	wait_until "${3:-5}" conn_has "$1" "$2" ||
	    fail "$1: no line '$2' in: $(cat "$T/$1.out")"
}

# --- One connection, many mistakes, each answered, the connection kept.
conn_open a
conn_wait a "$(printf 'hello cm 1 %s' "$(cm status | awk -F'\t' '$1 == "instance" { print $2 }')")"
conn_send a "1 auth $tok\n"
conn_wait a "ok 1"
conn_send a "2 ping\n"
conn_wait a "ok 2 pong"
conn_send a "3 frob\n"
conn_wait a 'err 3 usage unknown\sverb'
conn_send a "garbage\n"
conn_wait a 'err garbage usage no\sverb'
conn_send a '!!!! ping\n'
conn_wait a 'err - usage bad\srequest\sid\s(1-16\sof\sA-Z\sa-z\s0-9\s_\s.\s-\s:)'
conn_send a "\n"
conn_wait a 'err - usage empty\sline'
conn_send a '4 send x\\q y\n'
conn_wait a 'err 4 usage bad\sescape'
conn_send a '5 send x a\\x4\n'
conn_wait a 'err 5 usage bad\sescape'
conn_send a '6 send x a\\xZZ\n'
conn_wait a 'err 6 usage bad\sescape'
conn_send a '7 send x trailing\\\n'
conn_wait a 'err 7 usage bad\sescape'
conn_send a '8 ping\0x\n'
conn_wait a 'err 8 usage NUL\sbyte\sin\sline'
conn_send a '9 ping\x01\n'
conn_wait a 'err 9 usage control\sbyte\sin\sline\s(escape\sit)'
conn_send a "10 ping extra\n"
conn_wait a 'err 10 usage wrong\snumber\sof\sarguments'
conn_send a "11 send\n"
conn_wait a 'err 11 usage wrong\snumber\sof\sarguments'
conn_send a "12 new name=bad!name -- cat\n"
conn_wait a 'err 12 usage bad\ssession\sname'
conn_send a "13 keys x NotAKey\n"
conn_wait a 'err 13 usage bad\skey\sname'
conn_send a "14 new dir=relative -- cat\n"
conn_wait a 'err 14 usage new:\sdir\smust\sbe\san\sabsolute\spath'
conn_send a "15 new name=x --\n"
conn_wait a 'err 15 usage new:\sno\scommand'
conn_send a "16 show nope\n"
conn_wait a "err 16 notfound session\\s'nope'\\snot\\sfound"
conn_send a "17 send x $(head -c 32769 /dev/zero | tr '\0' a)\n"
conn_wait a 'err 17 usage send:\stext\stoo\slong'
conn_send a "18 ls $(seq -s ' ' 1 300)\n"
conn_wait a 'err 18 usage too\smany\sfields'
conn_send a "19 auth $tok\n"
conn_wait a "ok 19"
conn_send a "20 ping\r\n"
conn_wait a "ok 20 pong"
# Half an overlong line, then a pause: everyone else is served meanwhile.
conn_send a "21 ping $(head -c 40000 /dev/zero | tr '\0' ' ')"
healthy "during a half-sent line"
conn_send a "$(head -c 30000 /dev/zero | tr '\0' b)\n22 ping\n"
conn_wait a 'err - toolong line\slonger\sthan\s65536\sbytes'
# ... and the connection is closed after the answer: the bridge ends.
wait_until 5 sh -c "! kill -0 ${CONN_PID[a]} 2>/dev/null" ||
    fail "connection not closed after an overlong line"
conn_has a "ok 22 pong" && fail "served after an overlong line"
conn_close a
# Every error line above: one per mistake, nothing else.
grep -c '^err ' "$T/a.out" >"$T/n"
assert_eq "$(cat "$T/n")" 20 "err lines: $(cat "$T/a.out")"
healthy "after the mistakes"

# The limit exactly: a line of 65535 bytes and its newline is fine, one more
# byte is not.
pad=$(head -c $((65535 - 6)) /dev/zero | tr '\0' ' ')
out=$(raw "1 auth $tok\n" "2 ping$pad\n" "3 ping\n")
assert_contains "$out" "ok 2 pong" "a line of 65535 bytes"
assert_contains "$out" "ok 3 pong"
out=$(raw "1 auth $tok\n" "2 ping$pad \n" "3 ping\n")
assert_contains "$out" "err - toolong line\\slonger\\sthan\\s65536\\sbytes" "65536 bytes"
assert_not_contains "$out" "ok 3 pong"
# An overlong line of a single field, sent in one go, as the brief has it.
out=$( (printf '1 auth %s\n' "$tok"; head -c 70000 /dev/zero | tr '\0' a; printf '\n2 ping\n') |
    timeout 20 cm bridge --raw)
assert_contains "$out" "err - toolong line\\slonger\\sthan\\s65536\\sbytes"
assert_not_contains "$out" "ok 2 pong" "served after an overlong line"

# Many requests in one write: every one answered, in order.
out=$( (printf '1 auth %s\n' "$tok"; for i in $(seq 2 2001); do printf '%d ping\n' "$i"; done) |
    timeout 20 cm bridge --raw)
assert_eq "$(printf '%s\n' "$out" | grep -c '^ok [0-9]* pong$')" 2000 "pipelined pings"
printf '%s\n' "$out" | grep '^ok [0-9]* pong$' | awk '{ print $2 }' | cmp -s - <(seq 2 2001) ||
    fail "pipelined answers out of order"

# --- No authentication: refused and closed.
out=$(raw "1 ls\n2 ping\n")
assert_contains "$out" "err 1 auth authenticate\\sfirst"
assert_not_contains "$out" "ok 2" "served before authentication"
out=$(raw "garbage line here\n1 auth $tok\n2 ping\n")
assert_contains "$out" "err garbage usage"
assert_not_contains "$out" "ok 2" "served after garbage before authentication"
out=$(raw "1 auth\n2 ping\n")
assert_contains "$out" "err 1 usage wrong\\snumber\\sof\\sarguments"
assert_not_contains "$out" "ok 2"
# The closing is the agent's doing: stdin still open, the bridge ends.
conn_open u
conn_send u "1 ls\n"
conn_wait u 'err 1 auth authenticate\sfirst'
wait_until 5 sh -c "! kill -0 ${CONN_PID[u]} 2>/dev/null" ||
    fail "unauthenticated connection not closed"
conn_close u
healthy "after unauthenticated requests"

# --- A wrong token: refused, then closed after a delay.
conn_open w
conn_send w "1 auth 0123456789abcdef0123456789abcdef\n2 ls\n"
conn_wait w 'err 1 auth authentication\sfailed'
wait_until 8 sh -c "! kill -0 ${CONN_PID[w]} 2>/dev/null" ||
    fail "connection with a wrong token not closed"
conn_has w "ok 2 0" && fail "served after a wrong token"
grep -q '^ok 2' "$T/w.out" && fail "served after a wrong token: $(cat "$T/w.out")"
conn_close w
# The token of the right length but one digit off.
bad=${tok%?}$( [ "${tok: -1}" = 0 ] && echo 1 || echo 0 )
out=$(raw "1 auth $bad\n2 ping\n")
assert_contains "$out" "err 1 auth authentication\\sfailed" "token one digit off"
assert_not_contains "$out" "ok 2"
CM_AGENT_TOKEN=ffffffffffffffffffffffffffffffff cm ls 2>"$T/err" && fail "cm ls with a wrong token"
assert_contains "$(cat "$T/err")" "authentication failed"
grep -q 'authentication failed' "$T/agent.log" || fail "failure not logged"
grep -qF "$tok" "$T/agent.log" && fail "the token is in the log"
healthy "after wrong tokens"

# cm bridge without --raw logs in by itself: its client needs no token.
out=$(printf '1 ping\n' | timeout 10 cm bridge)
assert_contains "$out" "hello cm 1 "
assert_contains "$out" "ok 1 pong" "cm bridge logs in"
assert_not_contains "$out" "$tok" "cm bridge shows the token"

# --- Escapes round-trip: a session made by hand, with every kind of byte.
out=$(raw "1 auth $tok\n" "2 new name=esc -- sh -c IFS=\\\\sread\\\\s-r\\\\sl;\\\\sprintf\\\\s%s\\\\s\"\$l\"\\\\s>\$0;\\\\ssleep\\\\s60 $T/esc.out\n")
assert_contains "$out" "ok 2 esc"
cm wait esc idle -t 5 || fail "esc idle"
raw "1 auth $tok\n" '2 send esc a\\sb\\\\c\\x01\xc3\xa9\\t enter\n' >"$T/send.out"
grep -qx 'ok 2' "$T/send.out" || fail "send: $(cat "$T/send.out")"
wait_until 5 test -s "$T/esc.out" || fail "nothing typed"
# The tty's line discipline takes ^A and the tab as typed; read gets them.
printf 'a b\\c\001\303\251\t' >"$T/want"
cmp -s "$T/esc.out" "$T/want" || fail "bytes differ: $(od -c "$T/esc.out")"
# get: the record with the command shell-quoted and escaped.
out=$(raw "1 auth $tok\n" "2 get esc\n")
assert_contains "$out" "ok 2 esc "
assert_contains "$out" " sh\\s-c\\s'IFS=\\sread"
assert_contains "$out" " generic"

# --- Events: the format, and resume.
cm wait esc idle -t 5 || fail "esc idle after the send"
inst=$(cm status | awk -F'\t' '$1 == "instance" { print $2 }')
last=$(cm status | awk -F'\t' '$1 == "events" { print $2 }')
[ "$last" -ge 3 ] || fail "too few events: $last"
out=$(raw "1 auth $tok\n" "2 watch since=0 instance=$inst\n")
printf '%s\n' "$out" | grep '^event ' >"$T/ev"
assert_eq "$(wc -l <"$T/ev")" "$last" "replayed events"
awk '{ print $3 }' "$T/ev" | cmp -s - <(seq 1 "$last") || fail "replay order: $(cat "$T/ev")"
assert_contains "$out" "ok 2 $last replay"
grep -qE "^event $inst 1 [0-9]{13} esc starting sh\\\\s-c\\\\s" "$T/ev" ||
    fail "event format: $(head -n 2 "$T/ev")"
grep -qE "^event $inst [0-9]+ [0-9]{13} esc idle \\\\-$" "$T/ev" ||
    fail "an empty detail is \\-: $(cat "$T/ev")"
out=$(raw "1 auth $tok\n" "2 watch since=1 instance=0000000000000000\n")
assert_contains "$out" "ok 2 $last resync"
assert_contains "$out" "data 2 esc "
out=$(raw "1 auth $tok\n" "2 watch since=999999 instance=$inst\n")
assert_contains "$out" "ok 2 $last resync"
out=$(raw "1 auth $tok\n" "2 watch snapshot esc\n")
assert_contains "$out" "data 2 esc idle "
assert_contains "$out" "ok 2 $last snapshot"
out=$(raw "1 auth $tok\n" "2 watch since=abc\n")
assert_contains "$out" "err 2 usage watch:\\sbad\\ssince"
out=$(raw "1 auth $tok\n" "2 watch\n3 unwatch\n4 ping\n")
assert_contains "$out" "ok 2 $last live"
assert_contains "$out" "ok 3"
assert_contains "$out" "ok 4 pong"

# Through all of that, the watcher kept going and saw every event.
cm kill esc || fail "kill esc"
wait_until 5 has_event "$T/watch" esc exited killed || fail "watcher missed the kill"
events "$T/watch" | cut -f1,2 | tr '\n' ' ' >"$T/seen"
assert_eq "$(cat "$T/seen")" "esc	starting esc	idle esc	working esc	idle esc	exited " "what the watcher saw"
assert_eq "$(wc -l <"$T/watch")" "$(cm status | awk -F'\t' '$1 == "events" { print $2 }')" \
    "watcher line count vs events"
kill -0 "${BG_PIDS[0]}" || fail "the watcher died"
healthy "at the end"
exit 0
