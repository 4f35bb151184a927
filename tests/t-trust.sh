#!/usr/bin/env bash
# The client trusts no socket it did not check (issue 12, defects 2 and 5):
# cm and cm bridge send nothing -- no token, no text -- to a socket whose
# directory is open to others, is a symlink or is not ours, or whose listener
# runs as another uid; with --via, the local token never travels.
. "$(dirname "$0")/lib.sh"
tok=0123456789abcdef0123456789abcdef0123456789abcdef
mkdir -p -m 700 "$XDG_CONFIG_HOME/cm"
(umask 077; echo "$tok" >"$XDG_CONFIG_HOME/cm/token")
D=$XDG_RUNTIME_DIR/cm

# fake DIR [ARGS...]: a fake agent (tests/fakeagent.py) on DIR/agent.sock
# that records what it is sent in $T/rec; sets FAKE.
fake() {
	local dir=$1
	shift
	rm -f "$T/rec" "$T/fake.out"
	: >"$T/rec"
	"$PYTHON" "$TESTS/fakeagent.py" --socket "$dir/agent.sock" \
	    --record "$T/rec" "$@" >"$T/fake.out" 2>&1 &
	FAKE=$!
	BG_PIDS+=("$FAKE")
	wait_until 5 grep -q ready "$T/fake.out" || fail "fake agent: $(cat "$T/fake.out")"
}

unfake() {
	kill "$FAKE" 2>/dev/null
	wait "$FAKE" 2>/dev/null
}

# refused WHAT MESSAGE: cm send and cm bridge both fail with MESSAGE on
# stderr and the fake agent got nothing.
refused() {
	cm send x "my db password is hunter2" 2>"$T/err" &&
	    fail "$1: cm send succeeded"
	grep -q "$2" "$T/err" || fail "$1: message: $(cat "$T/err")"
	printf '1 ping\n' | cm bridge >/dev/null 2>"$T/err" &&
	    fail "$1: cm bridge succeeded"
	grep -q "$2" "$T/err" || fail "$1: bridge message: $(cat "$T/err")"
	sleep 0.2
	[ -s "$T/rec" ] && fail "$1: the fake agent was sent: $(cat -v "$T/rec")"
	return 0
}

# The control: a fake agent in a good directory gets the token.
mkdir -m 700 "$D"
fake "$D"
cm ping || fail "cm ping to the fake agent"
grep -q "auth $tok" "$T/rec" || fail "control: no auth line recorded"
unfake

# A directory open to others.
chmod 755 "$D"
fake "$D"
refused "0755 directory" "has mode 755, want 0700"
unfake
chmod 700 "$D"

# A directory owned by someone else (we are root in CI; skip otherwise).
if [ "$(id -u)" = 0 ]; then
	fake "$D"
	chown 65534 "$D"
	refused "directory of uid 65534" "is owned by uid 65534, not you"
	chown 0 "$D"
	unfake
fi

# A symlink for the directory, even to a good one.
mkdir -m 700 "$T/elsewhere"
rm -rf "$D"
ln -s "$T/elsewhere" "$D"
fake "$T/elsewhere"
refused "symlinked directory" "is a symbolic link"
unfake
rm "$D"
mkdir -m 700 "$D"

# A listener running as another uid, in a good directory.
if [ "$(id -u)" = 0 ]; then
	fake "$D" --uid 65534
	refused "listener of uid 65534" "served by uid 65534"
	unfake
fi

# --via: the far end gets no token from this side (the bridge there logs
# in with its own).  The via command records what it is sent.
fake "$D"
cat >"$T/via" <<EOF
#!/bin/sh
tee -a "$T/via.in" | "$REPO/cm" bridge
EOF
chmod +x "$T/via"
: >"$T/via.in"
cm --via "$T/via" ping || fail "ping through --via"
grep -q "ping" "$T/via.in" || fail "via: no ping went through: $(cat -v "$T/via.in")"
grep -q "$tok" "$T/via.in" && fail "via: the local token travelled: $(cat -v "$T/via.in")"
grep -q "auth" "$T/via.in" && fail "via: an auth line travelled: $(cat -v "$T/via.in")"
grep -q "bridge auth $tok" "$T/rec" || fail "via: the bridge did not log in"
unfake

# An agent with no room says "bye full" for a greeting: cm says so.
fake "$D" --mode full
cm ping 2>"$T/err" && fail "ping to a full agent"
grep -q "no room for another connection (bye full)" "$T/err" || fail "bye full: $(cat "$T/err")"
unfake

# A bridge that does not log in: the client says why, and sends no token.
start_agent
cat >"$T/via2" <<EOF
#!/bin/sh
tee -a "$T/via2.in" | "$REPO/cm" bridge --raw
EOF
chmod +x "$T/via2"
cm --via "$T/via2" ping 2>"$T/err" && fail "ping through a bridge not logged in"
grep -q "not logged in at the far end" "$T/err" || fail "via2 message: $(cat "$T/err")"
grep -q "$tok" "$T/via2.in" && fail "via2: the local token travelled"
exit 0
