#!/usr/bin/env bats
# weir-sink --path: one file per time bucket (strftime on the event time
# or a field, UTC), a bounded number open at once.
load helpers

# times: records at these epoch seconds, in this order, as frames
times() {
	for s in "$@"; do printf '{"t":%d,"v":"%s"}\n' "$((s * 1000))" "$s"; done |
	    weir-source --time .t --max-delay 1d > "$T/in.wf"
}

@test "--path: each record in the file its event time names, directories made" {
	times 0 59 60 3600 86400 61
	run bash -o pipefail -c "cd '$T' && weir-sink -f ndjson --path 'o/d=%Y-%m-%d/%H%M.ndjson' < in.wf"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	(cd "$T/o" && find . -type f | sort) > "$T/files"
	[ "$(cat "$T/files")" = "$(printf '%s\n' ./d=1970-01-01/0000.ndjson ./d=1970-01-01/0001.ndjson \
	    ./d=1970-01-01/0100.ndjson ./d=1970-01-02/0000.ndjson)" ]
	[ "$(jq -r .v "$T/o/d=1970-01-01/0001.ndjson" | tr '\n' ' ')" = "60 61 " ]
}

@test "--path --max-open 1: files closed and reopened keep every record, a CSV header once" {
	times 0 3600 0 3600 7200 0
	run bash -o pipefail -c "cd '$T' && weir-sink -f csv --fields v --max-open 1 --path 'o/%H.csv' < in.wf"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/o/00.csv" | tr '\n' ' ')" = "v 0 0 0 " ]
	[ "$(cat "$T/o/01.csv" | tr '\n' ' ')" = "v 3600 3600 " ]
	# a second run starts the files afresh; -a appends
	times 0
	(cd "$T" && weir-sink -f csv --fields v --path 'o/%H.csv' < in.wf)
	[ "$(cat "$T/o/00.csv" | tr '\n' ' ')" = "v 0 " ]
	(cd "$T" && weir-sink -a -f csv --fields v --path 'o/%H.csv' < in.wf)
	[ "$(cat "$T/o/00.csv" | tr '\n' ' ')" = "v 0 0 " ]
	[ "$(cat "$T/o/01.csv" | tr '\n' ' ')" = "v 3600 3600 " ]
}

@test "--path: many buckets out of order through 3 open files against an oracle" {
	python3 -c '
import json, random
random.seed(4)
for i in range(3000):
    print(json.dumps({"t": random.randrange(0, 40) * 60000 + i, "i": i}))' > "$T/in.ndjson"
	weir-source --time .t --max-delay 1h "$T/in.ndjson" |
	    (cd "$T" && limit weir-sink -f framed --max-open 3 --path 'o/%H-%M.wf')
	for f in "$T"/o/*.wf; do
		weir-sink -f ndjson < "$f" | jq -r --arg f "$(basename "$f" .wf)" '"\($f) \(.i)"'
	done | sort > "$T/got"
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    m = r["t"] // 60000
    print("%02d-%02d %d" % (m // 60, m % 60, r["i"]))' "$T/in.ndjson" | sort > "$T/want"
	[ "$(ls "$T/o" | wc -l)" -eq 40 ]
	cmp "$T/want" "$T/got"
}

@test "--path-time: the bucket from a field; a record without a time is bad input" {
	printf '%s\n' '{"at":"2024-03-01T10:00:00Z","v":1}' '{"at":1709290799999,"v":2}' '{"v":3}' > "$T/in.ndjson"
	run bash -o pipefail -c "cd '$T' && weir-sink --path-time .at --path 'o/%Y%m%d-%H' --on-error skip < in.ndjson"
	[ "$status" -eq 0 ]
	# an ISO 8601 string and epoch milliseconds: the same hour
	[ "$(ls "$T/o")" = 20240301-10 ]
	[ "$(jq -r .v "$T/o/20240301-10" | tr '\n' ' ')" = "1 2 " ]
	run bash -o pipefail -c "cd '$T' && weir-sink --path 'o/%H' < in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"without an event time"* ]]
}

@test "--path: usage errors" {
	while IFS='|' read -r args msg; do
		run weir-sink $args < /dev/null
		[ "$status" -eq 2 ] || { echo "$args: $status"; false; }
		[[ "$output" == *"$msg"* ]] || { echo "$args: $output"; false; }
	done <<-'EOF2'
	--path out.ndjson|no time in the name
	--path o/%H -o x|--path writes files of its own
	--path o/%H -f table|--path writes files of its own
	--path o/%H -f csv --state S|needs --fields
	--path o/%H --max-open 0|--max-open takes a count
	--max-open 3|go with --path
	--path-time .t|go with --path
	EOF2
}

@test "--path --state: killed with SIGKILL 15 times, every file ends as in an undisturbed run" {
	cd "$T"
	G="weir-source --gen clicks --count 40000 --seed 6 --max-delay 2s"
	P="--max-open 3 --path o/%M/%S.ndjson"
	$G | weir-sink $P
	mv o ref
	LIMIT=150 limit python3 "$BATS_TEST_DIRNAME/../ckpt_kill.py" --rounds 15 \
	    --seed 41 --min 300 --max 1200 chain \
	    "$G --rate 8000 --checkpoint 100ms --state st" \
	    "weir-sink $P --state st" > log 2>&1 || { cat log; false; }
	# the sink was killed after a checkpoint and went on from one
	grep -q 'killed stage 1' log
	[ -s st/COMMITTED ]
	[ "$(find ref -type f | wc -l)" -gt 30 ]
	diff -r ref o
}


@test "--path --on-error FILE: a bad record from frames is written as its JSON text" {
	printf '%s\n' '{"at":1709290799999,"v":1}' '{"v":"no time","n":[1,2.5]}' |
	    weir-source > "$T/in.wf"
	run bash -o pipefail -c "cd '$T' && weir-sink --path-time .at --path 'o/%H' --on-error bad < in.wf"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/bad")" = '{"v":"no time","n":[1,2.5]}' ]
}
