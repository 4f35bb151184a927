#!/usr/bin/env bash
# Smaller defects of issue 12 (9): -H with a bracketed IPv6 address gives ssh
# the address without brackets; the agent writes no core file and is not
# dumpable, while the programs it starts keep the user's core limit.
. "$(dirname "$0")/lib.sh"

# -H: what ssh is given (a fake ssh records its argv and fails).
cat >"$T/ssh" <<EOF
#!/bin/sh
echo "\$*" >>"$T/ssh.argv"
exit 255
EOF
chmod +x "$T/ssh"
export CM_SSH_COMMAND=$T/ssh
# hostarg SPEC: the destination and port ssh got for "cm -H SPEC tunnel".
hostarg() {
	rm -f "$T/ssh.argv"
	cm -H "$1" tunnel >/dev/null 2>&1
	head -n 1 "$T/ssh.argv" | awk '{
		for (i = 1; i <= NF; i++) {
			if ($i == "-p") port = $(i + 1)
			if ($i == "--") dest = $(i + 1)
		}
		print dest " " port
	}'
}
assert_eq "$(hostarg '[::1]:22')" "::1 22" "-H [::1]:22"
assert_eq "$(hostarg '[::1]')" "::1 " "-H [::1]"
assert_eq "$(hostarg 'me@[fe80::1%lo]:2222')" "me@fe80::1%lo 2222" "-H me@[v6%lo]:port"
assert_eq "$(hostarg '::1')" "::1 " "-H ::1 (a bare address has no port)"
assert_eq "$(hostarg 'box:2200')" "box 2200" "-H box:2200"
assert_eq "$(hostarg 'me@box')" "me@box " "-H me@box"
for bad in '[::1' '[::1]x' '[]:22' 'me@-oProxyCommand=x' 'a]b' '[::1]:'; do
	cm -H "$bad" tunnel >/dev/null 2>"$T/err" && fail "-H '$bad' accepted"
	grep -q "bad" "$T/err" || fail "-H '$bad': $(cat "$T/err")"
done
unset CM_SSH_COMMAND

# The agent: core limit 0, not dumpable; a session keeps the core limit
# the user had.  Dumpability shows in who owns /proc/PID/environ, so the
# agent runs as uid 65534 here (root only).
ulimit -c unlimited 2>/dev/null || ulimit -c 1024
want=$(ulimit -c)
# (Under make check, ASan would set the core limit to 0 itself.)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}disable_coredump=0
start_agent
grep -q '^Max core file size *0 ' "/proc/$AGENT_PID/limits" ||
    fail "agent's core limit: $(grep core "/proc/$AGENT_PID/limits")"
cm new -n c -- sh -c 'ulimit -c > "$0"; sleep 60' "$T/pane.core" >/dev/null
wait_until 5 test -s "$T/pane.core" || fail "pane did not write its limit"
assert_eq "$(cat "$T/pane.core")" "$want" "a session's core limit"
stop_agent
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	N=$T/nobody
	mkdir -p -m 700 "$N/run" "$N/home"
	chown -R 65534:65534 "$N"
	chmod 711 "$T"
	# A copy it can run wherever the checkout is (mktemp -d is 0700).
	cp "$REPO/cm" "$N/cm" && chmod 755 "$N/cm" || fail "copy cm"
	setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$N/home" \
	    XDG_RUNTIME_DIR="$N/run" XDG_CONFIG_HOME="$N/home/.config" \
	    XDG_STATE_HOME="$N/home/.state" CM_TMUX_SOCKET="$N/tmux.sock" \
	    "$N/cm" agent -f 2>"$T/nobody.log" &
	NPID=$!
	BG_PIDS+=("$NPID")
	wait_until 5 test -S "$N/run/cm/agent.sock" || fail "nobody's agent: $(cat "$T/nobody.log")"
	assert_eq "$(stat -c %u "/proc/$NPID/environ")" 0 "agent not dumpable (owner of /proc/PID/environ)"
	kill "$NPID"
	wait "$NPID" 2>/dev/null
fi

# new with more words than the tmux argv had room for (defect 1): refused
# with "err usage" past CM_ARGV_MAX (200), made at exactly 200, and the
# agent stays up.  Spoken through cm bridge, so that the client's own check
# does not hide the agent's.
start_agent
words() { seq "$1" | tr '\n' ' '; }
printf '1 new name=big -- echo %s\n2 ping\n' "$(words 250)" | cm bridge >"$T/out"
grep -q '^err 1 usage new:\\scommand\\sof\\smore\\sthan\\s200\\swords$' "$T/out" ||
    fail "250 words: $(cut -c1-200 "$T/out")"
grep -q '^ok 2 pong$' "$T/out" || fail "no pong after 250 words: $(cut -c1-200 "$T/out")"
printf '1 new name=big -- echo %s\n' "$(words 199)" | cm bridge >"$T/out"
grep -q '^ok 1 big$' "$T/out" || fail "200 words: $(cut -c1-200 "$T/out")"
assert_eq "$(cm ls | awk -F'\t' '$1 == "big" { print $3 }')" "echo $(words 198)199" "the 200-word command"
cm new -n big2 -- echo $(seq 250) 2>"$T/err" && fail "cm new took 250 words"
grep -q "the command has 251 words, more than 200" "$T/err" || fail "cm new message: $(cat "$T/err")"
cm ping || fail "agent gone after the big new"
stop_agent
exit 0
