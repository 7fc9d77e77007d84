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
ROUNDS=${BENCH_ROUNDS:-7}
rm -rf "$O"
mkdir -p "$O"

# --- 1. throughput --------------------------------------------------------
plain="weir-source --time .ts --max-delay 5s '$F' | weir-window tumbling 1m |
    weir-agg -g .user count sum:.amount | weir-sink -o '$O/plain.ndjson'"
# every 1 s, and every 100 ms: the run is short, so 100 ms shows what ten
# checkpoints a second cost
ckpt="weir-source --time .ts --max-delay 5s --checkpoint 1s \
    --state '$O/st' '$F' | weir-window tumbling 1m --state '$O/st' |
    weir-agg -g .user count sum:.amount --state '$O/st' |
    weir-sink -o '$O/ckpt.ndjson' --state '$O/st'"
fast=$(echo "$ckpt" | sed 's/--checkpoint 1s/--checkpoint 100ms/; s/ckpt.ndjson/fast.ndjson/')
: > "$O/times"
for i in $(seq "$ROUNDS"); do
	echo "plain $(secs "$plain")" >> "$O/times"
	rm -rf "$O/st"
	echo "ckpt $(secs "$ckpt")" >> "$O/times"
	rm -rf "$O/st"
	echo "fast $(secs "$fast")" >> "$O/times"
done
cmp -s "$O/plain.ndjson" "$O/ckpt.ndjson" || echo "checkpoint: RESULTS DIFFER"
cmp -s "$O/plain.ndjson" "$O/fast.ndjson" || echo "checkpoint: RESULTS DIFFER (100ms)"
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
		f = median("fast")
		printf "canonical pipeline, checkpoint every 100ms: %.0f records/s (%.2f s): %.1f%% of plain\n", n / f, f, 100 * p / f
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
python3 - "$O" <<'PY'
import os, signal, subprocess, sys, time
O = sys.argv[1]
out = os.path.join(O, "rec.out")

def kids(ppid):
    r = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            st = open("/proc/%s/stat" % d).read()
            if int(st[st.rindex(")") + 2:].split()[1]) != ppid:
                continue
            args = open("/proc/%s/cmdline" % d).read().split("\0")
        except OSError:
            continue
        if "--name" in args:
            r[args[args.index("--name") + 1]] = int(d)
    return r

def offset(pid):
    """the write offset of the sink's output file, or None"""
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == out:
                for l in open("/proc/%d/fdinfo/%s" % (pid, fd)):
                    if l.startswith("pos:"):
                        return int(l.split()[1])
    except OSError:
        pass
    return None

wr = subprocess.Popen(["weir-run", "-q", os.path.join(O, "p.yaml")],
                      stderr=subprocess.DEVNULL)
time.sleep(3)
for victim in ("win", "agg", "out"):
    k = kids(wr.pid)
    old = k.get("out")
    t0 = time.time()
    os.kill(k[victim], signal.SIGKILL)
    pos0 = None
    while time.time() - t0 < 30:
        new = kids(wr.pid).get("out")
        if new and new != old:
            pos = offset(new)
            # 0: opened, not yet at the committed length it seeks to
            if pos:
                if pos0 is None:
                    pos0 = pos
                elif pos > pos0:
                    break
        time.sleep(0.002)
    print("recovery after kill -9 of %s: new output %.2f s after the kill "
          "(restart backoff 0.1 s, checkpoint interval 1 s)"
          % (victim, time.time() - t0))
    time.sleep(2)
wr.send_signal(signal.SIGTERM)
wr.wait()
PY
