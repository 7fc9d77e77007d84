# checkpoint: what checkpoints cost (weir(7), CHECKPOINTS).
#  1. the canonical pipeline from NDJSON to a file, with and without a
#     checkpoint every second: interleaved runs, the median ratio;
#  2. snapshot and restore of weir-agg holding 1,000,000 open groups, and of
#     an interval join holding 1,000,000 records: time and size;
#  3. recovery after kill -9 of a stage under weir-run: from the kill to the
#     first new output, with a 100 ms restart backoff.
. bench/lib.sh
F=$BENCH_DIR/clicks.ndjson
N=$BENCH_N
O=$BENCH_DIR/checkpoint
ROUNDS=${BENCH_ROUNDS:-3}
rm -rf "$O"
mkdir -p "$O"

# --- 1. throughput --------------------------------------------------------
plain="weir-source --time .ts --max-delay 5s '$F' | weir-window tumbling 1m |
    weir-agg -g .user count sum:.amount | weir-sink -o '$O/plain.ndjson'"
ckpt="rm -rf '$O/st' && weir-source --time .ts --max-delay 5s --checkpoint 1s \
    --state '$O/st' '$F' | weir-window tumbling 1m --state '$O/st' |
    weir-agg -g .user count sum:.amount --state '$O/st' |
    weir-sink -o '$O/ckpt.ndjson' --state '$O/st'"
: > "$O/times"
for i in $(seq "$ROUNDS"); do
	echo "plain $(secs "$plain")" >> "$O/times"
	echo "ckpt $(secs "$ckpt")" >> "$O/times"
done
cmp -s "$O/plain.ndjson" "$O/ckpt.ndjson" || echo "checkpoint: RESULTS DIFFER"
awk -v n="$N" '
	{ t[$1, ++c[$1]] = $2 }
	function median(k,   i, j, x, m) {
		m = c[k]
		for (i = 1; i <= m; i++) a[i] = t[k, i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
			if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	END {
		p = median("plain"); k = median("ckpt")
		printf "canonical pipeline, plain: %.0f records/s (median of %d, %.2f s)\n", n / p, c["plain"], p
		printf "canonical pipeline, checkpoint every 1s: %.0f records/s (%.2f s): %.1f%% of plain\n", n / k, k, 100 * p / k
	}' "$O/times"

# --- 2. snapshot and restore of large state --------------------------------
# A stream that stops right after its last checkpoint, without END: the
# sink commits that checkpoint, the stages die as after a crash, and the
# restarted stage loads it (and then stops: its upstream is gone).
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "{\"ts\":%d,\"u\":\"user%d\",\"v\":%d}\n", 1700000000000 + i, i, i % 100 }' > "$O/groups.ndjson"
S="$O/sa"
WEIR_CKPT_VERBOSE=1 sh -c "weir-source --checkpoint 1h --state '$S' '$O/groups.ndjson' |
    head -c -2 | weir-agg -g .u count sum:.v --state '$S' |
    weir-sink -o '$O/agg.out' --state '$S'" 2> "$O/agg.err"
size=$(stat -c %s "$S"/agg/*.snap | sort -n | tail -1)
save=$(sed -n 's/.*weir-agg: checkpoint.*saved in \([0-9]*\) ms.*/\1/p' "$O/agg.err" | tail -1)
weir-agg -g .u count sum:.v --state "$S" < /dev/null 2> "$O/agg.err2" > /dev/null
load=$(sed -n 's/.*loaded in \([0-9]*\) ms.*/\1/p' "$O/agg.err2")
echo "weir-agg, 1,000,000 open groups (count, sum): snapshot $size bytes, saved in $save ms, restored in $load ms"

awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "{\"ts\":%d,\"k\":%d,\"v\":%d}\n", 1700000000000 + i % 1000, i % 50000, i }' > "$O/left.ndjson"
echo '{"ts":1700000000000,"k":-1}' > "$O/right.ndjson"
S="$O/sj"
WEIR_CKPT_VERBOSE=1 bash -c "weir-source --checkpoint 1h --state '$S' --name l --time .ts '$O/left.ndjson' |
    head -c -2 | weir-join --right <(weir-source --checkpoint 1h --state '$S' --name r --time .ts '$O/right.ndjson') \
    --within 1h --on .k --state '$S' | weir-sink -o '$O/join.out' --state '$S'" 2> "$O/join.err"
size=$(stat -c %s "$S"/join/*.snap | sort -n | tail -1)
save=$(sed -n 's/.*weir-join: checkpoint.*saved in \([0-9]*\) ms.*/\1/p' "$O/join.err" | tail -1)
bash -c "weir-join --right <(true) --within 1h --on .k --state '$S' < /dev/null" 2> "$O/join.err2" > /dev/null
load=$(sed -n 's/.*loaded in \([0-9]*\) ms.*/\1/p' "$O/join.err2")
echo "weir-join interval join holding 1,000,000 records: snapshot $size bytes, saved in $save ms, restored in $load ms"

# --- 3. recovery time ---------------------------------------------------------
cat > "$O/p.yaml" <<EOF
checkpoint: {interval: 1s, dir: $O/sr}
restart: {backoff: 100ms, max: 100, period: 1s}
stages:
  - {name: src, run: weir-source --gen clicks --rate 20000 --max-delay 100ms}
  - {name: win, run: weir-window tumbling 100ms}
  - {name: agg, run: weir-agg count}
  - {name: out, run: weir-sink -o $O/rec.out}
EOF
weir-run -q "$O/p.yaml" 2> /dev/null &
rp=$!
sleep 3
# child PID of weir-run whose command line names the stage
stage_pid() {
	for p in /proc/[0-9]*; do
		[ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$rp" ] || continue
		tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q -- "--name $1 " &&
		    basename "$p"
	done | head -1
}
for victim in win agg out; do
	pid=$(stage_pid "$victim")
	old=$(stage_pid out)
	[ -n "$pid" ] && [ -n "$old" ] || continue
	t0=$(now)
	kill -9 "$pid"
	# new output: the new sink's first write past the committed length
	# it cut the file back to (its descriptor's offset moves)
	i=0 new="" pos0=""
	while [ $i -lt 1000 ]; do
		new=$(stage_pid out)
		if [ -n "$new" ] && [ "$new" != "$old" ]; then
			fd=$(for f in /proc/"$new"/fd/*; do
				[ "$(readlink "$f")" = "$O/rec.out" ] && basename "$f"
			done 2>/dev/null | head -1)
			pos=$([ -n "$fd" ] && awk '/^pos:/ {print $2}' "/proc/$new/fdinfo/$fd" 2>/dev/null)
			if [ -n "$pos" ]; then
				[ -z "$pos0" ] && pos0=$pos
				[ "$pos" -gt "$pos0" ] && break
			fi
		fi
		sleep 0.005
		i=$((i + 1))
	done
	t1=$(now)
	awk -v a="$t0" -v b="$t1" -v v="$victim" 'BEGIN { printf "recovery after kill -9 of %s: new output %.2f s after the kill (restart backoff 0.1 s, checkpoint interval 1 s)\n", v, b - a }'
	sleep 2
done
kill -TERM "$rp"
wait "$rp" 2> /dev/null
