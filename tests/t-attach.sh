#!/usr/bin/env bash
# cm attach in a pty (script(1)): it attaches to the session on cm's own tmux
# server, detaching returns to the shell with status 0; with no name it picks
# the session that asked for the person last; inside a tmux client of the same
# server it switches that client instead of nesting; errors say what to do.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "SKIP: no script(1)"; exit 77; }
start_agent
tm() { tmux -S "$CM_TMUX_SOCKET" "$@"; }
# clients: the session of each terminal client of cm's server (not the
# agent's control clients); on NAME: one of them shows session NAME.
clients() { tm list-clients -F '#{?client_control_mode,,#{client_session}}' 2>/dev/null | grep .; }
on() { clients | grep -qx "$1"; }
# detach NAME: detach the terminal clients on session NAME.  Not
# "detach-client -s", which detaches the agent's control client too (cm
# then restarts it, and a command in that window fails).
detach() {
	local c
	for c in $(tm list-clients -F '#{?client_control_mode,,#{client_session} #{client_name}}' 2>/dev/null |
	    awk -v n="$1" '$1 == n { print $2 }'); do
		tm detach-client -t "$c" || return 1
	done
}
# pty CMD OUT: CMD in a pty, its stdin a fifo held open by this shell.
mkfifo "$T/fifo"
pty() {
	script -qfec "$1" /dev/null <"$T/fifo" >"$2" 2>&1 &
	BG_PIDS+=($!)
	[ -e /proc/self/fd/8 ] || exec 8>"$T/fifo"
}

cm new -n calm -- sh -c 'echo calm; sleep 60' >/dev/null
cm new -n ask1 -- sh -c 'printf "Continue? (yes/no) "; read a; sleep 60' >/dev/null
cm wait ask1 confirm -t 5 || fail "ask1 prompt"
sleep 0.2
cm new -n ask2 -- sh -c 'printf "Overwrite? [y/N] "; read a; sleep 60' >/dev/null
cm wait ask2 confirm -t 5 || fail "ask2 prompt"
cm new -n plain -- sh -c 'sleep 60' >/dev/null

# Not found, and not a terminal: errors with the next step.
out=$(cm attach nosuch 2>&1 </dev/null); assert_eq "$?" 1 "not found status"
assert_contains "$out" "session 'nosuch' not found"
out=$(cm attach calm 2>&1 </dev/null)
assert_contains "$out" "attach needs a terminal"

# By name, in a pty: a client on cm's server shows session calm.
pty "cm attach calm" "$T/pty1"
wait_until 5 on calm ||
    fail "no client on calm: $(clients) $(cat "$T/pty1")"
detach calm || fail "detach"
wait_until 5 eval '! on calm' ||
    fail "still attached"
grep -q 'detached' "$T/pty1" || fail "tmux did not say detached: $(cat "$T/pty1")"

# No name: ask2 asked last.
pty "cm attach; echo rc=\$?" "$T/pty2"
wait_until 5 on ask2 ||
    fail "no name did not pick ask2: $(clients) $(cat "$T/pty2")"
detach ask2
wait_until 5 grep -q 'rc=0' "$T/pty2" || fail "attach did not return 0: $(cat "$T/pty2")"
# ask1 is answered by hand: it does not wait any more; then ask2 still does.
cm send ask2 n
wait_until 5 sh -c '[ "$(cm ls | awk -F"\t" "\$1==\"ask2\" {print \$2}")" != confirm ]' ||
    fail "ask2 still confirm"
pty "cm attach" "$T/pty3"
wait_until 5 on ask1 ||
    fail "no name did not pick ask1 next: $(clients) $(cat "$T/pty3")"
detach ask1
cm send ask1 no
wait_until 5 sh -c '[ "$(cm ls | awk -F"\t" "\$1==\"ask1\" {print \$2}")" != confirm ]' ||
    fail "ask1 still confirm"
out=$(script -qfec "cm attach" /dev/null </dev/null 2>&1)
assert_contains "$out" "no session is waiting for you"

# Inside a tmux client of the same server: the client switches, no nesting.
tm new-session -d -s outer -x 80 -y 24 sh || fail "outer"
pty "tmux -S '$CM_TMUX_SOCKET' attach -t =outer" "$T/pty4"
wait_until 5 on outer ||
    fail "outer client"
tm send-keys -t outer "cm attach plain; echo switched=\$?" Enter
wait_until 5 on plain ||
    fail "client not switched to plain: $(clients) $(tm capture-pane -p -t outer)"
assert_eq "$(clients | wc -l)" 1 "one client, not a nested one"
wait_until 5 sh -c "tmux -S '$CM_TMUX_SOCKET' capture-pane -p -t outer | grep -q switched=0" ||
    fail "attach in tmux: $(tm capture-pane -p -t outer)"
tm kill-session -t =plain

# Inside another tmux server: a popup there, attached to cm's server.
O=$T/other.sock
tmux -S "$O" -f /dev/null new-session -d -s other -x 100 -y 30 sh || fail "other server"
pty "tmux -S '$O' attach -t =other" "$T/pty6"
wait_until 5 sh -c "tmux -S '$O' list-clients | grep -q ." || fail "other client"
tmux -S "$O" send-keys -t other "CM_TMUX_SOCKET='$CM_TMUX_SOCKET' $REPO/cm attach calm" Enter
wait_until 5 on calm || fail "no popup client on calm: $(clients) $(tmux -S "$O" capture-pane -p -t other)"
detach calm
tmux -S "$O" kill-server

# -H: ssh -t through the host's master to the far cm's attach (the far side
# is this machine, through a private sshd).
start_sshd "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME CM_TMUX_SOCKET=$CM_TMUX_SOCKET HOME=$HOME PATH=$REPO:/usr/bin:/bin"
cm -H box ls >/dev/null || fail "tunnel"
pty "cm -H box attach calm; echo rc=\$?" "$T/pty5"
wait_until 10 on calm || fail "-H attach: $(clients) $(cat "$T/pty5")"
detach calm
wait_until 5 grep -q 'rc=0' "$T/pty5" || fail "-H attach did not return 0: $(cat "$T/pty5")"
exec 8>&-
stop_bg
exit 0
