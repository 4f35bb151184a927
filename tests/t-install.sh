#!/usr/bin/env bash
# make install into a temporary DESTDIR with a PREFIX: every file where it
# belongs, with its mode; the installed binary runs; the unit's ExecStart
# names it; the man page is mandoc-lint clean and covers every command,
# option, environment variable, file and the exit status; the bash and zsh
# completions offer commands and the live session names; make uninstall
# removes exactly what install put there.
. "$(dirname "$0")/lib.sh"
D=$T/dest
P=/opt/cmtest
mkdir -p "$D$P/share/man/man1"
echo keep >"$D$P/share/man/man1/other.1"	# not ours: must survive
make -s -C "$REPO" install DESTDIR="$D" PREFIX="$P" >"$T/make" 2>&1 || fail "make install: $(cat "$T/make")"
want="755 $P/bin/cm
644 $P/lib/systemd/user/cm-agent.service
644 $P/share/bash-completion/completions/cm
644 $P/share/man/man1/cm.1
644 $P/share/man/man1/other.1
644 $P/share/zsh/site-functions/_cm"
got=$(cd "$D" && find . -type f -printf '%m %p\n' | sed 's| \./| /|' | sort -k2)
assert_eq "$got" "$want" "installed files"
"$D$P/bin/cm" --version | grep -q '^cm ' || fail "installed binary"
grep -qx "ExecStart=$P/bin/cm agent -f" "$D$P/lib/systemd/user/cm-agent.service" || fail "unit ExecStart"
cmp -s "$REPO/cm.1" "$D$P/share/man/man1/cm.1" || fail "man page differs"

# The man page: lint-clean, and complete.
command -v mandoc >/dev/null || fail "mandoc is needed (apt-get install mandoc)"
out=$(mandoc -T lint -W warning "$REPO/cm.1" 2>&1) && [ -z "$out" ] || fail "mandoc -T lint: $out"
man=$REPO/cm.1
cm help >"$T/help"
for c in $(sed -n 's/^  cm \([a-z-]*\).*/\1/p' "$T/help"); do
	grep -Eq "^\.(It )?Cm $c( |$)" "$man" || fail "man: command $c"
done
# Every option of every usage line (and the global ones).
for o in $(sed -n '/^  cm /p; /^          /p' "$T/help" | grep -o -- '[[ |]--*[a-zA-Z][a-z-]*' | cut -c2- | sort -u) -H --via; do
	grep -Eq "Fl ${o#-}( |$)" "$man" || fail "man: option $o"
done
# Every environment variable the sources read, and those watch --exec sets.
for v in $(grep -oh 'getenv("[A-Z_]*")' "$REPO"/*.c | sed 's/getenv("\(.*\)")/\1/' | sort -u) \
    CM_SESSION CM_STATE CM_PROMPT CM_RULE CM_SEQ XDG_CONFIG_HOME XDG_STATE_HOME; do
	[ "$v" = PATH ] && continue
	grep -Eq "^\.(It )?Ev .*\b$v\b" "$man" || fail "man: environment $v"
done
for f in agent.sock config rules token agent.log audit.log hosts/HASH.token; do
	grep -q "^\.It Pa .*$f" "$man" || fail "man: file $f"
done
grep -q '^\.Sh EXIT STATUS' "$man" && grep -q '^\.Ex -std' "$man" || fail "man: exit status"
for k in autoconfirm profile host use done-after notify-timeout notify-on; do
	grep -q "^\.It Ic $k" "$man" || fail "man: config setting $k"
done

# Completions, with live session names.
start_agent
cm new -n alpha -- sh -c 'sleep 60' >/dev/null
cm new -n beta -- sh -c 'sleep 60' >/dev/null
comp=$(bash -c '
	. "$1"
	COMP_WORDS=(cm sh); COMP_CWORD=1; _cm; echo "${COMPREPLY[*]}"
	COMP_WORDS=(cm show ""); COMP_CWORD=2; _cm; echo "${COMPREPLY[*]}"
	COMP_WORDS=(cm attach a); COMP_CWORD=2; _cm; echo "${COMPREPLY[*]}"
	COMP_WORDS=(cm watch --on ""); COMP_CWORD=3; _cm; echo "${COMPREPLY[*]}"
	COMP_WORDS=(cm -H box l); COMP_CWORD=3; _cm; echo "${COMPREPLY[*]}"
' _ "$D$P/share/bash-completion/completions/cm")
assert_eq "$(echo "$comp" | sed -n 1p)" "show" "bash: command"
assert_eq "$(echo "$comp" | sed -n 2p)" "alpha beta" "bash: live names"
assert_eq "$(echo "$comp" | sed -n 3p)" "alpha" "bash: a prefix"
assert_eq "$(echo "$comp" | sed -n 4p)" "confirm input error exited done" "bash: --on"
assert_eq "$(echo "$comp" | sed -n 5p)" "ls log" "bash: after -H host"
if command -v zsh >/dev/null; then
	zsh -n "$D$P/share/zsh/site-functions/_cm" || fail "zsh syntax"
	# The helper the completion uses for names, from the installed file.
	names=$(zsh -c 'compdef() { :; }; _cm() { :; }
		eval "$(sed -n "/^_cm_sessions()/,/^}/p" "$1")"; _cm_sessions' _ "$D$P/share/zsh/site-functions/_cm" | tr '\n' ' ')
	assert_eq "$names" "alpha beta " "zsh: live names"
else
	echo "note: no zsh, its completion only installed"
fi

make -s -C "$REPO" uninstall DESTDIR="$D" PREFIX="$P" || fail "make uninstall"
got=$(cd "$D" && find . -type f | sed 's|^\./|/|')
assert_eq "$got" "$P/share/man/man1/other.1" "uninstall left exactly the foreign file"
exit 0
