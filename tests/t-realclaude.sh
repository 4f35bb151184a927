#!/usr/bin/env bash
# The real Claude Code, driven by cm with auto-confirm on, against a fake
# model server on 127.0.0.1 (tests/capture/fake-model.js).  The first turn's
# tool call is a safe Bash command: cm reports confirm, answers it exactly
# once, the command runs and Claude goes back to idle.  The second turn's tool
# call is "rm -rf build": it is refused, left on screen and logged, and build/
# survives.
#
# Claude is $CM_TEST_CLAUDE, else $CM_CLI_PREFIX/node_modules/.bin/claude
# (default prefix /opt/cli-capture; .ci/run installs it there).  It passes on
# the pinned 2.1.197 and on the newest, 2.1.332 (auto mode by default, four
# options, the command between ╌╌╌ rules):
#   npm install --prefix /opt/cli-new @anthropic-ai/claude-code@latest
#   CM_TEST_CLAUDE=/opt/cli-new/node_modules/.bin/claude ./tests/run t-realclaude.sh  Without it,
# or without node, or without a way to make a private network, the test
# exits 77 (skipped), unless CM_TEST_CLAUDE is set (as .ci/run does): then
# it fails.  The whole test runs in private network, pid and mount
# namespaces (unshare; root, or an unprivileged user namespace): only lo is
# up, so no packet can leave the machine, and everything started inside dies
# with the test.
set -u
skip() {
	if [ -n "${CM_TEST_CLAUDE:-}" ]; then
		echo "FAIL: $* (CM_TEST_CLAUDE is set: this test must run)"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

if [ -z "${CM_REALCLAUDE_NS:-}" ]; then
	CLAUDE=${CM_TEST_CLAUDE:-${CM_CLI_PREFIX:-/opt/cli-capture}/node_modules/.bin/claude}
	[ -x "$CLAUDE" ] || skip "no Claude Code at $CLAUDE (set CM_TEST_CLAUDE, or npm install --prefix ${CM_CLI_PREFIX:-/opt/cli-capture} @anthropic-ai/claude-code@2.1.197)"
	command -v node >/dev/null 2>&1 || skip "no node for the fake model server"
	command -v ip >/dev/null 2>&1 || skip "no ip(8) to bring up lo in a private network"
	export CLAUDE CM_REALCLAUDE_NS=1
	ns="-n -p -m --mount-proc --kill-child=SIGTERM"
	[ "$(id -u)" = 0 ] || ns="-r $ns"
	# shellcheck disable=SC2086
	unshare $ns true 2>/dev/null ||
	    skip "cannot make a private network namespace (unshare $ns)"
	# shellcheck disable=SC2086
	exec unshare $ns bash "$0" "$@"
fi

# Inside: pid 1 of a fresh pid namespace, with a network of lo only.
trap 'exit 143' TERM INT
ip link set lo up || { echo "FAIL: lo"; exit 1; }
. "$(dirname "$0")/lib.sh"

FAKE_PID=
# teardown: the tmux server and everything in it, the agent, the fake
# server; then anything left (Claude's children) is killed and reported.
teardown() {
	stop_bg
	stop_agent 2>/dev/null
	tmux -S "$CM_TMUX_SOCKET" kill-server 2>/dev/null
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	[ -n "$FAKE_PID" ] && wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
	ns_reap
}
trap 'rc=$?; teardown >/dev/null; (exit $rc); cleanup' EXIT

KEY=sk-ant-api03-FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0123456789abcdefXYZ
mkdir -p "$T/proj/build" "$T/tmp"
touch "$T/proj/build/out.o"
W=$(cd "$T/proj" && pwd -P)
# Onboarding done, the key approved, the directory trusted (as capture-ai.sh).
# Newer versions (2.1.3xx) default to auto mode, in which Claude runs
# commands without asking: the permission mode is set to "default" (ask),
# and their start-up question about auto mode marked as seen.
mkdir -p "$HOME/.claude"
cat >"$HOME/.claude.json" <<EOF
{
  "hasCompletedOnboarding": true,
  "lastOnboardingVersion": "2.1.197",
  "numStartups": 5,
  "hasSeenAutoDefaultNudge": true,
  "customApiKeyResponses": { "approved": ["${KEY: -20}"], "rejected": [] },
  "projects": { "$W": { "hasTrustDialogAccepted": true, "allowedTools": [] } }
}
EOF
echo '{"theme":"dark","permissions":{"defaultMode":"default"}}' \
    >"$HOME/.claude/settings.json"

# The fake model: its next answer is the first line of $T/script.
echo "text:Hello from the fake model." >"$T/script"
FAKE_CWD=$W start_fake "$T/fake.log"

start_agent
cm watch cl >"$T/watch" 2>&1 &
BG_PIDS+=($!)

# dump: what the session looks like, for failure messages.
dump() {
	echo "--- screen"
	cm show cl
	echo "--- title: $(tmux -S "$CM_TMUX_SOCKET" display -p -t cl '#{pane_title}' 2>&1)"
	echo "--- watch"
	events "$T/watch"
	echo "--- audit"
	cm log cl
	echo "--- fake server"
	cut -c1-200 "$T/fake.log" 2>/dev/null
}

t0=$(date +%s)
cm new -y -n cl -C "$W" --profile claude -- env \
    ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" ANTHROPIC_API_KEY="$KEY" \
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 \
    CLAUDE_CODE_MAX_RETRIES=0 CLAUDE_CODE_TMPDIR="$T/tmp" \
    TERM=xterm-256color LANG=C.UTF-8 \
    "$CLAUDE" >/dev/null || fail "cm new"
cm wait -t 30 cl idle >/dev/null || fail "Claude not idle: $(dump)"

# Turn 1: a safe command.
echo "bash:touch made-by-claude" >"$T/script"
cm send cl "make the marker file" || fail "send 1"
wait_until 30 grep -q $'\tcl\tauto-confirm' "$T/watch" || fail "no auto-confirm: $(dump)"
wait_until 15 test -e "$W/made-by-claude" || fail "touch did not run: $(dump)"
wait_until 15 sh -c 'cm show cl | grep -q "Done\."' || fail "no Done.: $(dump)"
cm wait -t 15 cl idle >/dev/null || fail "not idle after turn 1: $(dump)"
grep $'\tcl\tconfirm' "$T/watch" | grep -q 'touch made-by-claude' ||
    fail "no confirm event naming the command: $(dump)"
assert_eq "$(count "$T/watch" cl auto-confirm)" 1 "auto-confirmed once"
events "$T/watch" | awk -F'\t' '$2 == "auto-confirm" { a = 1 } a && $2 == "idle" { ok = 1 }
    END { exit !ok }' || fail "no idle after the auto-confirm: $(dump)"
# The answers in the audit log (a "stuck" note may come between: Claude
# took longer than CM_CONFIRM_CHECK_MS to redraw on a loaded machine).
cm log cl | grep -v $'\tcl\tstuck\t' >"$T/log1"
assert_eq "$(wc -l <"$T/log1")" 1 "audit entries after turn 1: $(cat "$T/log1")"
grep -q $'\tcl\tconfirmed\tallow:safe-command\t' "$T/log1" || fail "audit: $(cat "$T/log1")"
grep -q 'touch made-by-claude' "$T/log1" || fail "audit prompt: $(cat "$T/log1")"

# Turn 2: a dangerous one.
echo "bash:rm -rf build" >"$T/script"
cm send cl "clean the build dir" || fail "send 2"
wait_until 30 grep -q $'\tcl\tdenied' "$T/watch" || fail "no denial: $(dump)"
sleep 2 # time enough for a wrong answer to take effect
assert_eq "$(state cl)" confirm "left waiting"
test -e "$W/build/out.o" || fail "build/ was removed: $(dump)"
assert_eq "$(count "$T/watch" cl auto-confirm)" 1 "still one auto-confirm"
grep $'\tcl\tdenied' "$T/watch" | grep -q 'rule=deny:rm-recursive' || fail "rule not named: $(dump)"
cm log cl | grep -v $'\tcl\tstuck\t' >"$T/log2"
assert_eq "$(wc -l <"$T/log2")" 2 "audit entries after turn 2: $(cat "$T/log2")"
grep -q $'\tcl\tdenied\tdeny:rm-recursive\t\t.*rm -rf build' "$T/log2" || fail "audit: $(cat "$T/log2")"
cm show cl | grep -q 'Do you want to proceed' || fail "prompt gone: $(dump)"
echo "claude took $(( $(date +%s) - t0 ))s"

# Nothing may be left running: not Claude, nor anything it started.
teardown >"$T/left" || fail "left running: $(cat "$T/left")"
exit 0
