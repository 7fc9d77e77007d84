# Latency: how long after a window ends its result is out.  The generator
# makes 100,000 clicks a second stamped with the wall clock (--time now,
# watermarks with no delay), weir-window closes 100 ms tumbling windows,
# weir-agg counts by page, weir-sink writes NDJSON; a reader stamps each
# line as it arrives.  A window's latency is the arrival of its last result
# line minus its end.  BENCH_LATENCY_S sets the run's length (default 20 s:
# some 200 windows; the first two and the last are left out as warm-up and
# END).
: "${BENCH_LATENCY_S:=20}"
: "${BENCH_LATENCY_RATE:=100000}"
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
out=$BENCH_DIR/latency.out
{ timeout "$BENCH_LATENCY_S" weir-source --gen clicks \
    --rate "$BENCH_LATENCY_RATE" --time now --max-delay 0 || [ $? -eq 124 ]; } |
    weir-window tumbling 100ms | weir-agg -g .page count |
    weir-sink -f ndjson | "$py" -c '
import sys, time
for l in sys.stdin:
    sys.stdout.write("%d %s" % (time.time_ns() // 1000, l))' > "$out"
"$py" - "$out" "$BENCH_LATENCY_RATE" << 'EOF'
import json, sys
last = {}
for l in open(sys.argv[1]):
    t, j = l.split(" ", 1)
    we = json.loads(j)["window_end"]
    last[we] = int(t) / 1000.0 - we
v = sorted(list(last.values())[2:-1])
if not v:
    sys.exit("latency: no windows")
n = len(v)
def q(p):
    return v[min(n - 1, int(n * p))]
print("window-close latency at %s records/s, 100 ms windows, %d windows: "
      "p50 %.1f ms, p99 %.1f ms, max %.1f ms"
      % (sys.argv[2], n, q(0.5), q(0.99), v[-1]))
EOF
