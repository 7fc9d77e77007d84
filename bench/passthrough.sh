# Passthrough: the generator alone, and NDJSON in, frames between, NDJSON out,
# next to cat | cat (the ceiling) on the same file.
. bench/lib.sh
F=$BENCH_DIR/clicks.ndjson
N=$BENCH_N
rate "weir-source --gen clicks (frames)" "$N" "weir-source --gen clicks --count $N"
rate "weir-source | weir-sink (ndjson -> frames -> ndjson)" "$N" \
    "weir-source '$F' | weir-sink -f ndjson"
rate "cat | cat (ceiling)" "$N" "cat '$F' | cat"
if command -v jq >/dev/null; then
	rate "jq -c . (for scale)" "$N" "jq -c . '$F'"
fi
nd=$(wc -c < "$F")
fr=$(weir-source "$F" | wc -c)
awk -v a="$nd" -v b="$fr" 'BEGIN { printf "frame stream: %d bytes for %d bytes of NDJSON (%.1f%%)\n", b, a, 100 * b / a }'
# A pass-through stage: frames in, the same frames out (weir-filter true),
# its CPU time (user + system) per record, median of 5 runs.
weir-source "$F" > "$BENCH_DIR/clicks.frames"
for i in 1 2 3 4 5; do
	/usr/bin/time -f '%U %S' -o "$BENCH_DIR/pt.time" \
	    weir-filter true < "$BENCH_DIR/clicks.frames" > /dev/null
	awk -v n="$N" '{ printf "%.0f\n", ($1 + $2) * 1e9 / n }' "$BENCH_DIR/pt.time"
done | sort -n | awk '{ v[NR] = $1 } END {
	printf "a pass-through stage (weir-filter true, frames to frames): %d ns CPU per record (median of 5; %d-%d)\n", v[3], v[1], v[5] }'
rm -f "$BENCH_DIR/clicks.frames" "$BENCH_DIR/pt.time"
