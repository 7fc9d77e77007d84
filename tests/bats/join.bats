#!/usr/bin/env bats
# weir-join: options, stream-table joins, and the sqlite3 oracle for
# stream-table joins (a table file, and a table stream whose updates and
# deletes arrive between stream records in a controlled order).

load helpers

# sqlite3 prints NULL as an empty cell, as jq's @tsv prints null
sql() {
	sqlite3 -batch -separator "$(printf '\t')" "$T/db" "$@"
}

@test "join: usage errors exit 2" {
	run weir-join
	[ "$status" -eq 2 ]
	run weir-join --table /dev/null --right /dev/null
	[ "$status" -eq 2 ]
	run weir-join --right /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"--within"* ]]
	run weir-join --table /dev/null --type outer
	[ "$status" -eq 2 ]
	run weir-join --table /dev/null --within 1s
	[ "$status" -eq 2 ]
	run weir-join --table /dev/null --prefix a --as b
	[ "$status" -eq 2 ]
	run weir-join --right /dev/null --within 1s --before 1s --after 2s
	[ "$status" -eq 2 ]
	run weir-join --table /dev/null --on '.a[' 
	[ "$status" -eq 2 ]
	run weir-join --table "$T/missing"
	[ "$status" -eq 3 ]
	run weir-join --table fd:9
	[ "$status" -eq 3 ]
}

@test "join: help and version" {
	run weir-join --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--table SOURCE"* ]]
	run weir-join --version
	[ "$status" -eq 0 ]
}

@test "join: stream-table merge, --prefix, --as, left, clash reported once" {
	printf '%s\n' '{"id":"u1","name":"ann","user":"X"}' \
	    '{"id":"u2","name":"bob"}' > "$T/users.ndjson"
	ndjson '{"user":"u1","n":1}' '{"user":"u3","n":2}' '{"user":"u2","n":3}' \
	    '{"user":"u1","n":4}'
	run bash -o pipefail -c "weir-join --table $T/users.ndjson --on .user=.id \
	    < $T/in.ndjson 2>$T/err | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"user":"u1","n":1,"id":"u1","name":"ann"}' ]
	[ "${lines[1]}" = '{"user":"u2","n":3,"id":"u2","name":"bob"}' ]
	[ "${lines[2]}" = '{"user":"u1","n":4,"id":"u1","name":"ann"}' ]
	[ "${#lines[@]}" -eq 3 ]
	# the clash is told once, not per record
	[ "$(grep -c "field 'user' is on both sides" "$T/err")" -eq 1 ]
	run bash -o pipefail -c "weir-join --table $T/users.ndjson --on .user=.id --type left \
	    --prefix u_ < $T/in.ndjson | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"user":"u1","n":1,"u_id":"u1","u_name":"ann","u_user":"X"}' ]
	[ "${lines[1]}" = '{"user":"u3","n":2}' ]
	[ "${#lines[@]}" -eq 4 ]
	run bash -o pipefail -c "weir-join --table fd:3 --on .user=.id --as u 3<$T/users.ndjson \
	    < $T/in.ndjson | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = '{"user":"u2","n":3,"u":{"id":"u2","name":"bob"}}' ]
}

@test "join: record keys, composite keys, tombstones in a framed table" {
	# the table as envelopes: keys, and a null value deleting u2
	printf '%s\n' '{"key":"u1","value":{"name":"ann"}}' \
	    '{"key":"u2","value":{"name":"bob"}}' \
	    '{"key":"u3","value":{"name":"cy"}}' \
	    '{"key":"u2","value":null}' \
	    '{"key":"u1","value":{"name":"ann2"}}' |
	    weir-source -f envelope > "$T/table.wf"
	printf '%s\n' '{"key":"u1","value":{"n":1}}' '{"key":"u2","value":{"n":2}}' \
	    '{"key":"u3","value":{"n":3}}' | weir-source -f envelope > "$T/in.wf"
	run bash -o pipefail -c "weir-join --table $T/table.wf < $T/in.wf | weir-sink -f envelope"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"key":"u1","value":{"n":1,"name":"ann2"}}' ]
	[ "${lines[1]}" = '{"key":"u3","value":{"n":3,"name":"cy"}}' ]
	[ "${#lines[@]}" -eq 2 ]
	# composite: both parts must match; "a","bc" is not "ab","c"
	printf '%s\n' '{"x":"a","y":"bc","v":1}' '{"x":"ab","y":"c","v":2}' \
	    > "$T/t.ndjson"
	ndjson '{"p":"a","q":"bc"}' '{"p":"ab","q":"c"}' '{"p":"a","q":"c"}'
	run bash -o pipefail -c "weir-join --table $T/t.ndjson --on .p=.x --on .q=.y \
	    < $T/in.ndjson | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"p":"a","q":"bc","x":"a","y":"bc","v":1}' ]
	[ "${lines[1]}" = '{"p":"ab","q":"c","x":"ab","y":"c","v":2}' ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "join: bad records follow --on-error; watermarks pass through" {
	printf '%s\n' '{"id":"u1","name":"ann"}' '[1,2]' > "$T/users.ndjson"
	ndjson '{"user":"u1"}'
	run bash -o pipefail -c "weir-join --table $T/users.ndjson --on .user=.id \
	    < $T/in.ndjson > /dev/null"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no join key"* ]]
	run bash -o pipefail -c "weir-join --table $T/users.ndjson --on .user=.id \
	    --on-error skip < $T/in.ndjson | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[[ "$output" == *'{"user":"u1","id":"u1","name":"ann"}'* ]]
	[[ "$output" == *"skipped 1"* ]]
	# the left stream's watermarks go downstream unchanged
	printf '%s\n' '{"ts":1000,"user":"u1"}' '{"ts":3000,"user":"u1"}' |
	    weir-source --time .ts --max-delay 500ms > "$T/in.wf"
	weir-join --table "$T/users.ndjson" --on .user=.id --on-error skip \
	    < "$T/in.wf" 2>/dev/null > "$T/out.wf"
	run weir-source -f framed "$T/out.wf"
	[ "$status" -eq 0 ]
	# framed output ends with END after the last watermark (2500)
	run bash -o pipefail -c "od -An -c $T/out.wf | tr -d ' \n'"
	[[ "$output" == *'004\0' ]]
}

@test "join: upstream without END on the table stream exits 3" {
	printf '%s\n' '{"id":"u1"}' | weir-source > "$T/t.wf"
	head -c -2 "$T/t.wf" > "$T/cut.wf"
	ndjson '{"user":"u1"}'
	run bash -o pipefail -c "weir-join --table $T/cut.wf --on .user=.id < $T/in.ndjson"
	[ "$status" -eq 3 ]
	[[ "$output" == *"without END"* ]]
}

# The users table as a changelog file: upserts and deletes, keyed.
gen_table_ops() {
	awk -v seed="$1" -v n="$2" 'BEGIN {
		srand(seed)
		for (i = 1; i <= n; i++) {
			k = "u" int(rand() * 300)
			if (rand() < 0.2)
				printf "{\"key\":\"%s\",\"value\":null}\t%d\t%s\t\t\t1\n", k, i, k
			else
				printf "{\"key\":\"%s\",\"value\":{\"id\":\"%s\",\"name\":\"n%d\",\"tier\":%d}}\t%d\t%s\tn%d\t%d\t0\n",
				    k, k, i, i % 5, i, k, i, i % 5
		}
	}'
}

@test "join: stream-table from a changelog file equals sqlite3 (inner, left)" {
	gen_table_ops 7 2000 > "$T/ops"
	cut -f1 "$T/ops" > "$T/table.env"
	cut -f2- "$T/ops" > "$T/ops.tsv"
	weir-source --gen clicks --count 5000 --users 400 --seed 3 |
	    weir-sink -f ndjson > "$T/clicks.ndjson"
	jq -r '[.ts, .user, .page] | @tsv' "$T/clicks.ndjson" > "$T/clicks.tsv"
	sql "create table ops(seq int, k text, name text, tier int, del int);
	    create table c(ts int, u text, page text);" \
	    ".import $T/ops.tsv ops" ".import $T/clicks.tsv c"
	sql "create index ops_k on ops(k, seq);
	    create table t as select k, name, tier from ops o where del = 0
	    and seq = (select max(seq) from ops p where p.k = o.k);
	    create index t_k on t(k);"
	for type in inner left; do
		join=join
		[ "$type" = left ] && join="left join"
		sql "select c.ts, c.u, c.page, t.name, t.tier from c $join t
		    on t.k = c.u" | sort > "$T/want"
		weir-join --table "$T/table.env" --right-format envelope \
		    --on .user=.id --type "$type" < "$T/clicks.ndjson" |
		    weir-sink -f ndjson |
		    jq -r '[.ts, .user, .page, .name, .tier] | @tsv' |
		    sort > "$T/got"
		[ -s "$T/want" ]
		diff "$T/want" "$T/got"
	done
}

# Feed a table stream and the left stream through FIFOs in a fixed order:
# each batch writes table changes, then left records ending with a "sync"
# record, and waits for the sync record to come out before the next batch,
# so every change is applied before the left records written after it.
table_stream_driver() {
	local type=$1 b=0 i seq=1 nb=25 k pid
	mkfifo "$T/tf" "$T/lf"
	weir-join --table "$T/tf" --right-format envelope --on .user=.id \
	    --type "$type" < "$T/lf" 2>"$T/err" | weir-sink -f ndjson > "$T/out" &
	pid=$!
	exec 8>"$T/lf" 7>"$T/tf"
	printf '{"key":"sync","value":{"id":"sync","name":"s"}}\n' > "$T/batch"
	printf '0\tsync\ts\t0\n' > "$T/tops.tsv"
	: > "$T/lrec.tsv"
	RANDOM=11
	while [ $b -lt $nb ]; do
		b=$((b + 1))
		# table changes of this batch, written in one write
		[ $b -gt 1 ] && : > "$T/batch"
		for i in 1 2 3 4 5; do
			seq=$((seq + 1)); k=u$((RANDOM % 12))
			if [ $((RANDOM % 4)) -eq 0 ]; then
				printf '{"key":"%s","value":null}\n' $k >> "$T/batch"
				printf '%d\t%s\t\t1\n' $seq $k >> "$T/tops.tsv"
			else
				printf '{"key":"%s","value":{"id":"%s","name":"v%d"}}\n' \
				    $k $k $seq >> "$T/batch"
				printf '%d\t%s\tv%d\t0\n' $seq $k $seq >> "$T/tops.tsv"
			fi
		done
		cat "$T/batch" >&7
		: > "$T/lbatch"
		for i in 1 2 3 4 5 6; do
			seq=$((seq + 1)); k=u$((RANDOM % 14))
			printf '{"user":"%s","n":%d}\n' $k $seq >> "$T/lbatch"
			printf '%d\t%s\n' $seq $k >> "$T/lrec.tsv"
		done
		seq=$((seq + 1))
		printf '{"user":"sync","n":%d}\n' $seq >> "$T/lbatch"
		printf '%d\tsync\n' $seq >> "$T/lrec.tsv"
		cat "$T/lbatch" >&8
		for i in $(seq 500); do
			[ "$(grep -c '"sync"' "$T/out")" -ge $b ] && break
			sleep 0.01
		done
		[ "$(grep -c '"sync"' "$T/out")" -ge $b ]
	done
	exec 8>&- 7>&-
	wait $pid
}

@test "join: a table stream's updates and deletes apply between records (sqlite3)" {
	for type in inner left; do
		rm -f "$T/tf" "$T/lf" "$T/db"
		table_stream_driver "$type"
		sql "create table ops(seq int, k text, name text, del int);
		    create table l(seq int, u text);" \
		    ".import $T/tops.tsv ops" ".import $T/lrec.tsv l"
		join=join
		[ "$type" = left ] && join="left join"
		# each left record sees the latest change before it, if not a delete
		sql "select l.seq, l.u, o.name from l $join ops o on o.k = l.u
		    and o.del = 0 and o.seq = (select max(seq) from ops p
		    where p.k = l.u and p.seq < l.seq)" | sort > "$T/want"
		jq -r '[.n, .user, .name] | @tsv' "$T/out" | sort > "$T/got"
		diff "$T/want" "$T/got"
		# the check can fail: deletes happened and changed results
		grep -q '	1$' "$T/tops.tsv"
		[ "$(wc -l < "$T/got")" -gt 25 ]
	done
}

@test "join: --on-error FILE keeps refused records as envelope lines" {
	printf '%s\n' '{"key":"u1","value":{"name":"ann"}}' |
	    weir-source -f envelope > "$T/t.wf"
	printf '%s\n' '{"key":"u1","value":{"n":1}}' '{"key":"u1","value":[2]}' \
	    '{"key":"u1","value":{"n":3}}' | weir-source -f envelope |
	    weir-join --table "$T/t.wf" --on-error "$T/rej" 2>"$T/err" |
	    weir-sink -f ndjson > "$T/out"
	[ "$(cat "$T/out")" = '{"n":1,"name":"ann"}
{"n":3,"name":"ann"}' ]
	[ "$(cat "$T/rej")" = '{"key":"u1","value":[2]}' ]
	grep -q "left value is not a JSON object" "$T/err"
	grep -q "skipped 1 bad record" "$T/err"
}

@test "join: --prefix on escaped, long and plain names" {
	printf '%s\n' '{"a\"b":1,"c":2,"long_name_long_name_long_name_x":3}' |
	    weir-source --key .c > "$T/t.wf"
	for p in p_ 'p"' long_prefix_long_prefix_long_prefix_; do
		want=$(printf '{"c":2,"%s":1,"%s":2,"%s":3}' \
		    "$(printf '%s' "${p}a\"b" | sed 's/"/\\"/g')" "$(printf '%s' "${p}c" | sed 's/"/\\"/g')" \
		    "$(printf '%s' "${p}long_name_long_name_long_name_x" | sed 's/"/\\"/g')")
		got=$(echo '{"c":2}' | weir-source --key .c |
		    weir-join --table "$T/t.wf" --prefix "$p" | weir-sink -f ndjson)
		[ "$got" = "$want" ]
		# and what it wrote is valid JSON
		echo "$got" | jq -e . >/dev/null
	done
}

@test "join: table memory is its data plus a few dozen bytes a row" {
	awk 'BEGIN { for (i = 0; i < 50000; i++)
		printf "{\"user\":\"u%d\",\"name\":\"name%d\",\"tier\":%d}\n", i, i, i % 7 }' \
	    > "$T/users.ndjson"
	WEIR_JOIN_STATS=1 weir-join --table "$T/users.ndjson" --on .user \
	    < /dev/null 2>"$T/err" >/dev/null
	cat "$T/err"
	rows=$(sed -n 's/.*state: \([0-9]*\) rows.*/\1/p' "$T/err")
	data=$(sed -n 's/.* rows (\([0-9]*\) bytes.*/\1/p' "$T/err")
	alloc=$(sed -n 's/.*, \([0-9]*\) bytes allocated.*/\1/p' "$T/err")
	[ "$rows" -eq 50000 ]
	# a 24-byte row and 8-byte index slots at 35-70% load, in vectors
	# that double: at most 72 bytes a row; the arena doubles too, so up
	# to twice the data is reserved (virtual memory, not touched)
	[ "$alloc" -le $((2 * data + 72 * rows + 65536)) ]
	[ "$data" -lt "$(wc -c < "$T/users.ndjson")" ]
}

@test "join: a streaming frame table is loaded before the first record, however late it starts" {
	printf '{"id":"u1","name":"Ann"}\n{"id":"u2","name":"Bo"}\n' > "$T/users.ndjson"
	printf '{"user":"u1"}\n{"user":"u2"}\n' > "$T/clicks.ndjson"
	mkfifo "$T/tf"
	( sleep 1; weir-source "$T/users.ndjson" ) > "$T/tf" &
	run bash -o pipefail -c "weir-source '$T/clicks.ndjson' | weir-join --table '$T/tf' --on .user=.id --type left | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"user":"u1","id":"u1","name":"Ann"}
{"user":"u2","id":"u2","name":"Bo"}' ]
	wait
}

@test "join: --table-wait bounds the wait for a table stream that never says it caught up" {
	printf '{"user":"u1"}\n' > "$T/clicks.ndjson"
	mkfifo "$T/tf"
	# a frame stream that starts but neither ends nor sends a watermark
	( printf '\211WEIR\n\001\000'; sleep 3 ) > "$T/tf" &
	run bash -o pipefail -c "weir-source '$T/clicks.ndjson' | weir-join --table '$T/tf' --on .user=.id --type left --table-wait 500ms | weir-sink"
	[[ "$output" == *"has not ended or sent a watermark in 500 ms"* ]]
	[[ "$output" == *'{"user":"u1"}'* ]]
	wait
	run weir-join --table x --table-wait soon
	[ "$status" -eq 2 ]
}

@test "--on LPATH=RPATH leaves argv as typed (ps shows the command)" {
	mkfifo "$T/in"
	weir-join --table /dev/null --on .a=.b < "$T/in" > /dev/null &
	pid=$!
	exec 7> "$T/in"
	sleep 0.3
	args=$(ps -o args= -p "$pid")
	exec 7>&-
	wait "$pid" || true
	[[ "$args" == *"--on .a=.b"* ]]
}
