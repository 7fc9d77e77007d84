# Exactly once from Kafka to Kafka against weir-broker: the transactional
# pipeline (weir-sink --transactional-id: a transaction per checkpoint) next
# to the at-least-once one (weir-sink --state), both checkpointing every
# second, on the same N ~65-byte messages (1000000, or BENCH_N when
# smaller): five interleaved pairs of runs, the medians compared.  The run
# lasts several checkpoint intervals (about three on an idle machine), so
# the figure is mostly the steady state, as in a pipeline that runs for
# months; the fixed cost of a start and an end is measured apart (one
# message each way).  Topics have 64 partitions: weir-broker keeps only the
# last 5 MB of each partition's log, and the output is read back and
# compared with the input (every message exactly once; at-least-once: every
# message at least once).  weir-broker holds every run's output: about
# 1 GB of memory at the end.  kcat has no counterpart: it cannot produce in
# transactions or commit consumed offsets with them.
. bench/lib.sh
LC_ALL=C	# sort and comm alike
export LC_ALL
N=1000000
[ "$BENCH_N" -lt "$N" ] && N=$BENCH_N
P=64	# partitions of the input and output topics
D=$BENCH_DIR/eos
rm -rf "$D"
mkdir -p "$D"
head -n "$N" "$BENCH_DIR/clicks.ndjson" > "$D/msgs.ndjson"
R=5	# interleaved pairs of runs
topics=
for i in $(seq $R); do
	topics="$topics --topic alo$i:$P --topic eos$i:$P --topic eos$i.weir-progress:1"
done
weir-broker --topic in:$P $topics --topic onef_eos.weir-progress:1 \
    > "$D/broker.addr" 2>"$D/broker.err" &
broker=$!
trap 'kill $broker 2>/dev/null' EXIT
for i in $(seq 600); do [ -s "$D/broker.addr" ] && break; sleep 0.05; done
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
# run CMD: "seconds cpu-seconds", the CPU time (user and system) of the
# pipeline's processes, which a loaded machine changes less than seconds
run() {
	(
		t0=$(now)
		sh -c "$1" >/dev/null
		t1=$(now)
		times > "$D/cpu"	# not in a pipe: a child has no children
		awk -v a="$t0" -v b="$t1" 'function s(x) {
		    split(x, p, "m"); return p[1] * 60 + p[2] } NR == 2 {
		    printf "%.3f %.3f", b - a, s($1) + s($2) }' "$D/cpu"
	)
}
# R interleaved pairs (the machine's load changes between them): the
# median of each, and the spread of the pairs' ratios
: > "$D/times"
for i in $(seq $R); do
	echo "$(run "$(pipe alo$i)") $(run "$(pipe eos$i --transactional-id eos$i)")" >> "$D/times"
done
med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
alo=$(cut -d' ' -f1 "$D/times" | med)
eos=$(cut -d' ' -f3 "$D/times" | med)
alo_cpu=$(cut -d' ' -f2 "$D/times" | med)
eos_cpu=$(cut -d' ' -f4 "$D/times" | med)
spread=$(awk '{ r = $1 / $3; if (NR == 1 || r < lo) lo = r; if (NR == 1 || r > hi) hi = r }
    END { printf "%.2f-%.2f", lo, hi }' "$D/times")
# every message exactly once (the committed read of eos1), at least once
# (alo1): the topics read back, sorted, next to the input read the same way
weir-source -b "$B" -t in -e | weir-sink -f ndjson | sort > "$D/in.sorted"
weir-source -b "$B" -t eos1 -e --committed-only | weir-sink -f ndjson |
    sort > "$D/eos.sorted"
weir-source -b "$B" -t alo1 -e | weir-sink -f ndjson | sort > "$D/alo.sorted"
n_in=$(wc -l < "$D/in.sorted")
[ "$n_in" -eq "$N" ] || { echo "eos: $n_in of $N messages in the input topic"; exit 1; }
cmp -s "$D/in.sorted" "$D/eos.sorted" || { echo "eos: the committed output of eos1 is not the input exactly once ($(wc -l < "$D/eos.sorted") messages of $N)"; exit 1; }
[ -z "$(sort -u "$D/alo.sorted" | comm -23 "$D/in.sorted" -)" ] || { echo "eos: alo1 lost messages ($(wc -l < "$D/alo.sorted") of $N)"; exit 1; }
# the fixed cost of a start and an end: one message each way
one() {
	echo '{"x":1}' > "$D/one"
	secs "weir-source $D/one --checkpoint 1s --state $D/$1 |
	    weir-sink -b $B -t one$1 --state $D/$1 $2"
}
f_alo=$(one f_alo)
f_eos=$(one f_eos "--transactional-id f_eos")
echo "kafka to kafka: start and end of one message: at-least-once $f_alo s, exactly-once $f_eos s (init_transactions, the progress topic read, the last transaction)"
awk -v a="$alo" -v e="$eos" -v n="$N" -v r="$R" -v s="$spread" 'BEGIN {
    printf "kafka to kafka, checkpoint 1s, %d messages: at-least-once %.0f msg/s, exactly-once %.0f msg/s, ratio %.2f (medians of %d interleaved runs; pairs %s)\n",
    n, n / a, n / e, a / e, r, s }'
awk -v a="$alo_cpu" -v e="$eos_cpu" 'BEGIN {
    printf "kafka to kafka, checkpoint 1s, CPU seconds of the pipeline (not the broker): at-least-once %.2f, exactly-once %.2f, ratio %.2f\n",
    a, e, a / e }'
echo "kafka to kafka exactly once with kcat: not possible (no transactions)"
kill $broker
wait $broker 2>/dev/null
trap - EXIT
