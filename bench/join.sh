# weir-join: stream-table enrichment and a stream-stream interval join.
# Sourced by bench/run with WEIR_BIN, BENCH_N, BENCH_DIR set.
. bench/lib.sh

# ratio A B: "A / B" as "12.3x"
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx\n", a / b; else print "-" }'
}
recs() { sed -n 's/.*: \([0-9]*\) records.*/\1/p'; }

# 1. BENCH_N clicks enriched from a 100,000-row users table
users=$BENCH_DIR/users-100k.ndjson
[ -s "$users" ] || awk 'BEGIN { for (i = 0; i < 100000; i++)
	printf "{\"user\":\"u%d\",\"name\":\"name%d\",\"tier\":%d,\"country\":\"c%d\"}\n",
	    i, i, i % 7, i % 50 }' > "$users"
clicks=$BENCH_DIR/clicks.ndjson
n=$BENCH_N
w1=$(rate "weir-join stream-table (ndjson in, frames out)" "$n" \
    "weir-join --table $users --on .user < $clicks")
echo "$w1"
w2=$(rate "weir-join stream-table | weir-sink -f ndjson (text to text)" "$n" \
    "weir-join --table $users --on .user < $clicks | weir-sink -f ndjson")
echo "$w2"
if command -v mlr >/dev/null; then
	m=$(rate "mlr join (jsonl to jsonl)" "$n" \
	    "mlr --ijsonl --ojsonl join -j user -f $users $clicks")
	echo "$m"
	echo "weir-join / mlr: $(ratio "$(echo "$w1" | recs)" "$(echo "$m" | recs)") (frames out), $(ratio "$(echo "$w2" | recs)" "$(echo "$m" | recs)") (text out)"
fi

# 2. orders with payments within 10 s: BENCH_N/2 of each (1,000,000 at the
# default), one order per ms of event time, each paid 0-10 s later.
# Times are printed with %.0f: mawk's %d stops at 2147483647, which once gave
# every record the same time (the -v2 files replace data made that way).
half=$((BENCH_N / 2))
orders=$BENCH_DIR/orders-$half-v2.wf
payments=$BENCH_DIR/payments-$half-v2.wf
if [ ! -s "$orders" ] || [ ! -s "$payments" ]; then
	awk -v n="$half" 'BEGIN { for (i = 0; i < n; i++)
		printf "{\"ts\":%.0f,\"order\":\"o%d\",\"amount\":%d}\n",
		    1700000000000 + i, i, i % 100 }' |
	    weir-source --time .ts --key .order --max-delay 10s > "$orders"
	awk -v n="$half" 'BEGIN { srand(1); for (i = 0; i < n; i++)
		printf "{\"ts\":%.0f,\"order\":\"o%d\",\"paid\":%d}\n",
		    1700000000000 + i + int(rand() * 10000), i, i % 100 }' |
	    weir-source --time .ts --key .order --max-delay 10s > "$payments"
fi
# the data is what it says: distinct times, every order paid in the window
joined=$(weir-join --right "$payments" --within 10s --prefix pay_ < "$orders" |
    weir-sink -f lines | wc -l)
first=$(weir-sink -f envelope < "$orders" | head -2 | sed 's/.*"ts":\([0-9]*\).*/\1/' |
    uniq | wc -l)
if [ "$joined" -ne "$half" ] || [ "$first" -ne 2 ]; then
	echo "join.sh: bad interval-join data ($joined of $half joined)" >&2
	exit 1
fi
rate "weir-join interval --within 10s (records/s per side)" "$half" \
    "weir-join --right $payments --within 10s --prefix pay_ < $orders"
rate "weir-join interval --within 10s --type outer (records/s per side)" "$half" \
    "weir-join --right $payments --within 10s --type outer --prefix pay_ < $orders"
