#!/usr/bin/env bash
# cm status speaks to a person (uptime as 3h12m, times in ISO 8601); --json
# gives the raw numbers, and is JSON.
. "$(dirname "$0")/lib.sh"
start_agent
sleep 1.2
cm status >"$T/st" || fail "status"
up=$(awk -F'\t' '$1 == "uptime" { print $2 }' "$T/st")
started=$(awk -F'\t' '$1 == "started" { print $2 }' "$T/st")
printf '%s\n' "$up" | grep -Eq '^[0-9]+s$' || fail "uptime '$up', want e.g. 3s"
printf '%s\n' "$started" | grep -Eq '^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\.[0-9]+)?Z$' ||
    fail "started '$started', want ISO 8601"
cm status --json >"$T/json" || fail "status --json"
python3 - "$T/json" <<'PY' || fail "status --json: $(cat "$T/json")"
import json, sys, time
o = json.loads(open(sys.argv[1]).read())
assert isinstance(o["uptime"], int) and o["uptime"] >= 1, o
assert isinstance(o["started"], int) and abs(o["started"] - time.time()) < 120, o
for k in ("pid", "sessions", "clients", "events", "confirms"):
    assert isinstance(o[k], int), k
assert isinstance(o["version"], str) and isinstance(o["socket"], str), o
PY
exit 0
