#!/usr/bin/env bash
# cm -H through a real sshd on 127.0.0.1 with generated keys: the first
# command makes one ssh master and a forward; later commands reuse it (one
# login in all); the remote agent is started on demand; the token is in no
# argv; a watcher survives the master being killed and prints every event
# once; tunnel status and close work.  (cm new --no-wait where the first
# second does not matter: this test is long.)
. "$(dirname "$0")/lib.sh"
R=$T/remote R2=$T/remote2
mkdir -p "$R/run" "$R/config" "$R/state" "$R2/run" "$R2/config" "$R2/state"
chmod 700 "$R/run" "$R2/run"
start_sshd "XDG_RUNTIME_DIR=$R/run XDG_CONFIG_HOME=$R/config XDG_STATE_HOME=$R/state CM_TMUX_SOCKET=$R/tmux.sock"
# A second "host": the same sshd, another agent with its own dirs and tmux.
sed -e 's/^Host box$/Host box2/' -e "s|$R/|$R2/|g" "$S/config" >"$S/config2"
cat "$S/config2" >>"$S/config"
logins0=$(grep -c 'Accepted publickey' "$T/sshd.log")

RPID= RPID2=
remote_cleanup() {
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null
	[ -n "$RPID2" ] && kill "$RPID2" 2>/dev/null
	cm -H box tunnel close >/dev/null 2>&1
	cm -H box2 tunnel close >/dev/null 2>&1
	tmux -S "$R/tmux.sock" kill-server 2>/dev/null
	tmux -S "$R2/tmux.sock" kill-server 2>/dev/null
	# Whatever master is left (a test cut short): by its control path.
	pkill -f -- "-S $T/run/cm/ssh-" 2>/dev/null
}
# Watchers first: they would make a new master for a dying tunnel.
trap 'rc=$?; stop_bg; remote_cleanup; (exit $rc); cleanup' EXIT

# No agent there yet: the first command starts one.
name=$(cm -H box new -n r1 -- sh -c 'echo hi; while read l; do echo "got:$l"; done') ||
    fail "new over ssh: $(cat "$T/sshd.log" | tail -3)"
assert_eq "$name" r1
RPID=$(cm -H box status | awk -F'\t' '$1 == "pid" { print $2 }')
[ -n "$RPID" ] || fail "no remote agent pid"
cm -H box wait r1 idle -t 10 || fail "wait over ssh"
cm -H box send r1 over-ssh || fail "send over ssh"
wait_until 5 sh -c 'cm -H box show r1 | grep -q got:over-ssh' || fail "show over ssh"
cm -H box ls | grep -q $'^r1\t' || fail "ls over ssh"
[ -S "$R/run/cm/agent.sock" ] || fail "remote agent socket not at the remote path"
cm ls 2>/dev/null && fail "a local agent answered: -H must not fall back"
tmux -S "$R/tmux.sock" has-session -t =r1 || fail "session not on the remote tmux"

# Any command that reaches a shell there is a transport: --via.
cm --via "ssh -F $S/config box $REPO/cm bridge" ls | grep -q $'^r1\t' ||
    fail "--via ssh ... cm bridge"
cm --via "ssh -F $S/config box $REPO/cm bridge" send r1 via-bridge ||
    fail "send --via"
wait_until 5 sh -c 'cm -H box show r1 | grep -q got:via-bridge' || fail "--via send arrived"
logins0=$((logins0 + 2))

# One ssh login served every command.
logins=$(( $(grep -c 'Accepted publickey' "$T/sshd.log") - logins0 ))
# One for the master; "ssh box true" above made the others.
assert_eq "$logins" 1 "ssh logins for all commands"
cm -H box tunnel status | grep -q $'^master\tup' || fail "tunnel status"

# The token is in no argv, here or there.
tok=$(cat "$R/config/cm/token")
for f in /proc/[0-9]*/cmdline; do
	tr '\0' ' ' <"$f" 2>/dev/null | grep -q "$tok" && fail "token in $f"
done

# A watcher through the tunnel survives the master dying.
cm -H box watch >"$T/watch" 2>"$T/watch.err" &
BG_PIDS+=($!)
sleep 0.5
cm -H box new --no-wait -n r2 -- sh -c 'echo two; read l' >/dev/null
wait_until 5 grep -q $'\tr2\tidle' "$T/watch" || fail "watch over ssh"
ctl=$(ls "$T/run/cm/" | grep -E '^ssh-[0-9a-f]{16}$')
pkill -KILL -f -- "-S $T/run/cm/$ctl .* -M " || fail "could not kill the master"
sleep 0.3
cm -H box new --no-wait -n r3 -- sh -c 'echo three; read l' >/dev/null ||
    fail "new after the master died"
cm -H box wait r3 idle -t 5 || fail "r3 idle"
cm -H box send r3 x
wait_until 15 grep -q $'\tr3\texited' "$T/watch" ||
    fail "watcher did not come back: $(cat "$T/watch" "$T/watch.err")"
logins=$(( $(grep -c 'Accepted publickey' "$T/sshd.log") - logins0 ))
assert_eq "$logins" 2 "a new master after the old one died"
for ev in $'\tr3\tstarting' $'\tr3\tidle' $'\tr3\texited'; do
	assert_eq "$(grep -c "$ev" "$T/watch")" 1 "'$ev' printed once"
done
grep -q resync "$T/watch" && fail "resync where a replay was possible"

# Two hosts: merged ls and watch with the host last (the other columns keep
# their numbers), placement by load,
# host:name addressing, and a host that is down does not stop the others.
cm -H box2 new --no-wait -n b1 -- sh -c 'echo b1; read l; echo "b1got:$l"; sleep 60' >/dev/null ||
    fail "new on box2"
RPID2=$(cm -H box2 status | awk -F'\t' '$1 == "pid" { print $2 }')
cm -H box -H box2 watch >"$T/merged" 2>&1 &
BG_PIDS+=($!)
cm ls -H box -H box2 >"$T/ls2" || fail "merged ls"
grep -q $'^r1\t.*\tbox$' "$T/ls2" || fail "merged ls lacks box: $(cat "$T/ls2")"
grep -q $'^b1\t.*\tbox2$' "$T/ls2" || fail "merged ls lacks box2: $(cat "$T/ls2")"
cm -H box -H box2 ls --json | grep -q '^{"host":"box2","name":"b1"' ||
    fail "merged ls --json"
# The hosts list in the config: -H all.
mkdir -p "$XDG_CONFIG_HOME/cm"
printf '# my machines\nhost box\nhost box2\n' >"$XDG_CONFIG_HOME/cm/config"
cm -H all ls | awk -F'\t' '{ print $NF "\t" $1 }' | sort >"$T/all"
grep -q $'^box2\tb1$' "$T/all" && grep -q $'^box\tr1$' "$T/all" ||
    fail "-H all: $(cat "$T/all")"
cm send box2:b1 hostname-addressing || fail "send host:name"
wait_until 5 sh -c 'cm show box2:b1 | grep -q b1got:hostname-addressing' ||
    fail "host:name did not reach box2"
# box is busy: the next session goes to box2.
cm -H box new --no-wait -n busy -- sh -c 'while :; do echo x; sleep 0.1; done' >/dev/null
cm -H box wait busy working -t 5 || fail "busy not working"
cm -H box2 wait b1 idle -t 5 || fail "b1 idle"
cm -H box -H box2 ls >"$T/ls4"; placed=$(cm -H box -H box2 new --no-wait -- cat) || fail "placed new"
assert_eq "$placed" box2:cat-1 "placement by load: $(cat "$T/ls4")"
wait_until 10 grep -q $'\tcat-1\tidle\t[^\t]*\tbox2$' "$T/merged" ||
    fail "merged watch: $(cat "$T/merged")"
grep -q $'\tbusy\tworking\t[^\t]*\tbox$' "$T/merged" || fail "merged watch lacks box"
cm -H box -H nowhere.invalid ls >"$T/ls3" 2>"$T/ls3.err" && fail "a down host went unreported"
grep -q $'^r1\t.*\tbox$' "$T/ls3" || fail "a down host stopped the others"
grep -q 'nowhere.invalid' "$T/ls3.err" || fail "down host not named: $(cat "$T/ls3.err")"

# A host without cm: a clear error, and how to fix it.
sed 's/^Host box2$/Host box3/' "$S/config2" >>"$S/config"
CM_REMOTE_CM=/no/such/cm cm -H box3 ls 2>"$T/nocm" && fail "ls worked with no cm there"
grep -q "'/no/such/cm' is not installed on box3 (install cm there, or set CM_REMOTE_CM" "$T/nocm" ||
    fail "message: $(cat "$T/nocm")"

cm -H box tunnel close | grep -q closed || fail "tunnel close"
cm -H box tunnel status >/dev/null && fail "tunnel still up after close"
exit 0
