#!/usr/bin/env bash
# cm status --metrics: Prometheus's text format, checked by a strict parser
# (HELP and TYPE before a family's samples, one TYPE each, valid names and
# labels, numeric values, no series twice, counters named _total), and the
# numbers: sessions by state as cm ls has them, auto-confirm's decisions by
# action and rule, tmux jobs, uptime.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || fail "python3 is needed (apt-get install python3)"
start_agent
cm new -y -n ac -- sh -c 'printf "Continue? [y/N] "; read a; sleep 0.3; printf "Run rm -rf build? [y/N] "; read b; sleep 60' >/dev/null
cm new -n idle1 -- sh -c 'printf "> "; read a; sleep 60' >/dev/null
wait_until 10 sh -c 'cm log ac | grep -q "rm -rf"' || fail "no decision for ac"
cm wait idle1 idle -t 5 || fail "idle1"
cm status --metrics >"$T/m" || fail "cm status --metrics"
python3 - "$T/m" >"$T/parsed" <<'PY' || fail "parse: $(cat "$T/parsed") -- $(cat "$T/m")"
import re, sys
name_re = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
label_re = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r'^(%s)(\{(%s(?:,%s)*)?\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$' % (name_re, label_re, label_re))
types, helps, seen, out = {}, set(), set(), []
for n, line in enumerate(open(sys.argv[1]).read().split('\n')[:-1], 1):
    m = re.match(r'^# (HELP|TYPE) (%s) (.*)$' % name_re, line)
    if m:
        kind, name, rest = m.groups()
        if kind == 'TYPE':
            if name in types: sys.exit('line %d: second TYPE for %s' % (n, name))
            if rest not in ('counter', 'gauge', 'untyped', 'histogram', 'summary'):
                sys.exit('line %d: bad type %s' % (n, rest))
            if rest == 'counter' and not name.endswith('_total'):
                sys.exit('line %d: counter %s without _total' % (n, name))
            types[name] = rest
        else:
            helps.add(name)
        continue
    if line.startswith('#') or line == '':
        sys.exit('line %d: unexpected %r' % (n, line))
    m = sample.match(line)
    if not m: sys.exit('line %d: not a sample: %r' % (n, line))
    name, labels, value = m.group(1), m.group(3) or '', m.group(4)
    if name not in types or name not in helps:
        sys.exit('line %d: %s before its HELP and TYPE' % (n, name))
    if (name, labels) in seen: sys.exit('line %d: series twice' % n)
    seen.add((name, labels))
    float(value)
    out.append('%s{%s} %s' % (name, labels, value))
print('\n'.join(out))
PY
grep -qx 'cm_up{} 1' "$T/parsed" || fail "cm_up"
grep -q '^cm_uptime_seconds{} [0-9]' "$T/parsed" || fail "uptime"
grep -qx 'cm_sessions{state="confirm"} 1' "$T/parsed" || fail "confirm sessions: $(grep sessions "$T/parsed")"
grep -qx 'cm_sessions{state="idle"} 1' "$T/parsed" || fail "idle sessions"
grep -qx 'cm_sessions{state="working"} 0' "$T/parsed" || fail "working sessions"
grep -qx 'cm_autoconfirm_decisions_total{action="confirmed",rule="allow:default"} 1' "$T/parsed" ||
    grep -q '^cm_autoconfirm_decisions_total{action="confirmed",rule="[a-z]*:[a-z-]*"} 1$' "$T/parsed" ||
    fail "confirmed: $(grep decisions "$T/parsed")"
grep -Eq '^cm_autoconfirm_decisions_total\{action="(denied|ask)",rule="[a-z]+:[a-z-]+"\} 1$' "$T/parsed" ||
    fail "denied: $(grep decisions "$T/parsed")"
grep -qx 'cm_autoconfirms_total{} 1' "$T/parsed" || fail "autoconfirms"
jobs=$(sed -n 's/^cm_tmux_jobs_total{} //p' "$T/parsed")
[ "${jobs:-0}" -ge 2 ] || fail "tmux jobs: $jobs"
grep -q '^cm_tmux_job_failures_total{} [0-9]' "$T/parsed" || fail "job failures"
grep -q '^cm_control_restarts_total{} [0-9]' "$T/parsed" || fail "control restarts"
grep -q '^cm_clients{} [0-9]' "$T/parsed" || fail "clients"
grep -q '^cm_info{version="[0-9.]*",instance="[0-9a-f]*"} 1$' "$T/parsed" || fail "info"
exit 0
