#!/usr/bin/env bash
# Drift: does cm still read the newest versions of the AI CLIs right?
#
#   tests/drift.sh [claude] [codex] [gemini] [opencode] [qwen]   (default: all)
#   make drift                                                   (all of them)
#
# For each CLI: install its newest version from npm under $CM_DRIFT_PREFIX
# (default /opt/cli-drift, kept as a cache; if npm cannot be reached, the
# version installed there is used), run the scripted scenario the fixtures
# were captured with (tests/capture/capture.sh: offline, in private network,
# pid and mount namespaces, against tests/capture/fake-model.js) into a
# scratch directory, never tests/screens, then classify every frame with
# `cm detect` under the CLI's profile (and the user's profile files, as
# the agent would) and compare with what the scenario says the frame is:
# its state, the keys that approve it, and that a dangerous prompt is never
# allowed.  Prints one table per CLI version with the frames cm misreads;
# the frames stay in the scratch directory for a look (and, once checked,
# for tests/screens).  Exit status 0 when every frame reads right.
#
# Not part of `make test`: .ci/run tests the pinned versions.  Needs root
# (namespaces), node and npm; takes some minutes per CLI.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
PFX=${CM_DRIFT_PREFIX:-/opt/cli-drift}
OUT=${CM_DRIFT_OUT:-/var/tmp/cm-drift.$$}
WANT=${*:-claude codex gemini opencode qwen}

[ "$(id -u)" = 0 ] || { echo "drift: must run as root (namespaces)" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null ||
	{ echo "drift: needs node and npm" >&2; exit 1; }
make -C "$REPO" -s cm || exit 1
mkdir -p "$PFX" "$OUT" || exit 1

pkg() {
	case $1 in
	claude) echo @anthropic-ai/claude-code ;;
	codex) echo @openai/codex ;;
	gemini) echo @google/gemini-cli ;;
	opencode) echo opencode-ai ;;
	qwen) echo @qwen-code/qwen-code ;;
	*) return 1 ;;
	esac
}
installed() { node -p "require('$PFX/node_modules/$1/package.json').version" 2>/dev/null; }

bad=0
for c in $WANT; do
	p=$(pkg "$c") || { echo "drift: unknown CLI '$c'" >&2; exit 2; }
	if npm install --prefix "$PFX" --no-audit --no-fund --loglevel=error \
	    "$p@latest" >"$OUT/npm-$c.log" 2>&1; then
		how="newest on npm"
	elif [ -n "$(installed "$p")" ]; then
		how="installed; npm failed, see $OUT/npm-$c.log"
	else
		echo "drift: cannot install $p (see $OUT/npm-$c.log)" >&2
		bad=1
		continue
	fi
	v=$(installed "$p")
	echo "drift: capturing $c $v ($how) into $OUT/$c" >&2
	CAPTURE_PREFIX=$PFX CAPTURE_OUT=$OUT timeout -s TERM 1800 \
	    bash "$REPO/tests/capture/capture.sh" "$c" >"$OUT/capture-$c.log" 2>&1
	[ -f "$OUT/MANIFEST.tsv" ] || { echo "drift: no frames for $c (see $OUT/capture-$c.log)" >&2; bad=1; continue; }

	n=0 miss=0
	rows=()
	while IFS=$'\t' read -r path label state keys danger _; do
		case "$path" in "tests/screens/$c/"*) ;; *) continue ;; esac
		f=$OUT/${path#tests/screens/}
		[ -f "$f" ] || continue
		n=$((n + 1))
		args=(--host vm --dir /opt/cli-capture/work/proj --profile "$c")
		[ -f "${f%.txt}.title" ] && args+=(--title "$(cat "${f%.txt}.title")")
		out=$("$REPO/cm" detect "${args[@]}" "$f" 2>&1)
		got=$(sed -n 1p <<<"$out")
		rule=$(sed -n 3p <<<"$out")
		decision=$(sed -n 4p <<<"$out")
		want=$state
		[ "$state" = confirm ] && [ "$keys" != - ] && want="$state $keys"
		why=
		[ "$got" = "$want" ] || why=misread
		[ "$danger" = dangerous ] && [ "${decision%%:*}" = allow ] && why="${why:+$why, }DANGEROUS ALLOWED"
		if [ -n "$why" ]; then
			miss=$((miss + 1))
			rows+=("$(printf '%-44.44s %-16.16s %-16.16s %-26.26s %s' \
			    "$(basename "$f" .txt)" "$want" "$got" "$rule" "$why")")
		fi
	done <"$OUT/MANIFEST.tsv"
	echo
	echo "== $c $v ($how): $n frames, $miss misread"
	if [ "$miss" -gt 0 ]; then
		printf '%-44s %-16s %-16s %-26s %s\n' frame want got rule why
		printf '%s\n' "${rows[@]}"
		bad=1
	fi
	grep '^WARN' "$OUT/capture-$c.log" | sed 's/^/   scenario: /'
done
echo
echo "drift: frames in $OUT"
exit "$bad"
