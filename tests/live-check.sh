#!/usr/bin/env bash
# Live cross-check of cm's classifier on the real Codex CLI, Gemini CLI,
# opencode and Qwen Code (not part of `make test`: run it by hand, as root or
# with unprivileged user namespaces; it takes 30 to 60 s a CLI and is cut
# off at 80 s a CLI).  Checked live with the versions the fixtures come from:
# Codex 0.169.0, Gemini CLI 0.61.0, opencode 1.18.33 and Qwen Code 0.24.4
# (npm install --prefix /opt/cli-capture @openai/codex@0.169.0
# @google/gemini-cli@0.61.0 opencode-ai@1.18.33 @qwen-code/qwen-code@0.24.4).
#
#   tests/live-check.sh [codex] [gemini] [opencode] [qwen]   (default: all)
#
# LIVE_ENTER_DELAY=MS runs the CLIs with that Enter delay instead of their
# profiles' own (a profile file per CLI), to see how much of it they need.
#
# Like t-realclaude.sh, it runs in private network, pid and mount namespaces
# (only lo is up; a tmpfs /tmp; everything started inside dies with it),
# starts tests/capture/fake-model.js and a private cm agent, and for each CLI
# runs `cm new -y --profile CLI` with the configuration capture-ai.sh uses,
# then drives these turns through cm (opencode and Qwen Code configured as
# capture-oai.sh does: opencode's opencode.json with the fake provider and
# "permission": {"bash": "ask", "edit": "ask"}; Qwen Code with
# OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL and --approval-mode default):
#   1 text    a plain answer                 expect working, then idle once
#             the answer is shown (opencode's first request comes ~10 s
#             after the Enter: it is working meanwhile)
#   2 safe    a tool call that prompts       expect confirm, auto-confirm once,
#             (`touch made-by-CLI`)              working, idle; the command ran
#             Codex: an exec-policy rule (~/.codex/rules/default.rules) makes
#             it ask before `touch` (with capture-ai.sh's config alone it
#             asks only about rm -f/-rf and escalations, and 0.169 refuses
#             approval_policy = "untrusted"); its prompt has a "Reason:",
#             which cm leaves to the person: expect denied (sandbox)
#  2x escal   codex only: the same kind of command asking to leave the sandbox
#             (bashx:)                       expect confirm, denied (sandbox)
#   3 rm      `rm -rf build`                 expect confirm, denied; build/ stays
#   4 error   error:401                      expect error
# While it runs, the pane is sampled every 30 ms (capture-pane -p and
# #{pane_title}); every distinct frame is saved and classified with
# `cm detect --profile CLI --title TITLE --dir PROJ`.
#
# Output (LIVE_OUT, default /var/tmp/cm-live-check.PID), per CLI:
#   CLI/frames/NNNNN.txt, .title   every distinct sampled frame
#   CLI/samples    one line per sample: epoch, frame, state keys, rule, decision
#   CLI/marks      when each turn started
#   CLI/summary    the watch events per turn, one line per turn
#   CLI/suspects   frames whose verdict disagrees with the title/screen hints
#   CLI/cli-log    opencode's and Qwen Code's own logs
#   watch          the whole `cm watch` stream
# Results of the checks are printed as "ok"/"BAD" lines; the exit status is 0
# when every check passed, 1 otherwise.
set -u
PFX=${CM_CLI_PREFIX:-/opt/cli-capture}
BIN=$PFX/node_modules/.bin

if [ -z "${CM_LIVECHECK_NS:-}" ]; then
	[ $# -gt 0 ] || set -- codex gemini opencode qwen
	for c in "$@"; do
		case $c in
		codex | gemini | opencode | qwen) ;;
		*) echo "live-check: no such CLI: $c (codex, gemini, opencode, qwen)"; exit 2 ;;
		esac
		[ -x "$BIN/$c" ] || { echo "live-check: no $BIN/$c"; exit 1; }
	done
	command -v node >/dev/null || { echo "live-check: no node"; exit 1; }
	command -v ip >/dev/null || { echo "live-check: no ip(8)"; exit 1; }
	REPO=$(cd "$(dirname "$0")/.." && pwd)
	make -C "$REPO" -s cm || exit 1
	LIVE_OUT=${LIVE_OUT:-/var/tmp/cm-live-check.$$}
	mkdir -p "$LIVE_OUT" || exit 1
	export LIVE_OUT CM_LIVECHECK_NS=1
	ns="-n -p -m --mount-proc --kill-child=SIGTERM"
	[ "$(id -u)" = 0 ] || ns="-r $ns"
	echo "live-check: output in $LIVE_OUT"
	# 80 s a CLI, the inner watchdog 15 s before that
	export CM_LIVECHECK_SECS=$((80 * $# + 15))
	# shellcheck disable=SC2086
	exec timeout -s TERM $((CM_LIVECHECK_SECS + 15)) unshare $ns bash "$0" "$@"
fi

# Inside: pid 1 of a fresh pid namespace, network of lo only.
trap 'exit 143' TERM INT
ip link set lo up || { echo "live-check: lo"; exit 1; }
# A private /tmp: Codex keeps its app-server daemon's sockets in
# /tmp/codex-daemon-UID, and stale ones from another run would block it.
mount -t tmpfs -o mode=1777 live-tmp /tmp || { echo "live-check: tmpfs"; exit 1; }
export TZ=UTC LANG=${LANG:-C.UTF-8}
. "$(dirname "$0")/lib.sh"
WANT=${*:-codex gemini opencode qwen}
OUT=$LIVE_OUT
BAD=0
SAMPLER=
WATCHDOG=
FAKE_PID=

# A watchdog: the whole run ends by itself before timeout(1) kills it.
(sleep "${CM_LIVECHECK_SECS:-165}"; echo "live-check: out of time"; kill -TERM $$) &
WATCHDOG=$!
stop_watchdog() {
	[ -n "$WATCHDOG" ] || return 0
	kill $(pgrep -P "$WATCHDOG") "$WATCHDOG" 2>/dev/null
	wait "$WATCHDOG" 2>/dev/null
	WATCHDOG=
}

teardown() {
	[ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null && wait "$SAMPLER" 2>/dev/null
	SAMPLER=
	stop_bg
	stop_agent 2>/dev/null
	tmux -S "$CM_TMUX_SOCKET" kill-server 2>/dev/null
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
	stop_watchdog
	ns_reap
}
trap 'rc=$?; teardown >"$T/left" || { echo "BAD: left running (killed):"; cat "$T/left"; rc=1; }; (exit $rc); cleanup' EXIT

ok() { echo "  ok   $*"; }
bad() { echo "  BAD  $*"; BAD=1; }
check() { # check TEXT COMMAND...: ok or BAD
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}

# The project: a git repo with hello.txt staged, build/out.o, README.md.
mkdir -p "$T/proj/build"
W=$(cd "$T/proj" && pwd -P)
(cd "$W" && git init -q && printf 'hello world\n' >hello.txt && touch build/out.o &&
    printf '# demo\nA tiny demo project.\n' >README.md && git add hello.txt)

echo "text:Hello from the fake model." >"$T/script"
FAKE_CWD=$W start_fake "$OUT/fake.log"
URL=http://127.0.0.1:$PORT
CLIPATH=$BIN:$(dirname "$(command -v node)"):/usr/local/bin:/usr/bin:/bin

# LIVE_ENTER_DELAY=MS: try another Enter delay (a profile file that
# changes each CLI's built-in one), to see how much of it is needed.
if [ -n "${LIVE_ENTER_DELAY:-}" ]; then
	mkdir -m 700 "$XDG_CONFIG_HOME" "$XDG_CONFIG_HOME/cm" "$XDG_CONFIG_HOME/cm/profiles"
	for c in $WANT; do
		echo "enter-delay $LIVE_ENTER_DELAY" >"$XDG_CONFIG_HOME/cm/profiles/$c"
	done
	echo "live-check: enter-delay $LIVE_ENTER_DELAY ms instead of the profiles' own"
fi
start_agent
cm watch >"$OUT/watch" 2>&1 &
BG_PIDS+=($!)

# sampler NAME PROFILE DIR: every 30 ms, the pane's text and title in one
# tmux call; each distinct frame is saved and classified once.
sampler() {
	local s=$1 p=$2 d=$3 prev= id=0 fn=- v= n title
	local -a l
	mkdir -p "$d/frames"
	# sleep without a fork: read with a timeout on a fifo nobody writes
	mkfifo "$d/tick"
	exec 9<>"$d/tick"
	while :; do
		if tmux -S "$CM_TMUX_SOCKET" capture-pane -p -t "$s" \; \
		    display -p -t "$s" '#{pane_title}' >"$d/cur" 2>/dev/null; then
			mapfile -t l <"$d/cur"
			printf -v cur '%s\n' "${l[@]}"
			if [ "$cur" != "$prev" ]; then
				prev=$cur
				id=$((id + 1))
				printf -v fn '%05d' "$id"
				n=${#l[@]}
				title=${l[n - 1]}
				printf '%s\n' "${l[@]:0:n-1}" >"$d/frames/$fn.txt"
				[ -n "$title" ] && printf '%s\n' "$title" >"$d/frames/$fn.title"
				v=$("$REPO/cm" detect --profile "$p" --dir "$W" --title "$title" \
				    "$d/frames/$fn.txt" 2>&1 | sed -n '1p;3p;4p' | paste -sd '\t')
			fi
			printf '%s\t%s\t%s\n' "$EPOCHREALTIME" "$fn" "$v" >>"$d/samples"
		fi
		read -r -t 0.03 -u 9 _
	done
}

# The events for session $S since the turn began (without time and name).
since() { tail -n +"$((N0 + 1))" "$OUT/watch" | awk -F'\t' -v s="$S" '$2 == s' | cut -f3-; }
has() { since | cut -f1 | grep -qx "$1"; }
seq_has() { # seq_has A B: an A event, later a B event
	since | awk -F'\t' -v a="$1" -v b="$2" '$1 == a { x = 1 } x && $1 == b { ok = 1 } END { exit !ok }'
}
last_is() { [ "$(since | tail -1 | cut -f1)" = "$1" ]; }
screen_has() { cm show "$S" | grep -q -- "$1"; }

SUMMARY=
turn() { # turn ID SCRIPT MESSAGE
	[ -n "${TURN:-}" ] && endturn
	TURN=$1
	echo "$2" >"$T/script"
	N0=$(wc -l <"$OUT/watch")
	printf '%s\t%s\n' "$EPOCHREALTIME" "$1" >>"$D/marks"
	echo " turn $1 ($2)"
	case $(state "$S") in
	exited | "") bad "session gone: $(cm show "$S" 2>&1 | grep -v '^$' | tail -3)"; return 1 ;;
	esac
	R0=$(reqs)
	cm send "$S" "$3" || bad "send"
	# Did the Enter submit it?  (cm send types the text and Enter in one
	# burst unless the profile has an Enter delay; a program that takes
	# that for a paste adds a newline instead.)
	# opencode's first request comes about 10 s after its first prompt
	# is submitted (it is busy meanwhile, "esc interrupt" shown): the
	# first turn waits longer before it calls the Enter lost.
	if ! wait_until "$( [ "$1" = 1-text ] && echo 15 || echo 4)" more_reqs; then
		bad "cm send did not submit the text; pressing Enter again"
		printf '%s\t%s\n' "$EPOCHREALTIME" "$1-enter-again" >>"$D/marks"
		cm keys "$S" Enter
		wait_until 4 more_reqs || bad "still no request"
	fi
}
# reqs: how many main (not auxiliary) requests the fake server has had.
more_reqs() { [ "$(reqs)" -gt "$R0" ]; }
reqs() { grep -c '"aux":false' "$OUT/fake.log" 2>/dev/null; true; }
endturn() {
	printf '%-6s %s\n' "$TURN" "$(since | awk -F'\t' '{ d = $2; if ($1 == "confirm") d = substr(d, 1, 60);
	    printf "%s%s%s", (NR > 1 ? " > " : ""), $1, (d != "" && $1 != "working" && $1 != "idle" ? "[" d "]" : "") }')" >>"$D/summary"
	TURN=
}

# cli NAME: one CLI through every turn.
cli() {
	local c=$1 h
	S=$c
	D=$OUT/$c
	mkdir -p "$D"
	: >"$D/marks"
	: >"$D/summary"
	h=$T/h-$c
	mkdir -p "$h"
	echo "== $c ($("$BIN/$c" --version 2>/dev/null | head -1))"
	echo "text:Hello from the fake model." >"$T/script"
	N0=$(wc -l <"$OUT/watch")
	case $c in
	codex)
		mkdir -p "$h/.codex"
		cat >"$h/.codex/config.toml" <<EOF
model = "gpt-5-codex"
model_provider = "fake"
approval_policy = "on-request"
sandbox_mode = "workspace-write"

[model_providers.fake]
name = "Fake"
base_url = "$URL/v1"
env_key = "FAKE_OPENAI_KEY"
wire_api = "responses"
request_max_retries = 1
stream_max_retries = 1

[projects."$W"]
trust_level = "trusted"
EOF
		mkdir -p "$h/.codex/rules"
		echo 'prefix_rule(pattern = ["touch"], decision = "prompt")' >"$h/.codex/rules/default.rules"
		cm new -y -n "$c" -C "$W" --profile codex -- env HOME="$h" \
		    FAKE_OPENAI_KEY=sk-fake TERM=xterm-256color LANG=C.UTF-8 \
		    "$BIN/codex" >/dev/null || { bad "cm new"; return; }
		;;
	gemini)
		mkdir -p "$h/.gemini"
		echo '{"security":{"auth":{"selectedType":"gemini-api-key"}}}' >"$h/.gemini/settings.json"
		echo "{\"$W\":\"TRUST_FOLDER\"}" >"$h/.gemini/trustedFolders.json"
		cm new -y -n "$c" -C "$W" --profile gemini -- env HOME="$h" \
		    GEMINI_API_KEY=AIzaFAKE GOOGLE_GEMINI_BASE_URL="$URL" \
		    TERM=xterm-256color LANG=C.UTF-8 \
		    "$BIN/gemini" >/dev/null || { bad "cm new"; return; }
		;;
	opencode)
		# capture-oai.sh's configuration: the fake provider over the
		# chat-completions API, bash and edits asking (its default
		# runs commands without asking).  env -i: lib.sh's XDG_*
		# would put its config and data outside $h.
		mkdir -p "$h/.config/opencode"
		cat >"$h/.config/opencode/opencode.json" <<EOF
{
  "\$schema": "https://opencode.ai/config.json",
  "provider": {
    "fake": {
      "npm": "@ai-sdk/openai-compatible",
      "name": "Fake",
      "options": { "baseURL": "$URL/v1", "apiKey": "sk-fake" },
      "models": { "fake-model": { "name": "Fake Model", "tool_call": true } }
    }
  },
  "model": "fake/fake-model",
  "small_model": "fake/fake-model",
  "autoupdate": false,
  "share": "disabled",
  "permission": { "bash": "ask", "edit": "ask" }
}
EOF
		cm new -y -n "$c" -C "$W" --profile opencode -- env -i HOME="$h" \
		    TERM=xterm-256color LANG=C.UTF-8 PATH="$CLIPATH" \
		    "$BIN/opencode" >/dev/null || { bad "cm new"; return; }
		;;
	qwen)
		# npm leaves its ripgrep without the x bit (capture-oai.sh)
		chmod +x "$PFX/node_modules/@qwen-code/qwen-code/vendor/ripgrep/"*/rg 2>/dev/null
		cm new -y -n "$c" -C "$W" --profile qwen -- env -i HOME="$h" \
		    TERM=xterm-256color LANG=C.UTF-8 PATH="$CLIPATH" \
		    OPENAI_BASE_URL="$URL/v1" OPENAI_API_KEY=sk-fake \
		    OPENAI_MODEL=gpt-fake \
		    "$BIN/qwen" --approval-mode default >/dev/null || { bad "cm new"; return; }
		;;
	esac
	sampler "$c" "$c" "$D" &
	SAMPLER=$!
	turns "$c"
	endturn
	printf '%s\t%s\n' "$EPOCHREALTIME" end >>"$D/marks"
	kill "$SAMPLER" 2>/dev/null
	wait "$SAMPLER" 2>/dev/null
	SAMPLER=
	cm show "$S" >"$D/last-screen.txt"
	# its own log, for what it did when (opencode, Qwen Code)
	[ -d "$h/.local/share/opencode/log" ] && cp -r "$h/.local/share/opencode/log" "$D/cli-log"
	[ -d "$h/.qwen/tmp" ] && cp -r "$h/.qwen/tmp" "$D/cli-log" 2>/dev/null
	cm kill "$S" >/dev/null 2>&1
	sleep 1
	orphans
	echo "text:Hello from the fake model." >"$T/script"
	suspects "$c"
	echo " events per turn:"
	sed 's/^/   /' "$D/summary"
}

turns() {
	local c=$1
	printf '%s\t%s\n' "$EPOCHREALTIME" start >>"$D/marks"
	TURN=start
	cm wait -t 40 "$S" idle >/dev/null && ok "idle at start" || { bad "not idle at start"; cm show "$S" | tail -15; }
	# Codex draws its input box before its session is ready, with the
	# host name as the title; an Enter typed then is lost.
	title_set() { [ "$(tmux -S "$CM_TMUX_SOCKET" display -p -t "$S" '#{pane_title}')" != "$(hostname)" ]; }
	title_set && ok "title set when idle" || { bad "idle while the title is still the host name (still starting)"; wait_until 20 title_set; }
	sleep 1

	turn 1-text "text:Hello from the fake model." "say hello" || return 0
	wait_until 30 screen_has "Hello from the fake model" && ok "answer shown" || bad "answer not shown"
	# idle after the answer, not only a working > idle while it was typed
	wait_until 10 last_is idle && seq_has working idle && ok "working then idle after the answer" ||
	    bad "not idle after the answer: $(since | cut -f1 | paste -sd ' ')"
	sleep 1

	turn 2-safe "bash:touch made-by-$c" "make the marker file" || return 0
	answered() { has auto-confirm || has denied; }
	wait_until 30 answered
	if [ "$c" = codex ]; then
		# Codex's exec-policy prompt carries a "Reason:" as its
		# escalations do; the reason of an escalation is the model's
		# own text, so cm leaves both to the person (doc/RULES.md).
		since | grep '^denied' | grep -q 'rule=deny:sandbox' &&
		    ok "policy prompt left to the person (deny:sandbox)" ||
		    bad "policy prompt: $(since | grep -E '^(denied|auto-confirm)' | cut -c1-200)"
		has auto-confirm && bad "auto-confirmed a Reason: prompt"
		cm keys "$S" Escape
		wait_until 15 seq_has denied idle && ok "idle after Esc" || bad "no idle after Esc"
	else
		if has auto-confirm; then
			ok "auto-confirm"
			wait_until 20 screen_has "Done\." && ok "Done." || bad "no Done."
			wait_until 10 seq_has auto-confirm idle && ok "idle after auto-confirm" || bad "no idle after auto-confirm"
		else
			bad "no auto-confirm"
		fi
		check "command ran (marker made)" test -e "$W/made-by-$c"
		sleep 1
		[ "$(since | grep -c '^auto-confirm')" -le 1 ] && ok "answered once" || bad "answered more than once"
		since | grep -q '^confirm-stuck' && bad "confirm-stuck"
		since | grep -q '^denied' && bad "a denial on the safe prompt: $(since | grep '^denied' | cut -c1-200)"
	fi

	if [ "$c" = codex ]; then
		turn 2x-escal "bashx:mkdir -p made-by-codex-dir" "make the marker file outside the sandbox" || return 0
		wait_until 30 has denied && ok "denied" || bad "not denied"
		since | grep '^denied' | grep -q 'rule=deny:sandbox' && ok "rule deny:sandbox" || bad "rule: $(since | grep '^denied')"
		sleep 1.5
		has auto-confirm && bad "auto-confirmed an escalation"
		cm keys "$S" Escape
		wait_until 15 seq_has denied idle && ok "idle after Esc" || bad "no idle after Esc"
		sleep 1
	fi

	turn 3-rm "bash:rm -rf build" "clean the build dir" || return 0
	wait_until 30 has denied && ok "denied" || bad "not denied"
	since | grep '^denied' | grep -q 'rule=deny:rm-recursive' && ok "rule deny:rm-recursive" || bad "rule: $(since | grep '^denied')"
	sleep 2
	check "left at confirm" test "$(state "$S")" = confirm
	check "build/ survives" test -e "$W/build/out.o"
	has auto-confirm && bad "auto-confirmed rm -rf"
	cm keys "$S" Escape
	wait_until 15 seq_has denied idle && ok "idle after Esc" || bad "no idle after Esc"
	sleep 1

	turn 4-error "error:401" "summarize the README" || return 0
	wait_until 30 has error && ok "error" || bad "no error event"
	sleep 2
}

# orphans: what the CLI left behind after cm kill (reparented to us, pid 1):
# reported, then killed by pid with its children.
orphans() {
	local k p keep o=
	keep=" $AGENT_PID ${BG_PIDS[*]} $FAKE_PID $WATCHDOG $(tmux -S "$CM_TMUX_SOCKET" display -p '#{pid}' 2>/dev/null) "
	pgrep -P $$ >"$T/kids"
	for p in $(cat "$T/kids"); do
		case $keep in *" $p "*) continue ;; esac
		[ -d "/proc/$p" ] || continue
		o="$o $p $(pgrep -P "$p" | tr '\n' ' ')"
		echo "  note $c left running after cm kill: $(tr '\0' ' ' </proc/"$p"/cmdline | cut -c1-120)"
	done
	# shellcheck disable=SC2086
	[ -n "$o" ] && kill -9 $o 2>/dev/null
	return 0
}

# suspects CLI: frames whose verdict disagrees with what the title or the
# screen plainly says (the hints each CLI gives, tests/screens/README.md).
# Only hints: every suspect is then looked at by hand.
suspects() {
	local c=$1 f t v want
	: >"$D/suspects"
	for f in "$D"/frames/*.txt; do
		[ -e "$f" ] || continue
		t=$(cat "${f%.txt}.title" 2>/dev/null)
		v=$(awk -F'\t' -v fn="$(basename "$f" .txt)" '$2 == fn { print $3; exit }' "$D/samples")
		v=${v%% *}
		want=
		case $c in
		codex)
			case $t in
			*"Action Required"*) want=confirm ;;
			[⠁-⣿]*) want=working ;;
			esac
			grep -q 'Would you like to' "$f" && want=confirm
			;;
		gemini)
			case $t in
			*"Action Required"*) want=confirm ;;
			*Working*) want=working ;;
			esac
			grep -q 'esc to cancel' "$f" && want=working
			grep -qE 'Allow execution|Apply this change' "$f" && want=confirm
			;;
		opencode)
			grep -qE 'esc (again to )?interrupt' "$f" && want=working
			grep -q 'Permission required' "$f" && grep -q 'Allow once' "$f" && want=confirm
			;;
		qwen)
			case $t in
			◐*) want=working ;;
			✳*) want=confirm ;;
			esac
			grep -q 'esc to cancel)' "$f" && want=working
			grep -q 'Waiting for user confirmation' "$f" && want=confirm
			;;
		esac
		grep -qE 'API Error|401 Unauthorized|nauthorized' "$f" && [ -z "$want" ] && want=error
		[ -n "$want" ] && [ "$want" != "$v" ] &&
		    printf '%s\t%s\tcm=%s\thint=%s\n' "$(basename "$f" .txt)" "$t" "$v" "$want" >>"$D/suspects"
	done
	echo " $(ls "$D/frames" | grep -c '\.txt$') distinct frames, $(wc -l <"$D/samples") samples, $(wc -l <"$D/suspects") suspects ($D/suspects)"
}

t0=$(date +%s)
for c in $WANT; do
	cli "$c"
done
echo "took $(($(date +%s) - t0))s; output in $OUT"
[ "$BAD" = 0 ]
