#!/usr/bin/env bash
# Hosts, as a script meets them: host:name works wherever a session is
# named, whatever -H says; with several hosts the host is the last column; a
# remote -C is checked as a local one is, and the default remote directory
# is the remote home; a remote setup that fails closes the ssh master it
# started; --via says what went wrong.
. "$(dirname "$0")/lib.sh"
R=$T/remote R2=$T/remote2
mkdir -p "$R/run" "$R/config" "$R/state" "$R2/run" "$R2/config" "$R2/state"
chmod 700 "$R/run" "$R2/run"
start_sshd "XDG_RUNTIME_DIR=$R/run XDG_CONFIG_HOME=$R/config XDG_STATE_HOME=$R/state CM_TMUX_SOCKET=$R/tmux.sock"
rhome=$(getent passwd "$(id -un)" | cut -d: -f6)	# ssh gives the real one
sed -e 's/^Host box$/Host other/' -e "s|$R/|$R2/|g" "$S/config" >"$S/config.other"
cat "$S/config.other" >>"$S/config"
RPID= RPID2=
remote_cleanup() {
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null
	[ -n "$RPID2" ] && kill "$RPID2" 2>/dev/null
	cm -H box tunnel close >/dev/null 2>&1
	cm -H other tunnel close >/dev/null 2>&1
	tmux -S "$R/tmux.sock" kill-server 2>/dev/null
	tmux -S "$R2/tmux.sock" kill-server 2>/dev/null
	pkill -f -- "-S $T/run/cm/ssh-" 2>/dev/null
}
trap 'rc=$?; stop_bg; remote_cleanup; (exit $rc); cleanup' EXIT

cm -H box new --no-wait -n fix -- sh -c 'pwd; sleep 60' >/dev/null || fail "new on box"
RPID=$(cm -H box status | awk -F'\t' '$1 == "pid" { print $2 }')
# The default directory there is the remote home.
wait_until 5 sh -c "cm -H box show fix | grep -qx '$rhome'" || fail "default remote dir: $(cm -H box show fix)"
cm -H box ls --json | grep -q "\"dir\":\"$rhome\"" || fail "recorded dir: $(cm -H box ls --json)"

RPID2=$(cm -H other status | awk -F'\t' '$1 == "pid" { print $2 }')
[ -n "$RPID2" ] && [ "$RPID2" != "$RPID" ] || fail "a second agent on other"

# host:name, whatever -H says.
cm -H box -H other show box:fix >/dev/null || fail "-H a -H b show b:fix"
mkdir -p "$XDG_CONFIG_HOME/cm"
printf 'host box\nhost other\n' >"$XDG_CONFIG_HOME/cm/config"
cm -H all show box:fix >/dev/null || fail "-H all show b:fix"
cm -H other show box:fix >/dev/null || fail "-H other show box:fix"
cm show box:fix >/dev/null || fail "show box:fix"

# Several hosts: the host is the last column, so $2 is the state in both.
cm -H box -H other ls >"$T/ls2" 2>/dev/null
grep -q $'^fix\t[a-z]*\t.*\tbox$' "$T/ls2" || fail "multi-host ls: $(cat "$T/ls2")"
assert_eq "$(cm -H box ls | awk -F'\t' '$1 == "fix" { print $2 }')" \
    "$(awk -F'\t' '$1 == "fix" { print $2 }' "$T/ls2")" "ls column 2, one host and two"

# A remote -C is checked there (refused if missing), as a local one.
cm -H box new -n nodir -C /does/not/exist -- sh >"$T/out" 2>"$T/err" && fail "missing remote -C accepted"
assert_contains "$(cat "$T/err")" "/does/not/exist" "message names the directory"
cm -H box ls | grep -q '^nodir' && fail "a session was left for a missing -C"
cm -H box new -n nocmd -- no-such-cli >/dev/null 2>"$T/err" && fail "missing remote command accepted"
assert_contains "$(cat "$T/err")" "no-such-cli: not found (PATH=" "remote not found"

# A failed setup (cm missing there) leaves no master behind.
cm -H other tunnel close >/dev/null 2>&1
CM_REMOTE_CM=/no/such/cm cm -H other ls 2>"$T/err" && fail "ls with no cm there"
cm -H other tunnel status >/dev/null 2>&1 && fail "a master was left after a failed setup"

# --via: in --help, and errors that say what happened.
cm --help | grep -q -- '--via' || fail "--via not in cm --help"
cm --via nosuchcmd-here ls 2>"$T/err" && fail "--via nosuchcmd"
assert_contains "$(cat "$T/err")" "nosuchcmd-here: not found" "--via not found"
cm --via false ls 2>"$T/err" && fail "--via false"
assert_contains "$(cat "$T/err")" "exited with status 1" "--via false"
printf '#!/bin/sh\necho "bridge: permission denied" >&2\nexit 3\n' >"$T/badvia"
chmod +x "$T/badvia"
cm --via "$T/badvia" ls 2>"$T/err" && fail "--via badvia"
assert_contains "$(cat "$T/err")" "exited with status 3 before the agent's greeting: bridge: permission denied" "--via stderr"
exit 0
