#!/usr/bin/env bats
# weir-join between two streams: interval joins and window joins, checked
# against sqlite3 on generated, out-of-order data with watermarks.

load helpers

# wm N: a WATERMARK frame (type 2, length, zigzag varint N >= 0)
wm() {
	awk -v n="$1" 'BEGIN { z = 2 * n; s = ""; c = 0
		do { b = z % 128; z = int(z / 128); if (z > 0) b += 128
			s = s sprintf("%c", b); c++ } while (z > 0)
		printf "%c%c%s", 2, c, s }'
}

# frames RECORD...: NDJSON records with their ts as event time, as frames
# without the END, so watermarks and END can follow
frames() {
	printf '%s\n' "$@" | weir-source --time .ts | head -c -2
}

sql() {
	sqlite3 -batch -separator "$(printf '\t')" "$T/db" "$@"
}

# gen SEED N FIELD: records every 10 ms of event time, each up to 400 ms
# late (inside a 500 ms watermark delay), 40 keys.  NDJSON to stdout,
# TSV (ts, key, id) to $T/FIELD.tsv.
gen() {
	awk -v seed="$1" -v n="$2" -v f="$3" -v tsv="$T/$3.tsv" 'BEGIN {
		srand(seed)
		for (i = 1; i <= n; i++) {
			ts = 1000000 + i * 10 - int(rand() * 400)
			k = "k" int(rand() * 40)
			printf "{\"ts\":%d,\"k\":\"%s\",\"%s\":%d}\n", ts, k, f, i
			printf "%d\t%s\t%d\n", ts, k, i > tsv
		}
	}'
}

setup_interval() {
	gen 5 3000 o | weir-source --time .ts --max-delay 500ms > "$T/left.wf"
	gen 9 3000 p | weir-source --time .ts --max-delay 500ms > "$T/right.wf"
	sql "create table l(ts int, k text, o int); create table r(ts int, k text, p int);" \
	    ".import $T/o.tsv l" ".import $T/p.tsv r" \
	    "create index l_k on l(k, ts); create index r_k on r(k, ts);"
}

# right.ts in [left.ts - 300, left.ts + 200]
MATCH="r.k = l.k and r.ts between l.ts - 300 and l.ts + 200"

interval_want() {
	{
		sql "select l.o, r.p from l join r on $MATCH"
		[ "$1" = inner ] ||
		    sql "select l.o, null from l where not exists
			(select 1 from r where $MATCH)"
		if [ "$1" = outer ]; then
			sql "select null, r.p from r where not exists
			    (select 1 from l where $MATCH)"
		fi
	} | sort
}

@test "join: interval inner/left/outer equal sqlite3 on out-of-order input" {
	setup_interval
	for type in inner left outer; do
		interval_want $type > "$T/want"
		weir-join --right "$T/right.wf" --on .k --before 300ms \
		    --after 200ms --type $type < "$T/left.wf" 2>"$T/err" |
		    weir-sink -f ndjson | jq -r '[.o, .p] | @tsv' | sort > "$T/got"
		diff "$T/want" "$T/got"
		# nothing was dropped as late: the data is on time
		! grep -q late "$T/err" || false
	done
	# the data has matches and misses on both sides
	grep -q '^	' "$T/got"
	grep -q '	$' "$T/got"
}

@test "join: interval join with the sides swapped, fd:N and a FIFO" {
	setup_interval
	# swapping sides mirrors the interval: before and after trade places
	sql "select l.o, r.p from l join r on $MATCH" | sort > "$T/want"
	mkfifo "$T/fifo"
	weir-join --right "$T/fifo" --on .k --before 200ms --after 300ms \
	    < "$T/right.wf" > "$T/out.wf" &
	cat "$T/left.wf" > "$T/fifo"
	wait $!
	weir-sink -f ndjson < "$T/out.wf" | jq -r '[.o, .p] | @tsv' | sort > "$T/got"
	diff "$T/want" "$T/got"
	weir-join --right fd:5 --on .k --within 300ms --type inner \
	    5<"$T/right.wf" < "$T/left.wf" | weir-sink -f ndjson |
	    jq -r '[.o, .p] | @tsv' | sort > "$T/got"
	sql "select l.o, r.p from l join r on r.k = l.k and
	    r.ts between l.ts - 300 and l.ts + 300" | sort > "$T/want"
	diff "$T/want" "$T/got"
}

@test "join: interval state is bounded by the interval, not the stream" {
	gen 5 20000 o | weir-source --time .ts --max-delay 500ms > "$T/left.wf"
	gen 9 20000 p | weir-source --time .ts --max-delay 500ms > "$T/right.wf"
	WEIR_JOIN_STATS=1 weir-join --right "$T/right.wf" --on .k --within 200ms \
	    --type outer < "$T/left.wf" 2>"$T/err" >/dev/null
	cat "$T/err"
	max=$(sed -n 's/.*(at most \([0-9]*\)).*/\1/p' "$T/err")
	# 100 records/s/side: 0.2 s interval + 0.5 s delay + a watermark
	# every 1024 records per side hold a few thousand of the 40,000
	[ -n "$max" ]
	[ "$max" -lt 6000 ]
}

@test "join: no premature null: unmatched waits for the interval to close" {
	# left 10 may match right up to 30 (inclusive); the combined watermark
	# reaches 25 and then 30 before the right record at 30 arrives
	{ frames '{"ts":10,"k":"a","o":1}'; wm 40; printf '\004\000'; } > "$T/l.wf"
	# the right side through a FIFO: the record at 25, watermarks 25 and
	# 30, a pause, then the record at 30 and END (one stream cut in two)
	printf '%s\n' '{"ts":25,"k":"b","p":0}' '{"ts":30,"k":"a","p":1}' |
	    weir-source --time .ts > "$T/r.wf"
	n=$(frames '{"ts":25,"k":"b","p":0}' | wc -c)
	{ head -c "$n" "$T/r.wf"; wm 25; wm 30; } > "$T/r1.wf"
	tail -c +$((n + 1)) "$T/r.wf" > "$T/r2.wf"
	mkfifo "$T/rf"
	weir-join --right "$T/rf" --on .k --within 20 --type left \
	    < "$T/l.wf" > "$T/out.wf" &
	pid=$!
	exec 8>"$T/rf"
	cat "$T/r1.wf" >&8
	sleep 0.3
	cat "$T/r2.wf" >&8
	exec 8>&-
	wait $pid
	weir-sink -f envelope < "$T/out.wf" > "$T/got"
	[ "$(cat "$T/got")" = '{"ts":30,"value":{"ts":10,"k":"a","o":1,"p":1}}' ]
	# and with a watermark past 30 first, the left record goes out alone
	{
		frames '{"ts":25,"k":"b","p":0}'; wm 31
		printf '\004\000'
	} > "$T/r.wf"
	weir-join --right "$T/r.wf" --on .k --within 20 --type left \
	    < "$T/l.wf" | weir-sink -f envelope > "$T/got"
	[ "$(cat "$T/got")" = '{"ts":10,"value":{"ts":10,"k":"a","o":1}}' ]
}

@test "join: interval records need event time; late ones are counted" {
	printf '%s\n' '{"k":"a"}' > "$T/r.ndjson"
	printf '%s\n' '{"k":"a"}' > "$T/in.ndjson"
	run bash -o pipefail -c "weir-join --right $T/r.ndjson --on .k --within 1s \
	    < $T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no event time"* ]]
	# a left record behind its own watermark is dropped and counted
	# (two streams back to back: a record at 50, watermark 50, END, then
	# a record at 10)
	{
		echo '{"ts":50,"k":"a"}' | weir-source --time .ts | head -c -2
		wm 50
		printf '\004\000'
		echo '{"ts":10,"k":"a"}' | weir-source --time .ts
	} > "$T/l.wf"
	printf '%s\n' '{"ts":10,"k":"a"}' |
	    weir-source --time .ts > "$T/r.wf"
	run bash -o pipefail -c "weir-join --right $T/r.wf --on .k --within 1s \
	    < $T/l.wf | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[[ "$output" == *"dropped 1 late record"* ]]
}

# Windowed envelopes: tumbling 1 s windows, 20 keys, up to 400 ms late.
genwin() {
	awk -v seed="$1" -v n="$2" -v f="$3" -v tsv="$T/$3.tsv" 'BEGIN {
		srand(seed)
		for (i = 1; i <= n; i++) {
			ts = 1000000 + i * 5 - int(rand() * 400)
			s = ts - ts % 1000
			k = "k" int(rand() * 20)
			printf "{\"ts\":%d,\"window\":[%d,%d],\"key\":\"%s\",\"value\":{\"%s\":%d}}\n",
			    ts, s, s + 1000, k, f, i
			printf "%d\t%s\t%d\n", s, k, i > tsv
		}
	}'
}

@test "join: window inner/left/outer equal sqlite3" {
	genwin 3 4000 o | weir-source -f envelope --max-delay 500ms > "$T/left.wf"
	genwin 4 4000 p | weir-source -f envelope --max-delay 500ms > "$T/right.wf"
	sql "create table l(ws int, k text, o int); create table r(ws int, k text, p int);" \
	    ".import $T/o.tsv l" ".import $T/p.tsv r" \
	    "create index l_k on l(k, ws); create index r_k on r(k, ws);"
	M="r.k = l.k and r.ws = l.ws"
	for type in inner left outer; do
		{
			sql "select l.ws, l.k, l.o, r.p from l join r on $M"
			[ $type = inner ] ||
			    sql "select l.ws, l.k, l.o, null from l where not exists
				(select 1 from r where $M)"
			if [ $type = outer ]; then
				sql "select r.ws, r.k, null, r.p from r where
				    not exists (select 1 from l where $M)"
			fi
		} | sort > "$T/want"
		weir-join --right "$T/right.wf" --window --type $type \
		    < "$T/left.wf" 2>"$T/err" | weir-sink -f envelope |
		    jq -r '[.window[0], .key, .value.o, .value.p] | @tsv' |
		    sort > "$T/got"
		diff "$T/want" "$T/got"
		! grep -q late "$T/err" || false
	done
}

@test "join: window results come out when the window closes" {
	printf '%s\n' '{"ts":5,"window":[0,10],"key":"a","value":{"o":1}}' \
	    '{"ts":12,"window":[10,20],"key":"b","value":{"o":2}}' |
	    weir-source -f envelope | head -c -2 > "$T/l.part"
	wm 12 >> "$T/l.part"
	printf '%s\n' '{"ts":7,"window":[0,10],"key":"a","value":{"p":1}}' \
	    '{"ts":27,"window":[20,30],"key":"a","value":{"p":2}}' |
	    weir-source -f envelope --max-delay 0 > "$T/r.wf"
	# the left side arrives through a FIFO without its END: the first
	# window closes on the watermarks (12 and 27), before the left ends
	mkfifo "$T/lf"
	weir-join --right "$T/r.wf" --window --type outer < "$T/lf" |
	    weir-sink -f envelope > "$T/out" &
	pid=$!
	exec 8>"$T/lf"
	cat "$T/l.part" >&8
	for i in $(seq 500); do
		[ -s "$T/out" ] && break
		sleep 0.01
	done
	[ "$(cat "$T/out")" = '{"ts":7,"window":[0,10],"key":"a","value":{"o":1,"p":1}}' ]
	printf '\004\000' >&8	# END
	exec 8>&-
	wait $pid
	grep -q '"window":\[10,20\],"key":"b","value":{"o":2}' "$T/out"
	grep -q '"window":\[20,30\],"key":"a","value":{"p":2}' "$T/out"
	[ "$(wc -l < "$T/out")" -eq 3 ]
}

@test "join: window join of weir-window output equals sqlite3" {
	command -v weir-window >/dev/null || skip "weir-window not built yet"
	gen 5 3000 o | weir-source --time .ts --key .k --max-delay 500ms |
	    weir-window tumbling 1s > "$T/left.wf"
	gen 9 3000 p | weir-source --time .ts --key .k --max-delay 500ms |
	    weir-window tumbling 1s > "$T/right.wf"
	sql "create table l(ts int, k text, o int); create table r(ts int, k text, p int);" \
	    ".import $T/o.tsv l" ".import $T/p.tsv r"
	M="r.k = l.k and r.ts / 1000 = l.ts / 1000"
	{
		sql "select l.o, r.p from l join r on $M"
		sql "select null, r.p from r where not exists
		    (select 1 from l where $M)"
		sql "select l.o, null from l where not exists
		    (select 1 from r where $M)"
	} | sort > "$T/want"
	weir-join --right "$T/right.wf" --window --type outer --prefix r_ \
	    < "$T/left.wf" 2>"$T/err" | weir-sink -f ndjson |
	    jq -r '[.o, .r_p] | @tsv' | sort > "$T/got"
	diff "$T/want" "$T/got"
	! grep -q late "$T/err" || false
}
