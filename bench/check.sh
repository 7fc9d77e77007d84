# weir-check with three value rules (not null, range, regex) over the
# clicks, next to jq and mlr selecting the records that break them (what
# a hand-written check does).  Sourced or run by bench/run (WEIR_BIN,
# BENCH_N, BENCH_DIR set).
. bench/lib.sh
f="$BENCH_DIR/clicks.ndjson"
n=$BENCH_N
out=$(rate "weir-check" "$n" \
    "weir-check --not-null .user --range .amount=0..100 --regex '.page=^/p/[0-9]+\$' '$f'")
echo "$out"
w=$(echo "$out" | awk '{ print $2 }')
rate "weir-check + unique .ts" "$n" \
    "weir-check --not-null .user --range .amount=0..100 --regex '.page=^/p/[0-9]+\$' --unique .ts '$f' || true"
ratio() {
	awk -v w="$w" -v o="$2" -v name="$1" \
	    'BEGIN { if (o > 0) printf "weir-check / %s: %.1fx\n", name, w / o }'
}
if command -v jq >/dev/null 2>&1; then
	out=$(rate "jq" "$n" "jq -c 'select(.user == null or .amount < 0 or .amount > 100 or (.page | test(\"^/p/[0-9]+\$\") | not))' '$f'")
	echo "$out"
	ratio jq "$(echo "$out" | awk '{ print $2 }')"
fi
if command -v mlr >/dev/null 2>&1; then
	out=$(rate "mlr" "$n" "mlr --ijson --ojsonl filter 'is_absent(\$user) || \$amount < 0 || \$amount > 100 || !(\$page =~ \"^/p/[0-9]+\$\")' '$f'")
	echo "$out"
	ratio mlr "$(echo "$out" | awk '{ print $2 }')"
fi
