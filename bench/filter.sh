# weir-filter with a two-clause predicate, next to jq and mlr on the same
# NDJSON file.  Every command reads the file and writes matching NDJSON.
# Sourced or run by bench/run (WEIR_BIN, BENCH_N, BENCH_DIR set).
. bench/lib.sh
f="$BENCH_DIR/clicks.ndjson"
n=$BENCH_N
out=$(rate "weir-filter" "$n" \
    "weir-source '$f' | weir-filter '.amount > 50 and .page == \"/p/7\"' | weir-sink -f ndjson")
echo "$out"
w=$(echo "$out" | awk '{ print $2 }')
# the filter stage alone, on frames made beforehand (what it adds to a pipeline)
weir-source "$f" > "$BENCH_DIR/clicks.wf"
rate "weir-filter (stage alone, frames in and out)" "$n" \
    "weir-filter '.amount > 50 and .page == \"/p/7\"' < '$BENCH_DIR/clicks.wf'"
rm -f "$BENCH_DIR/clicks.wf"
ratio() {
	awk -v w="$w" -v o="$2" -v name="$1" \
	    'BEGIN { if (o > 0) printf "weir-filter / %s: %.1fx\n", name, w / o }'
}
if command -v jq >/dev/null 2>&1; then
	out=$(rate "jq" "$n" "jq -c 'select(.amount > 50 and .page == \"/p/7\")' '$f'")
	echo "$out"
	ratio jq "$(echo "$out" | awk '{ print $2 }')"
fi
if command -v mlr >/dev/null 2>&1; then
	out=$(rate "mlr" "$n" "mlr --ijson --ojsonl filter '\$amount > 50 && \$page == \"/p/7\"' '$f'")
	echo "$out"
	ratio mlr "$(echo "$out" | awk '{ print $2 }')"
fi
