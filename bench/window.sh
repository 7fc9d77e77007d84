# weir-window: tumbling, hopping and session windows on generated clicks
# (1 ms apart, one in five up to 2 s out of order), from a frame stream and
# end to end from NDJSON; next to mlr and jq tagging each record with its
# tumbling window (what they can do: no watermarks, lateness or sessions).
. bench/lib.sh
F=$BENCH_DIR/clicks.ndjson
N=$BENCH_N
W=$BENCH_DIR/clicks-window-$N.wf
[ -s "$W" ] || weir-source --time .ts --key .user --max-delay 2s "$F" > "$W"
rate "weir-window tumbling 1m --grace 10s (frames)" "$N" \
    "weir-window tumbling 1m --grace 10s < '$W'"
rate "weir-window hopping 1m 10s (frames, 6 copies each)" "$N" \
    "weir-window hopping 1m 10s < '$W'"
rate "weir-window session 30s per user (frames)" "$N" \
    "weir-window session 30s < '$W'"
rate "weir-source | weir-window tumbling 1m | weir-sink -f envelope" "$N" \
    "weir-source --time .ts --max-delay 2s '$F' | weir-window tumbling 1m |
    weir-sink -f envelope"
if command -v mlr >/dev/null; then
	rate "mlr put window_start (for scale)" "$N" \
	    "mlr --ijson --ojsonl put '\$window_start = \$ts - \$ts % 60000' '$F'"
fi
if command -v jq >/dev/null; then
	rate "jq window_start (for scale)" "$N" \
	    "jq -c '.window_start = .ts - .ts % 60000' '$F'"
fi
