#!/usr/bin/env python3
# tests/fakeagent.py: a stand-in for the agent, for the tests that need one
# that misbehaves.  It listens on a Unix socket, appends every byte it is sent
# to a record file, and answers as its mode says:
#   hostile  speaks the protocol, with names, commands, states, details,
#            screens and error messages full of terminal escapes, C1 controls
#            and bytes that are not UTF-8 (as a hostile remote agent could)
#   full     says "bye full" instead of hello, and hangs up
#   silent   accepts, says nothing
# --uid N drops to that uid before listen(), so the peer credentials a client
# sees are N's (needs root).  It prints "ready" on stdout once it listens.
# Stdlib only.
import argparse
import os
import socket
import sys
import threading

# The hostile bytes: OSC title, clear screen, a C1 CSI in UTF-8 and raw,
# invalid UTF-8 (a lone byte, a surrogate, a truncated sequence), DEL,
# backspace, then valid UTF-8 that must survive.
EVIL = (b"\x1b]0;pwned\x07\x1b[2J\xc2\x9b31m\x9b\xff\xed\xa0\x80\xe2\x9c"
        b"\x7f\x08 ok \xe2\x9c\xbb caf\xc3\xa9")


def esc(b):
    """The protocol's escaping of one field (doc/PROTOCOL.md)."""
    if b == b"":
        return b"\\-"
    out = bytearray()
    for c in b:
        if c == 0x5c:
            out += b"\\\\"
        elif c == 0x20:
            out += b"\\s"
        elif c == 0x09:
            out += b"\\t"
        elif c == 0x0a:
            out += b"\\n"
        elif c == 0x0d:
            out += b"\\r"
        elif c < 0x20 or c == 0x7f:
            out += b"\\x%02x" % c
        else:
            out.append(c)
    return bytes(out)


def rec(*fields):
    """A line: str fields are words as they are, bytes fields escaped."""
    return b" ".join(f.encode() if isinstance(f, str) else esc(f)
                     for f in fields) + b"\n"


def answer(words):
    """The lines that answer one request, in hostile mode."""
    rid = words[0].decode("latin-1") if words else "-"
    verb = words[1] if len(words) > 1 else b""
    r = rid
    record = [EVIL, EVIL, b"1795551426", b"0", EVIL, EVIL, b"generic"]
    if verb == b"auth":
        return [rec("ok", r)]
    if verb == b"ping":
        return [rec("ok", r, "pong")]
    if verb == b"ls":
        return [rec("data", r, *record), rec("ok", r, "1")]
    if verb == b"get":
        return [rec("ok", r, *record)]
    if verb == b"status":
        return [rec("ok", r, b"version=" + EVIL, EVIL + b"=" + EVIL,
                    b"sessions=1")]
    if verb == b"show":
        return [rec("data", r, EVIL), rec("data", r, b"plain row"),
                rec("data", r, b"\x1b[1mbold\x1b[0m \x1b[31mred\x1b[m"),
                rec("ok", r)]
    if verb == b"watch":
        ev = rec("event", "0123456789abcdef", "1", "1795551426000",
                 EVIL, EVIL, EVIL)
        if b"snapshot" in words:
            return [rec("data", r, *record), rec("ok", r, "0",
                                                    "snapshot"), ev]
        return [rec("ok", r, "0", "live"), ev]
    if verb == b"log":
        return [rec("data", r, b"2026-01-01T00:00:00Z", EVIL, EVIL, EVIL,
                    EVIL, EVIL), rec("ok", r, "1")]
    if verb == b"new":
        return [rec("ok", r, EVIL)]
    if verb == b"send":
        return [rec("ok", r)]
    return [rec("err", r, "notfound", EVIL)]


def serve(conn, mode, recf, lock):
    try:
        if mode == "full":
            conn.sendall(b"bye full\n")
            return
        if mode == "hostile":
            conn.sendall(b"hello cm 1 0123456789abcdef\n")
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return
            with lock:
                recf.write(chunk)
                recf.flush()
            if mode != "hostile":
                continue
            data += chunk
            while b"\n" in data:
                l, data = data.split(b"\n", 1)
                for out in answer(l.split()):
                    conn.sendall(out)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--record", required=True)
    ap.add_argument("--mode", default="hostile",
                    choices=["hostile", "full", "silent"])
    ap.add_argument("--uid", type=int)
    a = ap.parse_args()
    recf = open(a.record, "ab")
    try:
        os.unlink(a.socket)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(a.socket)
    if a.uid is not None:
        os.chmod(a.socket, 0o777)
        os.setgid(a.uid)
        os.setuid(a.uid)
    s.listen(64)
    print("ready", flush=True)
    lock = threading.Lock()
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn, a.mode, recf, lock),
                         daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
