# window-agg: clicks per user per 1-minute tumbling window, with the total
# amount, end to end from NDJSON to CSV:
#   weir-source --time .ts --max-delay 5s | weir-window tumbling 1m |
#   weir-agg -g .user count sum:.amount | weir-sink -f csv
# next to the same result from mlr, sqlite3, jq and DuckDB when installed.
# Prints records/s, the ratio to weir, and the number of result rows (the
# tools must agree).  Target: >= 1.5M records/s and >= 10x mlr.
. bench/lib.sh
F=$BENCH_DIR/clicks.ndjson
N=$BENCH_N
O=$BENCH_DIR/window-agg
mkdir -p "$O"
rm -f "$O"/*.csv

# line NAME RECORDS SECONDS OUTFILE: rate, ratio to weir, rows out
wrate=""
line() {
	rows=$(($(wc -l < "$4") - 1))
	awk -v name="$1" -v n="$2" -v s="$3" -v w="$wrate" -v rows="$rows" 'BEGIN {
		r = n / s
		printf "%s: %.0f records/s (%.2f s, %d rows)", name, r, s, rows
		if (w != "" && name !~ /^weir/) printf "  weir is %.1fx", w / r
		printf "\n" }'
}

if command -v weir-window > /dev/null; then
	t=$(secs "weir-source --time .ts --max-delay 5s '$F' |
	    weir-window tumbling 1m |
	    weir-agg -g .user count sum:.amount | weir-sink -f csv > '$O/weir.csv'")
	wrate=$(awk -v n="$N" -v s="$t" 'BEGIN { printf "%.0f", n / s }')
	line "weir window-agg" "$N" "$t" "$O/weir.csv"
else
	echo "weir window-agg: skipped (weir-window is not built)"
fi

if command -v mlr > /dev/null; then
	t=$(secs "mlr --ijsonl --ocsv put '\$window_start = \$ts - \$ts % 60000' \
	    then stats1 -a count,sum -f amount -g window_start,user '$F' \
	    > '$O/mlr.csv'")
	line mlr "$N" "$t" "$O/mlr.csv"
fi

if command -v sqlite3 > /dev/null; then
	us=$(printf '\037')
	t=$(secs "sqlite3 :memory: -cmd '.mode ascii' -cmd '.separator $us \\n' \
	    -cmd 'CREATE TABLE j(l TEXT)' -cmd \".import '$F' j\" \
	    -cmd '.mode csv' -cmd '.headers on' \
	    \"SELECT json_extract(l, '\\\$.ts') / 60000 * 60000 AS window_start,
	    json_extract(l, '\\\$.user') AS user, count(*) AS count,
	    sum(json_extract(l, '\\\$.amount')) AS sum_amount
	    FROM j GROUP BY 1, 2\" > '$O/sqlite3.csv'")
	line sqlite3 "$N" "$t" "$O/sqlite3.csv"
fi

if command -v duckdb > /dev/null; then
	t=$(secs "duckdb -csv -c \"SELECT CAST(floor(ts / 60000) AS BIGINT) * 60000 AS window_start,
	    user, count(*) AS count, sum(amount) AS sum_amount
	    FROM read_json_auto('$F') GROUP BY 1, 2\" > '$O/duckdb.csv'")
	line duckdb "$N" "$t" "$O/duckdb.csv"
fi

if command -v jq > /dev/null; then
	# jq slurps its input: at most 500,000 records, rated on those
	jn=$((N < 500000 ? N : 500000))
	t=$(secs "head -n $jn '$F' | jq -rs 'group_by([.ts - .ts % 60000, .user])[] |
	    [.[0].ts - .[0].ts % 60000, .[0].user, length,
	    (map(.amount) | add)] | @csv' | sed '1i window_start,user,count,sum_amount' \
	    > '$O/jq.csv'")
	line "jq (first $jn)" "$jn" "$t" "$O/jq.csv"
fi
