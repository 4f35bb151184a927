#!/usr/bin/env bash
# Every --json output, read with a JSON parser and checked against the
# tables of doc/JSON.md: each object has every documented field (optional
# ones may be missing), no other, each of its documented type.
. "$(dirname "$0")/lib.sh"
start_agent
J=$T/json
mkdir -p "$J"
cm watch --json >"$J/watch" &
BG_PIDS+=($!)
cm new --json -n a -- sh -i >"$J/new" || fail "new --json"
cm wait a idle -t 5 || fail "a idle"
cm new --no-wait -y -n q -- sh -c 'printf "Delete the file? [y/N] "; read x; sleep 60' >/dev/null
cm wait q confirm -t 5 || fail "q confirm"
cm confirm --json a on --for 1h >"$J/confirm" || fail "confirm --json"
cm send --json a 'echo "tab	quote\" back\\slash é"' >>"$J/send" || fail "send --json"
cm send --wait --json a 'echo done' >"$J/sendwait" || fail "send --wait --json"
wait_until 5 grep -q '"type":"ask"' "$J/watch" || fail "no ask event: $(cat "$J/watch")"
cm watch --json a q >"$J/snap" &
BG_PIDS+=($!)
wait_until 5 test "$(wc -l <"$J/snap")" -ge 2 || true
cm ls --json >"$J/ls" || fail "ls --json"
cm status --json >"$J/status" || fail "status --json"
printf 'Delete it? [y/N] ' | cm detect --json >"$J/detect" || fail "detect --json"
sleep 0.3
stop_bg
python3 - "$REPO/doc/JSON.md" "$J" <<'PY' || fail "JSON does not match doc/JSON.md"
import json, os, re, sys
doc, d = sys.argv[1], sys.argv[2]
# "## cm ls --json" sections, each with a "| `field` | type | what |" table.
tables, cur = {}, None
for line in open(doc):
    m = re.match(r'^## (.*)', line)
    if m:
        cur = m.group(1)
        tables[cur] = {}
        continue
    m = re.match(r'^\| `(\w+)` \| ([^|]+) \|', line)
    if m and cur:
        tables[cur][m.group(1)] = m.group(2).strip()
def table(prefix):
    for k, v in tables.items():
        if prefix in k:
            return v
    raise SystemExit("no table for " + prefix)
files = {
    "ls": "cm ls --json", "watch": "cm watch --json", "snap": "cm watch --json",
    "sendwait": "cm watch --json", "new": "cm new --json",
    "confirm": "cm confirm --json", "send": "cm send --json",
    "status": "cm status --json", "detect": "cm detect --json",
}
def ok(v, t):
    alts = [a.strip() for a in t.replace(", optional", "").split(" or ")]
    for a in alts:
        if a == "string" and isinstance(v, str): return True
        if a == "integer" and isinstance(v, int) and not isinstance(v, bool): return True
        if a == "boolean" and isinstance(v, bool): return True
        if a == "true" and v is True: return True
        if a == "null" and v is None: return True
        if a == "array of strings" and isinstance(v, list) and \
            all(isinstance(x, str) for x in v): return True
    return False
bad, n = [], 0
for f, sect in files.items():
    t = table(sect)
    lines = open(os.path.join(d, f), encoding="utf-8").read().splitlines()
    if not lines:
        bad.append(f + ": no output")
    for l in lines:
        o = json.loads(l)
        n += 1
        for k, v in o.items():
            if k not in t:
                bad.append("%s: undocumented field %r in %s" % (f, k, l))
            elif not ok(v, t[k]):
                bad.append("%s: %r is %r, documented %s" % (f, k, v, t[k]))
        for k, ty in t.items():
            if "optional" not in ty and k not in o:
                bad.append("%s: missing %r in %s" % (f, k, l))
# The fields that must be there where they apply.
ev = [json.loads(l) for l in open(os.path.join(d, "watch"))]
ask = [e for e in ev if e["type"] == "ask"]
if not ask or "rule" not in ask[0] or "prompt" not in ask[0] or "Delete the file?" not in ask[0]["prompt"]:
    bad.append("ask event without rule/prompt fields: %r" % ask)
snap = [json.loads(l) for l in open(os.path.join(d, "snap"))]
if not any(e.get("snapshot") for e in snap):
    bad.append("no snapshot line: %r" % snap)
ls = {o["name"]: o for o in (json.loads(l) for l in open(os.path.join(d, "ls")))}
if ls["a"]["autoconfirm_until"] is None or ls["q"]["profile"] != "generic" or not ls["a"]["dir"]:
    bad.append("ls fields: %r" % ls)
if bad:
    print("\n".join(bad))
    sys.exit(1)
print("%d objects checked" % n)
PY
exit 0
