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
