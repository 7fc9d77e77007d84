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

# 128 partitions: the broker keeps only the last few MB of each, and
# keyless messages fill partitions unevenly
weir-broker --topic in:128 --topic kout:128 --topic wout:128 --topic jout:128 > "$D/broker.addr" &
broker=$!
trap 'kill $broker 2>/dev/null' EXIT
for i in $(seq 100); do [ -s "$D/broker.addr" ] && break; sleep 0.05; done
B=$(head -1 "$D/broker.addr")

# no sticky partitioning: keyless messages spread over every partition
kcat -b "$B" -P -t in -X sticky.partitioning.linger.ms=0 < "$D/msgs.ndjson"
got=$(kcat -b "$B" -C -t in -e -q -f '\n' | wc -l)
[ "$got" -eq "$N" ] || { echo "kafka: loaded $got of $N messages"; exit 1; }

# best of five: single runs of a tenth of a second are mostly noise
best() {
	b=
	for i in 1 2 3 4 5; do
		t=$(secs "$1")
		b=$(awk -v a="$t" -v b="$b" 'BEGIN { print (b == "" || a < b) ? a : b }')
	done
	echo "$b"
}
ratio() {	# weir-seconds kcat-seconds
	awk -v w="$1" -v k="$2" -v n="$N" -v what="$3" 'BEGIN {
	    printf "%s: weir %.0f msg/s, kcat %.0f msg/s, ratio %.2f\n",
	    what, n / w, n / k, k / w }'
}
wc_=$(best "weir-source -b $B -t in -e | weir-sink -f ndjson > /dev/null")
kc_=$(best "kcat -b $B -C -t in -e -q > /dev/null")
ratio "$wc_" "$kc_" "consume"
# like for like: kcat -P sends each line as it is, and so does -i lines;
# weir-sink's default also checks that each line is JSON
wp_=$(best "weir-sink -i lines -b $B -t wout < $D/msgs.ndjson")
kp_=$(best "kcat -b $B -P -t kout < $D/msgs.ndjson")
ratio "$wp_" "$kp_" "produce (weir-sink -i lines)"
wj_=$(best "weir-sink -b $B -t jout < $D/msgs.ndjson")
ratio "$wj_" "$kp_" "produce (weir-sink, each line checked as JSON)"
kill $broker
wait $broker 2>/dev/null
trap - EXIT
