#!/usr/bin/env bash
# The config file: cm config --check names each bad line as FILE:LINE:
# message and exits 1; the agent applies autoconfirm and per-profile
# overrides (-y still wins); cm use stores the default host (keeping the
# other lines), CM_HOST and -H win, "local" means here; ls and status say
# which host they show when it is not this one.
. "$(dirname "$0")/lib.sh"
C=$XDG_CONFIG_HOME/cm
mkdir -p -m 700 "$XDG_CONFIG_HOME" "$C"
cat >"$T/bad" <<'F'
# a comment
autoconfirm maybe
host box   # trailing comment
colour on
done-after ten
notify-on confirm,bogus
profile nosuch autoconfirm on
use a b
F
printf 'host %02000d\n' 1 >>"$T/bad"
out=$(cm config --check "$T/bad" 2>&1); rc=$?
assert_eq "$rc" 1 "--check on a bad file"
assert_eq "$(printf '%s\n' "$out" | wc -l)" 7 "one line per bad line: $out"
assert_contains "$out" "cm: $T/bad:2: usage: autoconfirm on|off"
assert_contains "$out" "cm: $T/bad:4: unknown setting 'colour'"
assert_contains "$out" "cm: $T/bad:5: usage: done-after SECONDS"
assert_contains "$out" "cm: $T/bad:6: notify-on: unknown event 'bogus'"
assert_contains "$out" "cm: $T/bad:7: unknown profile 'nosuch'"
assert_contains "$out" "cm: $T/bad:8: usage: use"
assert_contains "$out" "cm: $T/bad:9: line longer than 1024 bytes"
cat >"$C/config" <<'F'
# mine
autoconfirm on
profile generic autoconfirm off
host box
done-after 5
F
cm config --check || fail "a good file"
cm config >"$T/cfg"
grep -qx $'autoconfirm\ton' "$T/cfg" && grep -qx $'profile\tgeneric autoconfirm off' "$T/cfg" &&
    grep -qx $'done-after\t5' "$T/cfg" && grep -qx $'use\tlocal' "$T/cfg" || fail "cm config: $(cat "$T/cfg")"

# The agent: autoconfirm on, but off for the generic profile; -y wins.
start_agent
cm new -n c1 --profile claude -- sh -c 'sleep 60' >/dev/null
cm new -n g1 -- sh -c 'sleep 60' >/dev/null
cm new -y -n g2 -- sh -c 'sleep 60' >/dev/null
ac() { cm ls --json | grep "\"name\":\"$1\"" | grep -o '"autoconfirm":[a-z]*'; }
assert_eq "$(ac c1)" '"autoconfirm":true' "autoconfirm on"
assert_eq "$(ac g1)" '"autoconfirm":false' "profile generic autoconfirm off"
assert_eq "$(ac g2)" '"autoconfirm":true' "-y wins"
grep -q 'unknown line\|unknown setting' "$T/agent.log" && fail "agent complained: $(grep unknown "$T/agent.log")"

# cm use.
assert_eq "$(cm use)" local "no default host"
cm use nosuchhost.invalid || fail "cm use HOST"
grep -qx 'use nosuchhost.invalid' "$C/config" || fail "not stored: $(cat "$C/config")"
grep -qx 'profile generic autoconfirm off' "$C/config" || fail "other lines lost"
assert_eq "$(cm use)" "nosuchhost.invalid	(from $C/config)" "cm use prints it"
out=$(CM_SSH_COMMAND="ssh -o BatchMode=yes" cm ls 2>&1) && fail "ls did not go to the default host: $out"
assert_contains "$out" "nosuchhost.invalid"
CM_HOST=local cm ls >/dev/null || fail "CM_HOST=local"
cm -H local ls >/dev/null || fail "-H local"
assert_eq "$(CM_HOST=other cm use)" "other	(from CM_HOST)" "CM_HOST wins"
cm use -x 2>/dev/null; assert_eq "$?" 2 "cm use -x"
cm use local || fail "cm use local"
grep -q '^use' "$C/config" && fail "use line left: $(cat "$C/config")"
assert_eq "$(cm use)" local "back to local"
cm ls >/dev/null || fail "local again"
assert_eq "$(ls "$C" | grep -c tmp)" 0 "no temp file left"

# ls and status say the host when it is not this one (a real ssh tunnel).
start_sshd "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME CM_TMUX_SOCKET=$CM_TMUX_SOCKET HOME=$HOME"
cm use box
cm status >"$T/st" || fail "status through box: $(cat "$T/st")"
assert_eq "$(head -1 "$T/st")" $'host\tbox' "status names the host"
cm ls --summary | grep -q '^box: ' || fail "summary: $(cm ls --summary)"
script -qfec "cm ls" /dev/null | head -1 | grep -q '^host box' || fail "ls on a terminal"
cm -H local status | grep -q '^host' && fail "local status names a host"
cm use local
# -H all reads the hosts as config.c does: the tail of a long comment is not
# a "host" line (its own 300-byte fgets took it as one and tried the host).
printf '#%0298dhost nowhere.invalid\n' 0 >"$C/config"
out=$(CM_SSH_COMMAND=false cm -H all ls 2>&1) && fail "-H all with no host"
assert_contains "$out" 'no "host NAME" lines' "-H all: $out"
rm -f "$C/config"
exit 0
