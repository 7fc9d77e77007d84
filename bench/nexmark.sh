#!/bin/sh
# make bench-nexmark: every Nexmark query of pipelines/nexmark on N
# generated events (NEXMARK_N, default 10,000,000; under bench/run,
# BENCH_N), each run whole by weir-run with the generator as its source.
# Per query: events per second of wall time, and events per CPU-second,
# user + system time of weir-run and every process it started (the
# generator included), as /usr/bin/time reports for the whole tree.
# NEXMARK_QUERIES="q0 q5" runs only those.
# NEXMARK_CHECKPOINT=1s runs every query with checkpoints on, every 1s
# (a copy of its pipeline with "checkpoint: {interval: 1s, dir: ...}", so
# every stage saves its state and the sink syncs its output at each one);
# (`make bench-nexmark NEXMARK_CHECKPOINT=1s`).
set -e
cd "$(dirname "$0")/.."
: "${WEIR_BIN:=$PWD/bin}"
: "${NEXMARK_N:=${BENCH_N:-10000000}}"
export PATH="$WEIR_BIN:$PATH"
[ -x /usr/bin/time ] || { echo "bench/nexmark.sh: needs /usr/bin/time (GNU time)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/weir-nexmark.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# Flink's per-core throughput from the Nexmark repository's GUIDE_V2
# result table (events/s per core), for comparison only.
flink() {
	case $1 in
	q0) echo 379000 ;; q1) echo 395000 ;; q2) echo 414000 ;;
	q3) echo 219000 ;; q4) echo 28000 ;; q5) echo 74500 ;;
	q7) echo 22900 ;; q8) echo 162000 ;; *) echo - ;;
	esac
}

queries=${NEXMARK_QUERIES:-$(ls pipelines/nexmark/q*.yaml | sed 's,.*/,,; s,\.yaml$,,' | sort -k1.2n)}
echo "# Nexmark: $NEXMARK_N events per query (generator: weir-source --gen nexmark, 10000 events/s of event time)"
if [ -n "${NEXMARK_CHECKPOINT:-}" ]; then
	echo "# checkpoints on: every $NEXMARK_CHECKPOINT (weir-run's checkpoint: in each pipeline; the gen row has none)"
fi
echo "# machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# Flink per core: Flink's own published figures (nexmark GUIDE_V2,"
echo "# Flink on Flink's cluster with exactly-once checkpoints), not a run here."
echo "# Nexmark's Flink queries write to a blackhole sink; here every result row"
echo "# is formatted as NDJSON and written to /dev/null, counted in the CPU time;"
echo "# rows are counted by a second, untimed run into wc -l (NEXMARK_ROWS=0: not)."
printf '%-6s %12s %14s %10s %9s %14s %8s\n' query "events/s" "events/CPU-s" "CPU s" "wall s" "Flink/core" "x Flink"
run() {	# name command...: one timed run
	name=$1
	shift
	# into /dev/null: a pipe into a counter would add its copy of every
	# row to the pipeline's system time
	/usr/bin/time -f '%e %U %S' -o "$tmp/time" "$@" > /dev/null || :
	if grep -q 'exited with non-zero' "$tmp/time"; then
		echo "$name: FAILED ($(head -n 1 "$tmp/time"))"
		return
	fi
	rows=-1
	if [ "${NEXMARK_ROWS:-1}" != 0 ]; then
		[ -z "${NEXMARK_CHECKPOINT:-}" ] || rm -rf "$tmp/st"
		rows=$("$@" | wc -l)
	fi
	read -r wall user sys < "$tmp/time"
	f=$(flink "$name")
	awk -v q="$name" -v n="$NEXMARK_N" -v w="$wall" -v u="$user" -v s="$sys" \
	    -v f="$f" -v rows="$rows" 'BEGIN {
		cpu = u + s; if (w <= 0) w = 0.001; if (cpu <= 0) cpu = 0.001
		x = (f == "-") ? "-" : sprintf("%.1f", n / cpu / f)
		printf "%-6s %12.0f %14.0f %10.2f %9.2f %14s %8s  (%d rows)\n",
		    q, n / w, n / cpu, cpu, w, f, x, rows }'
}
run gen sh -c "weir-source --gen nexmark --count $NEXMARK_N | weir-sink -f ndjson"
for q in $queries; do
	y=pipelines/nexmark/$q.yaml
	if [ -n "${NEXMARK_CHECKPOINT:-}" ]; then
		rm -rf "$tmp/st"
		{ echo "checkpoint: {interval: $NEXMARK_CHECKPOINT, dir: $tmp/st}"
		  cat "$y"; } > "$tmp/$q.yaml"
		y=$tmp/$q.yaml
	fi
	# q10 writes files (OUT), not rows: into the scratch directory
	run "$q" env COUNT="$NEXMARK_N" OUT="$tmp/q10" weir-run "$y"
done
