#!/usr/bin/env python3
# tests/safeout.py MODE FILE: is what cm printed safe?  MODE is
#   text  valid UTF-8; no control byte but tab and newline; no DEL; no C1
#   tty   the same, from a terminal (CR LF taken as LF)
#   sgr   the same, but SGR sequences (ESC [ digits ; m) are allowed
#   json  every line one JSON value that a strict parser takes, from bytes
#         that are valid UTF-8
# Exits 0 if so; else prints the first problem and exits 1.  Stdlib only.
import json
import re
import sys


def main():
    mode, path = sys.argv[1], sys.argv[2]
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        print("not UTF-8: %s: %r" % (e, raw[max(0, e.start - 20):e.end + 20]))
        return 1
    if mode == "json":
        for n, line in enumerate(text.split("\n"), 1):
            if line == "":
                continue
            try:
                json.loads(line)
            except ValueError as e:
                print("line %d is not JSON: %s: %r" % (n, e, line))
                return 1
        return 0
    if mode == "tty":
        text = text.replace("\r\n", "\n")
    if mode == "sgr":
        text = re.sub("\x1b\\[[0-9;:]*m", "", text)
    for i, ch in enumerate(text):
        o = ord(ch)
        if (o < 0x20 and ch not in "\t\n") or 0x7f <= o <= 0x9f:
            print("control character U+%04X at %d: %r" %
                  (o, i, text[max(0, i - 20):i + 20]))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
