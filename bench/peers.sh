# peers: weir next to DuckDB (2 threads, SET threads = 2) on the jobs weir
# exists for, NDJSON in and CSV out for both, whole runs (reading the JSON
# included):
#   tumbling  1m windows, count + sum of .amount by .user
#   hopping   1m windows every 10s, the same aggregates
#   session   30s sessions per user, 20,000 users, the same aggregates
#   interval  BENCH_N/2 orders joined with BENCH_N/2 payments within 10s
#   table     BENCH_N clicks joined with a 100,000-row users table
#   filter    filter + map (.amount > 50 and .page == "/p/7", cents)
#   groups    count + sum over 1,000,000 groups (one record each): memory
# Runs are interleaved (weir, DuckDB, next job, ..., BENCH_PEER_ROUNDS
# rounds, default 5); each line gives the median time of each and the
# median and spread (min-max) of the per-round ratio DuckDB time / weir
# time (> 1: weir faster), the CPU time per record of each (all of weir's
# stages together; DuckDB's threads), and the peak memory of each (max
# RSS: weir's largest stage).  On a busy machine the wall times depend on
# the share of the cores each gets; the CPU times much less.  The results
# are checked equal (rows sorted, numbers without trailing zeros).  DuckDB comes from
# `make bench-deps` (npm, @duckdb/node-api); without it only weir runs.
. bench/lib.sh
F=$BENCH_DIR/clicks.ndjson
N=$BENCH_N
O=${BENCH_PEER_OUT:-$BENCH_DIR/peers}
R=${BENCH_PEER_ROUNDS:-5}
NODE_DIR=${WEIR_BENCH_NODE:-$PWD/build/bench-node}
mkdir -p "$O"
rm -f "$O"/*.csv "$O"/times

duck=1
if ! command -v node >/dev/null ||
    [ ! -d "$NODE_DIR/node_modules/@duckdb/node-api" ]; then
	echo "peers: DuckDB not installed (make bench-deps), weir alone"
	duck=0
fi

# the data: clicks from 20,000 users for sessions, orders and payments
S=$BENCH_DIR/clicks-20k-$N.ndjson
[ -s "$S" ] || weir-source --gen clicks --users 20000 --count "$N" |
    weir-sink -f ndjson > "$S"
half=$((N / 2))
ORD=$BENCH_DIR/orders-$half.ndjson
PAY=$BENCH_DIR/payments-$half.ndjson
[ -s "$ORD" ] || awk -v n="$half" 'BEGIN { for (i = 0; i < n; i++)
	printf "{\"ts\":%.0f,\"order\":\"o%d\",\"amount\":%d}\n",
	    1700000000000 + i, i, i % 100 }' > "$ORD"
[ -s "$PAY" ] || awk -v n="$half" 'BEGIN { srand(1); for (i = 0; i < n; i++)
	printf "{\"ts\":%.0f,\"order\":\"o%d\",\"paid\":%d}\n",
	    1700000000000 + i + int(rand() * 10000), i, i % 100 }' > "$PAY"
G=$BENCH_DIR/groups-1m.ndjson
[ -s "$G" ] || awk 'BEGIN { for (i = 0; i < 1000000; i++)
	printf "{\"ts\":%d,\"u\":\"user%d\",\"v\":%d}\n",
	    1700000000000 + i, i, i % 100 }' > "$G"
USERS=$BENCH_DIR/users-100k.ndjson
[ -s "$USERS" ] || awk 'BEGIN { for (i = 0; i < 100000; i++)
	printf "{\"user\":\"u%d\",\"name\":\"name%d\",\"tier\":%d,\"country\":\"c%d\"}\n",
	    i, i, i % 7, i % 50 }' > "$USERS"

# job NAME RECORDS DUCKDB-FILES WEIR-PIPELINE (writes CSV to stdout)
JOBS=""
job() {
	JOBS="$JOBS $1"
	eval "n_$1=\$2; d_$1=\$3; w_$1=\$4"
}
agg="weir-agg -g .user count sum:.amount | weir-sink -f csv"
job tumbling "$N" "$F" "weir-source --time .ts --max-delay 5s '$F' |
    weir-window tumbling 1m | $agg"
job hopping "$N" "$F" "weir-source --time .ts --max-delay 5s '$F' |
    weir-window hopping 1m 10s | $agg"
job session "$N" "$S" "weir-source --time .ts --key .user --max-delay 5s '$S' |
    weir-window session 30s | $agg"
job interval "$N" "$ORD $PAY" "weir-source --time .ts --key .order --max-delay 10s '$ORD' |
    weir-join --right <(weir-source --time .ts --key .order --max-delay 10s '$PAY') \
    --within 10s --prefix pay_ | weir-sink -f csv"
job table "$N" "$F $USERS" "weir-source '$F' |
    weir-join --table '$USERS' --on .user | weir-sink -f csv"
job filter "$N" "$F" "weir-source '$F' |
    weir-filter '.amount > 50 and .page == \"/p/7\"' |
    weir-map -k .ts,.user,.amount 'cents=.amount * 100' | weir-sink -f csv"
job groups 1000000 "$G" "weir-source '$G' | weir-agg -g .u count sum:.v |
    weir-sink -f csv"

# run TOOL JOB CMD (writing $O/JOB.TOOL.out): append "JOB TOOL wall cpu maxrss_kb" to the times
run() {
	/usr/bin/time -f "%e %U %S %M" -o "$O/t" bash -o pipefail -c "$3" || { echo "peers: $1 $2 failed" >&2; return 1; }
	# GNU time gives the largest RSS of the children it waited for;
	# bash waits for every stage, so that is the largest stage
	awk -v j="$2" -v t="$1" '{ print j, t, $1, $2 + $3, $4 }' "$O/t" >> "$O/times"
}
for i in $(seq "$R"); do
	for j in $JOBS; do
		eval "w=\$w_$j d=\$d_$j"
		run weir "$j" "$w > '$O/$j.weir.out'"
		[ "$duck" = 1 ] && run duckdb "$j" "node bench/duckdb.cjs $j '$O/$j.duckdb.out' $d"
	done
done

# the same rows: sorted, numbers without trailing zeros after the point
norm() {
	sed -E 's/(\.[0-9]*[1-9])0+(,|$)/\1\2/g; s/\.0+(,|$)/\1/g' "$1" | sort
}
for j in $JOBS; do
	[ "$duck" = 1 ] || break
	norm "$O/$j.weir.out" > "$O/$j.weir.norm"
	norm "$O/$j.duckdb.out" > "$O/$j.duckdb.norm"
	if [ -s "$O/$j.weir.norm" ] &&
	    cmp -s "$O/$j.weir.norm" "$O/$j.duckdb.norm"; then
		echo "$j: $(($(wc -l < "$O/$j.weir.norm") - 1)) rows, equal to DuckDB's"
	else
		echo "$j: RESULTS DIFFER from DuckDB's (diff $O/$j.weir.norm $O/$j.duckdb.norm)"
	fi
done
for j in $JOBS; do
	eval "n=\$n_$j"
	awk -v job="$j" -v n="$n" '
	function med(a, m,   i, k, x) {
		for (i = 1; i <= m; i++) for (k = i + 1; k <= m; k++)
			if (a[k] < a[i]) { x = a[i]; a[i] = a[k]; a[k] = x }
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	$1 == job && $2 == "weir" { ww[++nw] = $3; wc[nw] = $4; wm = $5 > wm ? $5 : wm }
	$1 == job && $2 == "duckdb" { dw[++nd] = $3; dc[nd] = $4
		dm = $5 > dm ? $5 : dm; r[nd] = $3 / ww[nd] }
	END {
		printf "%s: weir %.2f s (%.0f ns CPU/record, %.0f MB)", job,
		    med(ww, nw), 1e9 * med(wc, nw) / n, wm / 1024
		if (nd) {
			lo = hi = r[1]
			for (i = 2; i <= nd; i++) { lo = r[i] < lo ? r[i] : lo; hi = r[i] > hi ? r[i] : hi }
			printf ", DuckDB %.2f s (%.0f ns CPU/record, %.0f MB), ratio %.2f (%.2f-%.2f)",
			    med(dw, nd), 1e9 * med(dc, nd) / n, dm / 1024, med(r, nd), lo, hi
		}
		printf ", median of %d\n", nw
	}' "$O/times"
done
