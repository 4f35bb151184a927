#!/usr/bin/env bash
# Capture REAL screens of real programs as test fixtures for cm's classifier.
#
#   tests/capture/capture.sh [unix] [claude] [codex] [gemini] [opencode] [qwen]
#                                                  (default: the first four)
#   CAPTURE_PREFIX=/opt/cli-new tests/capture/capture.sh claude-latest codex-latest
#
# The groups claude, codex and gemini are the pinned versions (in
# /opt/cli-capture); claude-latest and codex-latest capture whatever version
# is installed in $CAPTURE_PREFIX into tests/screens/<cli>-<version>/, beside
# the pinned ones (capture-latest.sh).  Every session runs in
# $CAPTURE_WORK/proj (default /opt/cli-capture/work/proj), a private tmpfs
# inside the namespace, so all generations show the same path and two
# captures never share a project.
#
# Everything runs offline: the script re-executes itself inside a private
# network namespace (unshare -n, only lo up), starts tests/capture/fake-model.js
# on 127.0.0.1:8787 there, starts a private tmux server (-S $SOCK -f /dev/null,
# 120x40) and drives the programs with send-keys, saving capture-pane text to
# tests/screens/<group>/NN-label.txt (+ .title with #{pane_title}) and one line
# per fixture to tests/screens/MANIFEST.tsv.  On exit it kills the tmux server,
# the fake server and sshd, so no process is left behind.
#
# The AI CLIs are installed (if missing) outside the repo with
#   npm install --prefix $CAPTURE_PREFIX (default /opt/cli-capture)
# CAPTURE_OUT puts the screens and MANIFEST.tsv somewhere else than
# tests/screens (tests/drift.sh does).
# Every session runs in $CAPTURE_WORK/proj (default /opt/cli-capture/work/proj,
# the path the fixtures' prompts name), a private tmpfs inside the
# namespace, so two captures never share a project.
# openssh-server and bubblewrap come from apt.  Must run as root (unshare -n,
# sshd, apt-get install prompt).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${CAPTURE_OUT:-$REPO/tests/screens}
PFX=${CAPTURE_PREFIX:-/opt/cli-capture}
BIN=$PFX/node_modules/.bin
WORK=${CAPTURE_WORK:-/opt/cli-capture/work}
WANT=${*:-unix claude codex gemini}

# ---------------------------------------------------------------- outside the namespace
if [ -z "${CAPTURE_IN_NS:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "capture.sh: must run as root" >&2; exit 1; }
  mkdir -p "$PFX" "$WORK"
  for g in $WANT; do
    case $g in
      claude) p=@anthropic-ai/claude-code ;;
      codex) p=@openai/codex ;;
      gemini) p=@google/gemini-cli ;;
      opencode) p=opencode-ai ;;
      qwen) p=@qwen-code/qwen-code ;;
      *) continue ;;
    esac
    if [ ! -d "$PFX/node_modules/$p" ]; then
      npm install --prefix "$PFX" --no-audit --no-fund "$p" >&2 || exit 1
    fi
  done
  if ! command -v sshd >/dev/null 2>&1 && [ ! -x /usr/sbin/sshd ] || ! command -v bwrap >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server bubblewrap >&2
  fi
  # apt-get install needs package lists to reach its "Do you want to continue?" question
  ls /var/lib/apt/lists/*Packages* >/dev/null 2>&1 || apt-get update -qq
  # -n: private network (only lo).  -p -f --mount-proc: private pid namespace with
  # this script as pid 1, so that when it exits the kernel kills everything started
  # inside (Codex leaves an app-server daemon behind, Gemini survives SIGHUP).
  # -m: private mounts (a tmpfs /tmp, see below).
  exec unshare -n -p -f -m --mount-proc env CAPTURE_IN_NS=1 bash "$0" "$@"
fi

# ---------------------------------------------------------------- inside the namespace
ip link set lo up
# private /tmp (mount namespace): Codex keeps its app-server daemon sockets in
# /tmp/codex-daemon-<uid>; stale ones from an earlier run would block it.
mount -t tmpfs -o mode=1777 capture-tmp /tmp
# a private project directory: another capture may be running
mount -t tmpfs -o mode=755 capture-work "$WORK"
SOCK=/tmp/capture.sock
RUN=$PFX/run
rm -rf "$RUN"; mkdir -p "$RUN"
SCRIPT=$RUN/script          # fake-model behaviour, re-read on every request
FAKELOG=$RUN/fake.log
NODEDIR=$(dirname "$(command -v node)")
BASEPATH=$BIN:$NODEDIR:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
FAKE_PID= SSHD_PID=

starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }
cleanup() {
  # remember the panes' processes (pid + start time) before killing the server
  local live p st
  live=$(tmux -S "$SOCK" list-panes -a -F '#{pane_pid}' 2>/dev/null | while read -r p; do
    for q in "$p" $(pgrep -P "$p" 2>/dev/null); do echo "$q $(starttime "$q")"; done; done)
  tmux -S "$SOCK" kill-server 2>/dev/null
  [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
  sleep 1
  # anything that ignored the SIGHUP from kill-server: same pid AND same start time
  echo "$live" | while read -r p st; do
    [ -n "$p" ] && [ "$(starttime "$p")" = "$st" ] && kill -9 "$p" 2>/dev/null
  done
  rm -f "$SOCK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mode() { printf '%s\n' "$1" > "$SCRIPT"; }
mode "text:Hello from the fake model."
FAKE_SCRIPT=$SCRIPT FAKE_LOG=$FAKELOG FAKE_CWD=$WORK/proj FAKE_PORT=8787 \
  node "$HERE/fake-model.js" > "$RUN/fake.out" 2>&1 &
FAKE_PID=$!

T() { tmux -S "$SOCK" "$@"; }
rm -f "$SOCK"
T -f /dev/null new-session -d -s cap -x 120 -y 40 -n base 'sleep 100000'
T set -g default-size 120x40
T set -g remain-on-exit on
T set -g history-limit 5000
# wait for the fake server
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/8787) 2>/dev/null && break; sleep 0.1; done

# win NAME DIR CMD : new window running CMD (string, through sh -c)
win() {
  T kill-window -t "cap:$1" 2>/dev/null
  T new-window -d -t cap -n "$1" -c "$2" "$3"
}
kill_win() { T kill-window -t "cap:$1" 2>/dev/null; }
typ() { T send-keys -t "cap:$1" -l "$2"; sleep 0.4; }      # literal text, then pause (paste detection)
key() { local w=$1; shift; T send-keys -t "cap:$w" "$@"; }
line() { typ "$1" "$2"; key "$1" Enter; }                   # text, pause, Enter
screen() { T capture-pane -p -t "cap:$1"; }
# waitfor WIN REGEX [SECONDS]: poll the screen until REGEX (grep -E) matches
waitfor() {
  local w=$1 re=$2 t=${3:-20} i
  for i in $(seq $((t * 5))); do
    screen "$w" | grep -Eq -- "$re" && return 0
    sleep 0.2
  done
  echo "WARN [$w] timed out waiting for /$re/" >&2
  screen "$w" | grep -v '^$' | tail -8 | sed 's/^/    | /' >&2
  return 1
}
dead() { local i; for i in $(seq $((${2:-10} * 5))); do
  [ "$(T display -p -t "cap:$1" '#{pane_dead}')" = 1 ] && { sleep 0.3; return 0; }; sleep 0.2; done
  echo "WARN [$1] pane did not die" >&2; return 1; }

# snap GROUP NAME WIN LABEL STATE KEYS DANGER
snap() {
  local g=$1 n=$2 w=$3 f=$OUT/$1/$2 title
  mkdir -p "$OUT/$g"
  screen "$w" > "$f.txt"
  title=$(T display -p -t "cap:$w" '#{pane_title}')
  if [ -n "$title" ]; then printf '%s\n' "$title" > "$f.title"; else rm -f "$f.title"; fi
  printf '%s\t%s\t%s\t%s\t%s\n' "tests/screens/$g/$n.txt" "$4" "$5" "$6" "$7" >> "$RUN/manifest.$g"
  echo "  $g/$n  [$5]  title=[$title]" >&2
}
GROUPS_DONE=
start_group() {
  rm -rf "${OUT:?}/$1"; mkdir -p "$OUT/$1"; rm -f "$RUN/manifest.$1"
  GROUPS_DONE="$GROUPS_DONE $1"
  echo "== $1" >&2
}

. "$HERE/capture-unix.sh"
. "$HERE/capture-ai.sh"
. "$HERE/capture-oai.sh"
. "$HERE/capture-latest.sh"

for g in $WANT; do
  case $g in
    unix) group_unix ;;
    claude) group_claude ;;
    codex) group_codex ;;
    gemini) group_gemini ;;
    opencode) group_opencode ;;
    qwen) group_qwen ;;
    claude-latest) group_claude_latest ;;
    codex-latest) group_codex_latest ;;
    *) echo "unknown group $g" >&2 ;;
  esac
done

# merge: keep the lines of groups not captured this time, replace the others
re=$(echo $GROUPS_DONE | sed 's/\./\\./g' | tr ' ' '|')
{ [ -f "$OUT/MANIFEST.tsv" ] && grep -Ev "^tests/screens/($re)/" "$OUT/MANIFEST.tsv"
  cat "$RUN"/manifest.* 2>/dev/null; } | sort > "$RUN/MANIFEST.new"
mv "$RUN/MANIFEST.new" "$OUT/MANIFEST.tsv"
echo "fixtures: $(wc -l < "$OUT/MANIFEST.tsv")" >&2
