#!/usr/bin/env bats
# Nothing silent (issue 11): a failure travels down the pipeline, and what a
# program cannot write or read is said, never dropped without a word.

load helpers

# background processes a test started, stopped by PID whatever happens
teardown() {
	[ -z "${PIDS:-}" ] || kill $PIDS 2>/dev/null || true
	rm -rf "$T"
}

@test "a source that fails before its first frame fails the whole pipeline" {
	run bash -o pipefail -c "weir-source '$T/missing.ndjson' | weir-agg count \
	    | weir-sink; echo \"status \${PIPESTATUS[*]}\""
	[[ "$output" == *"status 3 3 3"* ]]
	[[ "$output" == *"missing.ndjson"* ]]
	[[ "$output" == *"weir-agg: "*"without END"* ]]
}

@test "every frame-writing stage writes the stream header when it starts" {
	# the reader sees a stream cut short, not an empty one
	for p in "weir-source" "weir-filter true" "weir-map x=1" \
	    "weir-agg count" "weir-window tumbling 1m" "weir-sink -f framed"; do
		run bash -o pipefail -c "sleep 2 | timeout -s KILL 1 $p | od -An -c | head -1"
		[[ "$output" == *"W   E   I   R"* ]] || { echo "$p: $output"; return 1; }
	done
}

@test "-X @DIRECTORY is an error naming the path, not an empty file" {
	mkdir "$T/props"
	for p in "weir-source -b 127.0.0.1:1 -t t -e -m 1" \
	    "weir-sink -b 127.0.0.1:1 -t t -m 1"; do
		run limit bash -o pipefail -c "$p -X @'$T/props' < /dev/null > /dev/null"
		[ "$status" -eq 2 ] || { echo "$p: $status $output"; return 1; }
		[[ "$output" == *"$T/props"* ]]
	done
}

@test "an invalid WEIR_MAX_RECORD is an error (exit 2), not ignored" {
	ndjson '{"a":1}'
	for v in lots 16X 16MiB 100 2G -1 99999999999999999999; do
		run bash -o pipefail -c "WEIR_MAX_RECORD='$v' weir-sink < '$T/in.ndjson'"
		[ "$status" -eq 2 ] || { echo "$v: $status $output"; return 1; }
		[[ "$output" == *"WEIR_MAX_RECORD"*"$v"* ]]
	done
	for v in 1024 64k 64M 64MB 1G ''; do
		run bash -o pipefail -c "WEIR_MAX_RECORD='$v' weir-sink < '$T/in.ndjson'"
		[ "$status" -eq 0 ] || { echo "$v: $status $output"; return 1; }
	done
	run bash -o pipefail -c "WEIR_MAX_RECORD=x weir-run --check /dev/null"
	[ "$status" -eq 2 ]
}

@test "invalid UTF-8 in a CSV header is bad data (exit 1), not I/O" {
	printf 'a,\377b\n1,2\n' > "$T/in.csv"
	run bash -o pipefail -c "weir-source '$T/in.csv' > /dev/null"
	[ "$status" -eq 1 ]
	[[ "$output" == *"header is not valid UTF-8"* ]]
	run bash -o pipefail -c "weir-sink -i csv < '$T/in.csv'"
	[ "$status" -eq 1 ]
	run bash -o pipefail -c "weir-filter -i csv true < '$T/in.csv'"
	[ "$status" -eq 1 ]
	run weir-check --not-null .a "$T/in.csv"
	[ "$status" -eq 1 ]
	[[ "$output" == *"header is not valid UTF-8"* ]]
}

@test "weir-source refuses a record whose frame its readers would refuse" {
	# a 40 kB line keyed by its 40 kB field: an 80 kB frame over a 64k limit
	python3 -c 'print("{\"k\":\"a\",\"n\":1}"); print("{\"k\":\"" + "x" * 40000 + "\"}"); print("{\"k\":\"b\",\"n\":2}")' > "$T/in.ndjson"
	export WEIR_MAX_RECORD=64k
	run bash -o pipefail -c "weir-source --key .k '$T/in.ndjson' | weir-sink > /dev/null; \
	    echo status \${PIPESTATUS[*]}"
	[[ "$output" == *"weir-source: "*"in.ndjson:2: "*"exceeds the record limit"* ]]
	[[ "$output" == *"status 1 3" ]]
	# --on-error skip: the other records go on and the reader is happy
	run bash -o pipefail -c "weir-source --on-error skip --key .k '$T/in.ndjson' \
	    | weir-map y=1 | weir-sink -f csv --fields n"
	[ "$status" -eq 0 ]
	[[ "$output" == *"skipped 1 bad record"* ]]
	[ "$(echo "$output" | grep -c '^[12]$')" -eq 2 ]
}

@test "a stage refuses to write a frame over the record limit (bad data, exit 1)" {
	python3 -c 'print("{\"k\":\"" + "x" * 40000 + "\"}")' > "$T/in.ndjson"
	run bash -o pipefail -c "weir-source '$T/in.ndjson' \
	    | WEIR_MAX_RECORD=64k weir-map 'a=.k' 'b=.k' | weir-sink > /dev/null; \
	    echo status \${PIPESTATUS[*]}"
	[[ "$output" == *"status 0 1 3" ]]
	[[ "$output" == *"weir-map: "*"exceeds the record limit"* ]]
}

@test "a 9 MB line keyed by its 9 MB field is refused at the source (default limit)" {
	python3 -c 'print("{\"k\":\"" + "x" * 9000000 + "\"}")' > "$T/in.ndjson"
	run bash -o pipefail -c "weir-source --key .k '$T/in.ndjson' | weir-sink > /dev/null; \
	    echo status \${PIPESTATUS[*]}"
	[[ "$output" == *"weir-source: "*"exceeds the record limit of 16777216 bytes"* ]]
	[[ "$output" == *"status 1 3" ]]
}

# frames FILE N: a weir stream of N records cut short (no END) into FILE
cut_stream() {
	weir-source --gen clicks --count "$2" | head -c -2 > "$1"
}

@test "weir-sink -o: a failed run leaves the old file whole, a good one replaces it" {
	echo old > "$T/out.csv"
	chmod 640 "$T/out.csv"
	cut_stream "$T/cut.wf" 50000
	run bash -o pipefail -c "weir-sink -f csv -o '$T/out.csv' < '$T/cut.wf'"
	[ "$status" -eq 3 ]
	[ "$(cat "$T/out.csv")" = old ]
	[ "$(ls -A "$T" | wc -l)" -eq 2 ]	# no temporary file left
	weir-source --gen clicks --count 10 | weir-sink -f csv -o "$T/out.csv"
	[ "$(wc -l < "$T/out.csv")" -eq 11 ]
	[ "$(stat -c %a "$T/out.csv")" = 640 ]
	[ "$(ls -A "$T" | wc -l)" -eq 2 ]
	# through a symbolic link: the file it names is replaced, the link stays
	ln -s out.csv "$T/link.csv"
	weir-source --gen clicks --count 3 | weir-sink -f csv -o "$T/link.csv"
	[ -L "$T/link.csv" ]
	[ "$(wc -l < "$T/out.csv")" -eq 4 ]
	# a new file gets the usual mode (umask), a device is written in place
	(umask 027; weir-source --gen clicks --count 3 | weir-sink -o "$T/new.ndjson")
	[ "$(stat -c %a "$T/new.ndjson")" = 640 ]
	weir-source --gen clicks --count 3 | weir-sink -o /dev/null
	# -a appends in place
	weir-source --gen clicks --count 2 | weir-sink -f csv -a -o "$T/out.csv"
	[ "$(wc -l < "$T/out.csv")" -eq 7 ]
}

@test "weir-sink -o: while it runs and after its source is killed, the old file stays" {
	echo old > "$T/out.ndjson"
	mkfifo "$T/fifo"
	weir-source --gen clicks --rate 5000 --count 50000 > "$T/fifo" &
	spid=$!
	limit weir-sink -o "$T/out.ndjson" < "$T/fifo" &
	kpid=$!
	PIDS="$spid $kpid"
	sleep 1
	[ "$(cat "$T/out.ndjson")" = old ]
	kill -9 $spid
	st=0
	wait $kpid || st=$?
	[ "$st" -eq 3 ]
	[ "$(cat "$T/out.ndjson")" = old ]
	[ "$(ls -A "$T" | wc -l)" -eq 2 ]
}

@test "weir-check -o and --reject: a failed run keeps the old files" {
	echo old > "$T/report.xml"
	echo old > "$T/rej.ndjson"
	cut_stream "$T/cut.wf" 1000
	run weir-check --not-null .user --reject "$T/rej.ndjson" --report junit \
	    -o "$T/report.xml" "$T/cut.wf"
	[ "$status" -eq 3 ]
	[ "$(cat "$T/report.xml")" = old ]
	[ "$(cat "$T/rej.ndjson")" = old ]
	[ "$(ls -A "$T" | wc -l)" -eq 3 ]
	# a failed check is a finished run: both files are written
	ndjson '{"user":1}' '{"user":null}'
	run weir-check --not-null .user --reject "$T/rej.ndjson" --report junit \
	    -o "$T/report.xml" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	grep -q '<testsuite' "$T/report.xml"
	[ "$(cat "$T/rej.ndjson")" = '{"user":null}' ]
}

@test "csv, tsv and table name each field they drop, with a count" {
	ndjson '{"a":1}' '{"a":2,"b":3}' '{"a":3,"b":4,"c":"x"}' '{"b":5}'
	for f in csv tsv table; do
		run bash -o pipefail -c "weir-sink -f $f < '$T/in.ndjson' 2>&1 >/dev/null"
		[ "$status" -eq 0 ]
		[[ "$output" == *"weir-sink: "*".b"*"dropped from 3 records"*"--all-fields"* ]] ||
		    { echo "$f: $output"; return 1; }
		[[ "$output" == *".c"*"dropped from 1 record"* ]]
		[[ "$output" != *".a"*dropped* ]]
	done
	# the same from a stage writing text
	run bash -o pipefail -c "weir-filter -f csv true < '$T/in.ndjson' 2>&1 >/dev/null"
	[[ "$output" == *"weir-filter: "*".b"*"dropped from 3 records"* ]]
	# a stream of ever new names: 31 named, then one count for the rest
	python3 -c 'print("{\"a\":0}")
for i in range(40): print("{\"a\":1,\"f%d\":1}" % i)' > "$T/many.ndjson"
	run bash -o pipefail -c "weir-sink -f csv < '$T/many.ndjson' 2>&1 >/dev/null"
	[ "$(echo "$output" | grep -c 'dropped from 1 record ')" -eq 31 ]
	[[ "$output" == *"other fields dropped from 9 records"* ]]
	# --fields chooses the columns: nothing to say
	run bash -o pipefail -c "weir-sink -f csv --fields a < '$T/in.ndjson' 2>&1 >/dev/null"
	[ -z "$output" ]
}

@test "--all-fields: csv, tsv and table with every field of every record" {
	ndjson '{"a":1}' '{"a":2,"b":3}' '{"a":3,"b":4,"c":"x,y"}' '{"b":5}'
	run weir-sink -f csv --all-fields < "$T/in.ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a,b,c\n1,,\n2,3,\n3,4,"x,y"\n,5,')" ]
	run weir-sink -f tsv --all-fields < "$T/in.ndjson"
	[ "$output" = "$(printf 'a\tb\tc\n1\t\t\n2\t3\t\n3\t4\tx,y\n\t5\t')" ]
	run weir-sink -f table --all-fields < "$T/in.ndjson"
	[ "${lines[0]}" = "a  b  c" ]
	[ "${#lines[@]}" -eq 5 ]
	run weir-sink -f ndjson --all-fields < "$T/in.ndjson"
	[ "$status" -eq 2 ]
	run weir-sink -f csv --all-fields --fields a < "$T/in.ndjson"
	[ "$status" -eq 2 ]
}

@test "a frame over the record limit under --on-error FILE: the file gets the record's JSON" {
	python3 -c 'print("{\"k\":\"" + "x" * 40000 + "\"}")' > "$T/in.ndjson"
	echo '{"k":"y"}' >> "$T/in.ndjson"
	run bash -o pipefail -c "weir-source '$T/in.ndjson' \
	    | WEIR_MAX_RECORD=64k weir-map --on-error '$T/bad' 'a=.k' 'b=.k' 2> '$T/err' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = '{"k":"y","a":"y","b":"y"}' ]
	[ "$(wc -l < "$T/bad")" -eq 1 ]
	[ "$(jq -r '.a | length' "$T/bad")" -eq 40000 ]
}
