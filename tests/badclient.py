#!/usr/bin/env python3
# tests/badclient.py: raw connections to a running agent, for the tests that
# misbehave on purpose (t-limits.sh, t-badinput.sh).  Stdlib only.
#
#   badclient.py SOCK hold N [--half] [--secs S]
#       open N connections at once and keep them; with --half, each sends
#       half a line ("1 au").  Prints "held K" once all are open, then after
#       S seconds (or when all are closed) how each ended: "bye timeout",
#       "bye full", "eof" or "open".
#   badclient.py SOCK order TOKENFILE N
#       N connections send a wrong token; then one logs in with the right
#       one and pings.  Prints "ok" if the pong came before every wrong
#       token's answer (a wrong token must slow only its own connection),
#       else what happened.
#   badclient.py SOCK wrong C E
#       C threads, each making E connections in turn that send a wrong
#       token and hang up within 0.3 s (the answer is delayed on purpose).
#   badclient.py SOCK pipelined C E
#       C connections, each sending E wrong tokens in one write.
#   badclient.py SOCK preauth
#       every verb before auth: each must be "err ID auth", then closed.
#   badclient.py SOCK events TOKENFILE N NAME
#       N events, by turning auto-confirm of NAME on and off, on one
#       connection.
#   badclient.py SOCK many TOKENFILE N SECS
#       N clients, 20 at a time, log in and watch; prints how each fared,
#       keeps those that got in SECS seconds.
#   badclient.py SOCK ping TOKENFILE SECS OUT
#       for SECS seconds, every 50 ms: connect, log in (trying "bye full"
#       again for 3 s, as cm does), ping, hang up; and ping on one
#       connection kept open.  Writes every latency in ms to OUT ("new MS
#       PHASE" / "kept MS PHASE" / "fail PHASE WHAT"); stdin says "phase
#       NAME" to name what goes on, "stop" to end.
#   badclient.py SOCK noread TOKENFILE
#       log in, watch everything, never read; prints "watching" and waits to
#       be killed.
#   badclient.py SOCK lines TOKENFILE
#       send every malformed request of the bad-input list, logged in, each
#       on its own connection, and check each is answered "err" (or the
#       connection closed) and the agent still answers; prints one line per
#       case and "cases N failed M".
import os
import select
import socket
import sys
import threading
import time


def connect(path, timeout=10.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def readline(s, buf, deadline):
    """One line (bytes, without the newline) from s, or None at EOF."""
    while b"\n" not in buf[0]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no line")
        s.settimeout(left)
        try:
            d = s.recv(65536)
        except ConnectionResetError:
            return None
        if not d:
            return None
        buf[0] += d
    line, buf[0] = buf[0].split(b"\n", 1)
    return line


def token(path):
    return open(path).read().strip().encode()


def login(path, tok, timeout=10.0):
    s = connect(path, timeout)
    buf = [b""]
    end = time.monotonic() + timeout
    hello = readline(s, buf, end)
    if hello is None or not hello.startswith(b"hello "):
        raise RuntimeError("greeting: %r" % hello)
    try:
        s.sendall(b"a auth " + tok + b"\n")
        r = readline(s, buf, end)
    except (BrokenPipeError, ConnectionResetError):
        r = None
    if r is None:
        # Closed before it answered: dropped for a newer connection,
        # its "bye full" lost to the reset.
        raise RuntimeError("auth: closed (bye full)")
    if r != b"ok a":
        raise RuntimeError("auth: %r" % r)
    return s, buf


def cmd_hold(path, n, half, secs):
    socks = []
    for _ in range(n):
        # Blocking, so that a full backlog is waited for, not skipped.
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect(path)
            s.setblocking(False)
            socks.append(s)
        except OSError:
            pass
    if half:
        for s in socks:
            try:
                s.send(b"1 au")
            except OSError:
                pass
    print("held %d" % len(socks), flush=True)
    got = {s: b"" for s in socks}
    done = {}
    end = time.monotonic() + secs
    while len(done) < len(socks) and time.monotonic() < end:
        live = [s for s in socks if s not in done]
        r, _, _ = select.select(live, [], [], 0.2)
        for s in r:
            try:
                d = s.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                d = b""
            if d:
                got[s] += d
                continue
            lines = got[s].split(b"\n")
            byes = [l for l in lines if l.startswith(b"bye")]
            done[s] = byes[-1].decode() if byes else "eof"
    counts = {}
    for s in socks:
        k = done.get(s, "open")
        counts[k] = counts.get(k, 0) + 1
    for k in sorted(counts):
        print("%s %d" % (k, counts[k]), flush=True)


def cmd_order(path, tokfile, n):
    tok = token(tokfile)
    conns = []
    for i in range(n):
        s = connect(path)
        buf = [b""]
        readline(s, buf, time.monotonic() + 10)
        s.sendall(b"w%d auth %s\n" % (i, b"f" * 32))
        conns.append((s, buf))
    time.sleep(0.05)
    start = time.monotonic()
    s = connect(path)
    buf = [b""]
    readline(s, buf, time.monotonic() + 10)
    s.sendall(b"a auth " + tok + b"\np ping\n")
    conns.append((s, buf))
    # When each connection's answer arrives: the wrong ones' first line,
    # the right one's pong.
    want = {c[0]: (b"ok p pong" if c[0] is s else b"err ") for c in conns}
    when = {}
    end = time.monotonic() + 15
    while len(when) < len(conns) and time.monotonic() < end:
        live = [c[0] for c in conns if c[0] not in when]
        r, _, _ = select.select(live, [], [], 0.5)
        now = time.monotonic()
        for x in r:
            b = [c[1] for c in conns if c[0] is x][0]
            d = x.recv(65536)
            b[0] += d
            if want[x] in b[0] or not d:
                when[x] = (now, b[0])
    if s not in when or b"ok p pong" not in when[s][1]:
        print("no pong: %r" % (when.get(s),))
        return 1
    pong = when[s][0]
    first = min([when[c[0]][0] for c in conns[:-1] if c[0] in when] or
                [end])
    print("pong after %d ms; first wrong token answered after %d ms" %
          ((pong - start) * 1000, (first - start) * 1000))
    if pong >= first:
        print("the right token waited for the wrong ones")
        return 1
    print("ok")
    return 0


def cmd_wrong(path, threads, each):
    answered = [0]
    lock = threading.Lock()

    def run(k):
        for i in range(each):
            try:
                s = connect(path, 15)
                buf = [b""]
                end = time.monotonic() + 15
                hello = readline(s, buf, end)
                if hello is None or not hello.startswith(b"hello"):
                    s.close()
                    continue
                s.sendall(b"x%d auth %032x\n" % (i, k * 1000 + i))
                # The answer is delayed (up to 5 s): do not wait for it.
                try:
                    r = readline(s, buf, time.monotonic() + 0.3)
                except TimeoutError:
                    r = None
                if r is not None and r.startswith(b"err x%d auth" % i):
                    with lock:
                        answered[0] += 1
                s.close()
            except (OSError, TimeoutError):
                pass

    ts = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("wrong tokens %d, answered within 0.3 s %d" %
          (threads * each, answered[0]), flush=True)


def login_retry(path, tok):
    """Log in as cm does: "bye full" (or a close before the answer to
    auth) is tried again for 3 s."""
    end = time.monotonic() + 3
    while True:
        try:
            return login(path, tok, 5)
        except RuntimeError as e:
            if "bye full" not in str(e) or time.monotonic() >= end:
                raise
            time.sleep(0.01 + (os.getpid() * 7919 + time.monotonic_ns()
                               // 1000000) % 90 / 1000)


def cmd_ping(path, tokfile, secs, out):
    tok = token(tokfile)
    f = open(out, "w", buffering=1)
    kept = None
    end = time.monotonic() + secs
    phase = "start"
    i = 0
    while time.monotonic() < end:
        r, _, _ = select.select([sys.stdin], [], [], 0)
        if r:
            cmd = sys.stdin.readline().split()
            if not cmd or cmd[0] == "stop":
                break
            phase = cmd[1]
        i += 1
        t0 = time.monotonic()
        try:
            s, buf = login_retry(path, tok)
            s.sendall(b"p ping\n")
            if readline(s, buf, time.monotonic() + 5) != b"ok p pong":
                raise RuntimeError("no pong")
            s.close()
            f.write("new %.1f %s\n" % ((time.monotonic() - t0) * 1000,
                                        phase))
        except Exception as e:  # noqa: BLE001 -- every failure is a figure
            f.write("fail %s new %s\n" % (
                phase, str(e).replace("\n", " ")[:80]))
        t0 = time.monotonic()
        try:
            if kept is None:
                kept = login_retry(path, tok)
            s, buf = kept
            s.sendall(b"k%d ping\n" % i)
            if readline(s, buf, time.monotonic() + 5) != b"ok k%d pong" % i:
                raise RuntimeError("no pong")
            f.write("kept %.1f %s\n" % ((time.monotonic() - t0) * 1000,
                                         phase))
        except Exception as e:  # noqa: BLE001
            kept = None
            f.write("fail %s kept %s\n" % (
                phase, str(e).replace("\n", " ")[:80]))
        time.sleep(0.05)
    f.close()


def cmd_noread(path, tokfile):
    s, buf = login(path, token(tokfile))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"w watch\n")
    print("watching", flush=True)
    while True:
        time.sleep(1)


# The malformed requests: (what, bytes).  Each is sent logged in, on a
# connection of its own; every one must be answered "err" (or the
# connection closed after an "err" or "bye"), and the agent must go on.
def cases():
    long_name = b"n" * 65
    huge = b"x" * 70000
    c = [
        ("empty line", b"\n"),
        ("blank line", b"   \t \n"),
        ("NUL in id", b"1\x00 ping\n"),
        ("NUL in arg", b"1 kill a\x00b\n"),
        ("control byte", b"1 kill a\x01b\n"),
        ("bare CR", b"1 ping\rx\n"),
        ("invalid UTF-8 verb", b"1 \xff\xfe\n"),
        ("invalid UTF-8 name", b"1 kill \xc3\x28\n"),
        ("invalid UTF-8 text", b"1 send nope \xed\xa0\x80\n"),
        ("overlong line", b"1 send x " + huge + b"\n"),
        ("no verb", b"1\n"),
        ("unknown verb", b"1 frobnicate\n"),
        ("bad id", b"!! ping\n"),
        ("huge id", b"i" * 5000 + b" ping\n"),
        ("bad escape", b"1 kill a\\q\n"),
        ("truncated escape", b"1 kill a\\x4\n"),
        ("too many fields", b"1 ls" + b" x" * 300 + b"\n"),
        ("auth twice, wrong", b"1 auth " + b"0" * 200 + b"\n"),
    ]
    verbs = {
        "ping": [b"extra"],
        "status": [b"extra"],
        "ls": [b"extra"],
        "unwatch": [b"extra"],
        "get": [b"", b"a b", long_name, b"-x", b"\\-"],
        "show": [b"", b"a b c", b"a nope", long_name],
        "kill": [b"", b"a b", long_name, b"a.b/c"],
        "send": [b"", b"a", b"a b c d", b"a b notenter", b"a " + b"x" * 33000,
                 long_name + b" hi"],
        "keys": [b"", b"a", b"a NotAKey", b"a " + b" ".join([b"Enter"] * 40),
                 b"a C-C-C-x"],
        "confirm": [b"", b"a", b"a maybe", b"a on for=0", b"a on for=x",
                    b"a off for=60", b"a on for=99999999999999999999999",
                    b"a on for=60 extra"],
        "log": [b"a b", b"-bad", long_name],
        "watch": [b"since=", b"since=-1", b"since=x", b"instance=",
                  b"instance=" + b"z" * 40, b"bad/name",
                  b"since=184467440737095516160"],
        "new": [b"", b"--", b"name=x", b"name=x --", b"bogus=1 -- true",
                b"name=a/b -- true", b"dir=relative -- true",
                b"confirm=2 -- true", b"profile=nope -- true",
                b"task=" + b"t" * 33000 + b" -- true",
                b"-- " + b" ".join([b"w"] * 210), b"name= -- true",
                b"dir= -- true", b"name=" + long_name + b" -- true",
                b"-- true\\x00x"],
        "auth": [b"", b"a b"],
    }
    for verb, args in verbs.items():
        for a in args:
            what = "%s %s" % (verb, a[:40].decode("latin-1") if a else
                              "(no args)")
            c.append((what, b"1 " + verb.encode() +
                      (b" " + a if a else b"") + b"\n"))
    return c


def cmd_preauth(path):
    """Every verb before auth: "err ID auth" and the connection closed."""
    bad = 0
    verbs = [b"ping", b"status", b"ls", b"get a", b"show a", b"kill a",
             b"send a hi", b"keys a Enter", b"new -- true", b"watch",
             b"unwatch", b"confirm a on", b"log", b"frob", b"", b"\xff"]
    for v in verbs:
        try:
            s = connect(path)
            buf = [b""]
            readline(s, buf, time.monotonic() + 10)
            s.sendall(b"1 " + v + b"\n2 ping\n")
            r = readline(s, buf, time.monotonic() + 10)
            r2 = readline(s, buf, time.monotonic() + 10)
            ok = r is not None and r.startswith(b"err 1 ") and r2 is None
            s.close()
        except Exception as e:  # noqa: BLE001
            ok, r = False, str(e).encode()
        if not ok:
            bad += 1
        print("%s before auth: %r: %r" % ("ok  " if ok else "FAIL", v, r),
              flush=True)
    print("preauth %d failed %d" % (len(verbs), bad), flush=True)
    return 1 if bad else 0


def cmd_pipelined(path, conns, each):
    """conns connections, each sending `each` wrong tokens in one write."""
    socks = []
    for k in range(conns):
        try:
            s = connect(path)
            s.sendall(b"".join(b"t%d auth %032x\n" % (i, k * 100 + i)
                               for i in range(each)))
            socks.append(s)
        except OSError:
            pass
    answers = 0
    end = time.monotonic() + 15
    for s in socks:
        buf = [b""]
        try:
            while True:
                line = readline(s, buf, end)
                if line is None:
                    break
                if line.startswith(b"err t") and b" auth " in line:
                    answers += 1
        except (OSError, TimeoutError):
            pass
        s.close()
    print("sent %d wrong tokens on %d connections, %d answered" %
          (conns * each, len(socks), answers), flush=True)


def cmd_events(path, tokfile, n, name):
    """n events: confirm NAME on/off, n requests on one connection."""
    s, buf = login(path, token(tokfile))
    sent = got = 0
    end = time.monotonic() + 120
    while got < n and time.monotonic() < end:
        batch = []
        while sent < n and sent - got < 200:
            batch.append(b"e%d confirm %s %s\n" %
                         (sent, name.encode(), b"on" if sent % 2 else b"off"))
            sent += 1
        if batch:
            s.sendall(b"".join(batch))
        line = readline(s, buf, end)
        if line is None:
            break
        if line.startswith(b"ok e") or line.startswith(b"err e"):
            got += 1
    print("events %d answered %d" % (sent, got), flush=True)


def cmd_many(path, tokfile, n, secs, wave=20):
    """n clients, in waves of `wave` at once: connect, log in, watch; each
    wave's answers are read before the next connects, and every client that
    got in is kept for secs.  Waves make the held clients add up past any
    descriptor limit whatever the timing (all at once, a busy agent may see
    only its first few unauthenticated ones and refuse the rest)."""
    tok = token(tokfile)
    held = []
    refused = 0
    res = {}
    for start in range(0, n, wave):
        socks = []
        for _ in range(min(wave, n - start)):
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(5)
                s.connect(path)
                s.sendall(b"a auth " + tok + b"\nw watch\n")
                socks.append(s)
            except OSError:
                s.close()
                refused += 1
        end = time.monotonic() + 10
        for s in socks:
            buf = [b""]
            try:
                while True:
                    line = readline(s, buf, end)
                    if line is None:
                        k = "closed"
                        break
                    if line.startswith(b"ok w"):
                        k = "watching"
                        break
                    if line.startswith(b"bye"):
                        k = line.decode()
                        break
            except (OSError, TimeoutError):
                k = "no answer"
            res[k] = res.get(k, 0) + 1
            if k == "watching":
                held.append(s)
            else:
                s.close()
    print("many %d: connect refused %d; %s" % (n, refused, ", ".join(
        "%s %d" % (k, v) for k, v in sorted(res.items()))), flush=True)
    time.sleep(secs)


def cmd_lines(path, tokfile):
    tok = token(tokfile)
    bad = 0
    all_cases = cases()
    for what, line in all_cases:
        try:
            s, buf = login(path, tok)
            s.sendall(line)
            r = readline(s, buf, time.monotonic() + 10)
            ok = r is not None and (r.startswith(b"err ") or
                                    r.startswith(b"bye "))
            # The agent must still answer, on a new connection.
            s2, buf2 = login(path, tok)
            s2.sendall(b"z ping\n")
            alive = readline(s2, buf2, time.monotonic() + 10) == b"ok z pong"
            s2.close()
            s.close()
        except Exception as e:  # noqa: BLE001 -- reported as a failure
            ok, alive, r = False, False, str(e).encode()
        if not (ok and alive):
            bad += 1
        print("%s %s: %r" % ("ok  " if ok and alive else "FAIL", what,
                              (r or b"(closed)")[:60]), flush=True)
    print("cases %d failed %d" % (len(all_cases), bad), flush=True)
    return 1 if bad else 0


def main():
    path, sub = sys.argv[1], sys.argv[2]
    a = sys.argv[3:]
    if sub == "hold":
        secs = 30.0
        if "--secs" in a:
            secs = float(a[a.index("--secs") + 1])
        return cmd_hold(path, int(a[0]), "--half" in a, secs)
    if sub == "order":
        return cmd_order(path, a[0], int(a[1]))
    if sub == "wrong":
        return cmd_wrong(path, int(a[0]), int(a[1]))
    if sub == "ping":
        return cmd_ping(path, a[0], float(a[1]), a[2])
    if sub == "noread":
        return cmd_noread(path, a[0])
    if sub == "lines":
        return cmd_lines(path, a[0])
    if sub == "preauth":
        return cmd_preauth(path)
    if sub == "pipelined":
        return cmd_pipelined(path, int(a[0]), int(a[1]))
    if sub == "events":
        return cmd_events(path, a[0], int(a[1]), a[2])
    if sub == "many":
        return cmd_many(path, a[0], int(a[1]), float(a[2]))
    print("unknown subcommand", sub, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
