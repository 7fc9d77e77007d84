# Exactly once from Kafka to Kafka against weir-broker: the transactional
# pipeline (weir-sink --transactional-id: a transaction per checkpoint) next
# to the at-least-once one (weir-sink --state), both checkpointing every
# second, on the same N ~100-byte messages (200000, or BENCH_N when
# smaller).  kcat has no counterpart: it cannot produce in transactions or
# commit consumed offsets with them.
. bench/lib.sh
N=200000
[ "$BENCH_N" -lt "$N" ] && N=$BENCH_N
D=$BENCH_DIR/eos
rm -rf "$D"
mkdir -p "$D"
head -n "$N" "$BENCH_DIR/clicks.ndjson" > "$D/msgs.ndjson"
weir-broker --topic in:16 --topic alo1:16 --topic alo2:16 --topic alo3:16 \
    --topic eos1:16 --topic eos2:16 --topic eos3:16 \
    --topic eos1.weir-progress:1 --topic eos2.weir-progress:1 \
    --topic eos3.weir-progress:1 --topic onef_eos.weir-progress:1 > "$D/broker.addr" 2>"$D/broker.err" &
broker=$!
trap 'kill $broker 2>/dev/null' EXIT
for i in $(seq 100); do [ -s "$D/broker.addr" ] && break; sleep 0.05; done
B=$(head -1 "$D/broker.addr")
weir-sink -b "$B" -t in < "$D/msgs.ndjson"

# pipe NAME [sink options]: one run, with its own state and output topic
pipe() {
	n=$1
	shift
	echo "weir-source -b $B -t in -e -X group.id=$n --checkpoint 1s \
	    --state $D/$n | weir-filter true --state $D/$n |
	    weir-sink -b $B -t $n --state $D/$n $*"
}
# best of three
alo= eos=
for i in 1 2 3; do
	t=$(secs "$(pipe alo$i)")
	alo=$(awk -v a="$t" -v b="$alo" 'BEGIN { print (b == "" || a < b) ? a : b }')
	t=$(secs "$(pipe eos$i --transactional-id eos$i)")
	eos=$(awk -v a="$t" -v b="$eos" 'BEGIN { print (b == "" || a < b) ? a : b }')
done
n_out=$(weir-source -b "$B" -t eos1 -e --committed-only | weir-sink -f ndjson | wc -l)
[ "$n_out" -eq "$N" ] || { echo "eos: $n_out of $N messages committed"; exit 1; }
# the fixed cost of a start and an end: one message each way
one() {
	echo '{"x":1}' > "$D/one"
	secs "weir-source $D/one --checkpoint 1s --state $D/$1 |
	    weir-sink -b $B -t one$1 --state $D/$1 $2"
}
f_alo=$(one f_alo)
f_eos=$(one f_eos "--transactional-id f_eos")
echo "kafka to kafka: start and end of one message: at-least-once $f_alo s, exactly-once $f_eos s (init_transactions, the progress topic read, the last transaction)"
awk -v a="$alo" -v e="$eos" -v n="$N" 'BEGIN {
    printf "kafka to kafka, checkpoint 1s: at-least-once %.0f msg/s, exactly-once %.0f msg/s, ratio %.2f\n",
    n / a, n / e, a / e }'
echo "kafka to kafka exactly once with kcat: not possible (no transactions)"
kill $broker
wait $broker 2>/dev/null
trap - EXIT
