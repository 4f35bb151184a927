#!/usr/bin/env bash
# cm -H through a real sshd on 127.0.0.1 with generated keys: the first
# command makes one ssh master and a forward; later commands reuse it (one
# login in all); the remote agent is started on demand; the token is in no
# argv; a watcher survives the master being killed and prints every event
# once; tunnel status and close work.
. "$(dirname "$0")/lib.sh"
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || fail "sshd is not installed (apt-get install openssh-server)"

S=$T/ssh R=$T/remote
mkdir -p "$S" "$R/run" "$R/config" "$R/state" /run/sshd
chmod 700 "$S" "$R/run"
ssh-keygen -q -t ed25519 -N '' -f "$S/host" || fail "host key"
ssh-keygen -q -t ed25519 -N '' -f "$S/id" || fail "user key"
cp "$S/id.pub" "$S/authorized_keys"
port=$(( 20000 + RANDOM % 20000 ))
cat >"$S/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
HostKey $S/host
AuthorizedKeysFile $S/authorized_keys
PidFile $S/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AcceptEnv CM_* XDG_*
LogLevel VERBOSE
CFG
"$SSHD" -f "$S/sshd_config" -D -e 2>"$T/sshd.log" &
BG_PIDS+=($!)
cat >"$S/config" <<CFG
Host box
  HostName 127.0.0.1
  Port $port
  User $(id -un)
  IdentityFile $S/id
  IdentitiesOnly yes
  UserKnownHostsFile /dev/null
  StrictHostKeyChecking no
  LogLevel ERROR
  SetEnv XDG_RUNTIME_DIR=$R/run XDG_CONFIG_HOME=$R/config XDG_STATE_HOME=$R/state CM_TMUX_SOCKET=$R/tmux.sock
CFG
export CM_SSH_COMMAND="ssh -F $S/config" CM_REMOTE_CM="$REPO/cm"
wait_until 5 ssh -F "$S/config" -o BatchMode=yes box true || fail "sshd not up: $(cat "$T/sshd.log")"
logins0=$(grep -c 'Accepted publickey' "$T/sshd.log")

RPID=
remote_cleanup() {
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null
	cm -H box tunnel close >/dev/null 2>&1
	tmux -S "$R/tmux.sock" kill-server 2>/dev/null
}
trap 'remote_cleanup; cleanup' EXIT

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
cm -H box new -n r2 -- sh -c 'echo two; read l' >/dev/null
wait_until 5 grep -q $'\tr2\tidle' "$T/watch" || fail "watch over ssh"
ctl=$(ls "$T/run/cm/" | grep -E '^ssh-[0-9a-f]{16}$')
ssh -F "$S/config" -S "$T/run/cm/$ctl" -O exit box 2>/dev/null ||
    fail "could not stop the master"
sleep 0.3
cm -H box new -n r3 -- sh -c 'echo three; read l' >/dev/null ||
    fail "new after the master died"
cm -H box send r3 x
wait_until 15 grep -q $'\tr3\texited' "$T/watch" ||
    fail "watcher did not come back: $(cat "$T/watch" "$T/watch.err")"
logins=$(( $(grep -c 'Accepted publickey' "$T/sshd.log") - logins0 ))
assert_eq "$logins" 2 "a new master after the old one died"
for ev in $'\tr3\tstarting' $'\tr3\tidle' $'\tr3\texited'; do
	assert_eq "$(grep -c "$ev" "$T/watch")" 1 "'$ev' printed once"
done
grep -q resync "$T/watch" && fail "resync where a replay was possible"

cm -H box tunnel close | grep -q closed || fail "tunnel close"
cm -H box tunnel status >/dev/null && fail "tunnel still up after close"
exit 0
