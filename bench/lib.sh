# Helpers for bench/*.sh: time a shell command, print records/s.
# rate NAME RECORDS CMD...  -> "NAME: 1234567 records/s (0.81 s)"
now() { date +%s.%N; }
rate() {
	name=$1 n=$2
	shift 2
	t0=$(now)
	sh -c "$*" >/dev/null
	t1=$(now)
	awk -v n="$n" -v a="$t0" -v b="$t1" -v name="$name" \
	    'BEGIN { s = b - a; printf "%s: %.0f records/s (%.2f s)\n", name, n / s, s }'
}
# secs CMD... -> elapsed seconds
secs() {
	t0=$(now)
	sh -c "$*" >/dev/null
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
