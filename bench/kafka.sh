# Kafka in and out against weir-broker, next to kcat on the same topics:
# consume N ~100-byte messages (weir-source -e | weir-sink -f ndjson, and
# kcat -C -e -q), produce the same N (weir-sink -b, and kcat -P).
# N = 200000, or BENCH_N when smaller.
. bench/lib.sh
if ! command -v kcat >/dev/null; then
	echo "kafka: kcat not installed, skipped"
	exit 0
fi
N=200000
[ "$BENCH_N" -lt "$N" ] && N=$BENCH_N
D=$BENCH_DIR/kafka
mkdir -p "$D"
# about 100 bytes a message: a click plus a note
head -n "$N" "$BENCH_DIR/clicks.ndjson" |
    awk '{ sub(/}$/, ",\"note\":\"" substr("abcdefghijklmnopqrstuvwxyz0123456789", 1, 100 - length($0) - 12) "\"}"); print }' \
    > "$D/msgs.ndjson"
bytes=$(wc -c < "$D/msgs.ndjson")
echo "# kafka: $N messages, $((bytes / N)) bytes each on average"

# 16 partitions: the broker keeps only the last 5 MB of each, and
# keyless messages fill partitions unevenly
weir-broker --topic in:16 --topic kout:16 --topic wout:16 > "$D/broker.addr" &
broker=$!
trap 'kill $broker 2>/dev/null' EXIT
for i in $(seq 100); do [ -s "$D/broker.addr" ] && break; sleep 0.05; done
B=$(head -1 "$D/broker.addr")

kcat -b "$B" -P -t in < "$D/msgs.ndjson"
got=$(kcat -b "$B" -C -t in -e -q -f '\n' | wc -l)
[ "$got" -eq "$N" ] || { echo "kafka: loaded $got of $N messages"; exit 1; }

ratio() {	# weir-seconds kcat-seconds
	awk -v w="$1" -v k="$2" -v n="$N" -v what="$3" 'BEGIN {
	    printf "%s: weir %.0f msg/s, kcat %.0f msg/s, ratio %.2f\n",
	    what, n / w, n / k, k / w }'
}
wc_=$(secs "weir-source -b $B -t in -e | weir-sink -f ndjson > /dev/null")
kc_=$(secs "kcat -b $B -C -t in -e -q > /dev/null")
ratio "$wc_" "$kc_" "consume"
wp_=$(secs "weir-sink -b $B -t wout < $D/msgs.ndjson")
kp_=$(secs "kcat -b $B -P -t kout < $D/msgs.ndjson")
ratio "$wp_" "$kp_" "produce"
got=$(weir-source -b "$B" -t wout -e | weir-sink -f lines | wc -l)
[ "$got" -eq "$N" ] || echo "kafka: weir-sink delivered $got of $N messages"
kill $broker
wait $broker 2>/dev/null
trap - EXIT
