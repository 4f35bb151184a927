#!/usr/bin/env bash
# No early return: 100 tries of "cm send --wait" (and of "cm send --json"
# then "cm wait --after") to a shell that waits a random 0-3 s before it
# answers; each must come back only after the answer is on the screen.  Twenty
# sessions run their tries side by side (about 10-30 s on two busy cores).
. "$(dirname "$0")/lib.sh"
start_agent
N=20 TRIES=5
for s in $(seq $N); do
	cm new --no-wait -n r$s -- sh -i >/dev/null || fail "new r$s"
done
for s in $(seq $N); do
	cm wait r$s idle -t 10 || fail "r$s idle"
done
try() {	# try SESSION: TRIES sends, one line per early return in $T/early.SESSION
	local s=$1 k ms j seq
	for k in $(seq $TRIES); do
		ms=$((RANDOM % 3000))
		cmd=$(printf 'sleep %d.%03d; echo answer-%s-%d' $((ms / 1000)) $((ms % 1000)) "$s" "$k")
		if [ $((k % 2)) = 0 ]; then
			cm send --wait -t 20 "$s" "$cmd" >/dev/null ||
			    echo "$s $k: send --wait failed" >>"$T/early.$s"
		else
			j=$(cm send --json "$s" "$cmd")
			seq=$(printf '%s\n' "$j" | sed -n 's/.*"seq":\([0-9]*\).*/\1/p')
			cm wait --after "$seq" -t 20 "$s" idle ||
			    echo "$s $k: wait --after failed" >>"$T/early.$s"
		fi
		cm show "$s" | grep -q "^answer-$s-$k\$" ||
		    echo "$s $k: returned before the answer (slept ${ms} ms)" >>"$T/early.$s"
	done
	echo done >>"$T/finished"
}
for s in $(seq $N); do
	bg try r$s
done
all_done() { [ "$(cat "$T/finished" 2>/dev/null | wc -l)" -eq $N ]; }
wait_until 70 all_done || fail "tries did not finish"
cat "$T"/early.* >"$T/early" 2>/dev/null
[ -s "$T/early" ] && fail "$(wc -l <"$T/early") early returns of $((N * TRIES)): $(head -5 "$T/early")"
exit 0
