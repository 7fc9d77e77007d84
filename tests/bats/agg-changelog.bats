#!/usr/bin/env bats
# weir-agg --changelog: a table's changelog (Debezium events through
# weir-source --cdc debezium) aggregated with retractions, checked against
# sqlite3 applying the same changes to a table and grouping at the end:
# the output, compacted by key, is the GROUP BY of the final table.
load helpers
load kafka_helpers

F="$BATS_TEST_DIRNAME/cdc"
WF="$BATS_TEST_DIRNAME/wframes.py"
SF="$BATS_TEST_DIRNAME/snapfile.py"

# Debezium's documented customers examples (see cdc/README) as envelope
# lines, as cdc.bats feeds weir-source: snapshot read of 1001, 1004
# created, updated (first_name Anne -> Anne Marie), deleted, tombstone.
customers() {
	jq -c -n --rawfile a "$F/key-1001.json" --rawfile b "$F/key-1004.json" \
	    --slurpfile r "$F/read.json" --slurpfile c "$F/create.json" \
	    --slurpfile u "$F/update.json" --slurpfile d "$F/delete.json" '
	    ($a | rtrimstr("\n")) as $a | ($b | rtrimstr("\n")) as $b |
	    [$a, $r], [$b, $c], [$b, $u], [$b, $d], [$b, null] |
	    {key: .[0], value: .[1][0]}'
}

# compact: envelope lines of a changelog -> the last value per key, the
# deleted keys left out, one JSON object per line sorted by key (the lines
# read one at a time, not slurped: 350,000 of them took jq 8 s of CPU)
compact() {
	jq -c -n 'reduce inputs as $r ({}; .[$r.key] = $r.value) |
	    to_entries | map(select(.value != null)) | sort_by(.key) |
	    .[].value'
}

# gen N KEYS GROUPS SEED: N random Debezium events (create, update,
# delete with its tombstone, snapshot read) over KEYS ids and GROUPS
# groups, as envelope lines.  Rows: id, g (group), v (a number, an integer
# or two decimals, sometimes null), s (a string).
gen() {
	python3 - "$@" <<-'EOF'
	import json, random, sys
	n, keys, groups, seed = map(int, sys.argv[1:5])
	rnd = random.Random(seed)
	rows = {}
	def row(k):
	    v = rnd.choice([None, rnd.randint(-50, 200),
	        "%d.%02d" % (rnd.randint(0, 99), rnd.randint(0, 99))])
	    r = {"id": k, "g": "g%d" % rnd.randrange(groups),
	         "s": "s%02d" % rnd.randrange(40)}
	    if v is not None:
	        r["v"] = json.loads(str(v))
	    return r
	def emit(k, value):
	    key = json.dumps({"id": k}, separators=(",", ":"))
	    print(json.dumps({"key": key, "value": value}, separators=(",", ":")))
	for i in range(n):
	    k = rnd.randrange(keys)
	    if k in rows and rnd.random() < 0.25:
	        emit(k, {"before": rows.pop(k), "after": None, "op": "d",
	            "ts_ms": i})
	        emit(k, None)
	        continue
	    new = row(k)
	    if k in rows and rnd.random() < 0.5:
	        new["g"] = rows[k]["g"]		# an update within its group
	    op = "u" if k in rows else rnd.choice("cr")
	    emit(k, {"before": rows.get(k), "after": new, "op": op, "ts_ms": i})
	    rows[k] = new
	EOF
}

# oracle CHANGES: sqlite3 applies the events to a table and groups it;
# the compacted output of weir-agg --changelog must be that, exactly for
# counts, strings, distinct counts and topk, to 1e-9 for sums and means
oracle() {
	weir-source -f envelope --cdc debezium "$1" |
	    limit weir-agg --changelog -g .g n=count sum:.v avg:.v min:.v \
	    max:.v min:.s max:.s distinct:.s topk:3:.s |
	    weir-sink -f envelope > "$T/out"
	compact < "$T/out" | jq -r '[.g, .n, .sum_v, .avg_v, .min_v, .max_v,
	    .min_s, .max_s, .distinct_s, (.topk_s | tojson)] | @csv' > "$T/got.csv"
	# the events as SQL: an upsert replaces the row of its id
	jq -r 'if .value == null then empty
	    elif .value.op == "d" then
	        "DELETE FROM t WHERE id = \(.value.before.id);"
	    else .value.after | "INSERT OR REPLACE INTO t VALUES(\(.id), " +
	        "\(.g | @json), \(.v // "NULL"), \(.s | @json));" end' "$1" |
	    tr '"' "'" > "$T/chg.sql"
	# in memory: on disk each INSERT was a transaction of its own, synced
	sqlite3 :memory: > "$T/diff" <<-SQL
	CREATE TABLE t(id INTEGER PRIMARY KEY, g TEXT, v REAL, s TEXT);
	.read $T/chg.sql
	CREATE TABLE got(g TEXT, n INT, sm REAL, av REAL, mn REAL, mx REAL,
	    mns TEXT, mxs TEXT, ds INT, top TEXT);
	.import --csv $T/got.csv got
	UPDATE got SET sm = nullif(sm, ''), av = nullif(av, ''),
	    mn = nullif(mn, ''), mx = nullif(mx, '');
	CREATE TABLE want AS SELECT g, count(*) AS n, sum(v) AS sm,
	    avg(v) AS av, min(v) AS mn, max(v) AS mx, min(s) AS mns,
	    max(s) AS mxs, count(DISTINCT s) AS ds,
	    (SELECT json_group_array(json_object('value', s, 'count', c)) FROM
	        (SELECT s, count(*) AS c FROM t AS t2 WHERE t2.g = t.g
	        GROUP BY s ORDER BY c DESC, s LIMIT 3)) AS top
	    FROM t GROUP BY g;
	SELECT 'count', (SELECT count(*) FROM got), (SELECT count(*) FROM want)
	    WHERE (SELECT count(*) FROM got) != (SELECT count(*) FROM want);
	SELECT 'differs', w.*, '|', o.* FROM want w LEFT JOIN got o USING (g)
	    WHERE o.g IS NULL OR o.n != w.n OR o.mns != w.mns OR
	    o.mxs != w.mxs OR o.ds != w.ds OR o.top != w.top OR
	    coalesce(abs(o.sm - w.sm) > 1e-9 * (1 + abs(w.sm)),
	        o.sm IS NOT w.sm) OR
	    coalesce(abs(o.av - w.av) > 1e-9 * (1 + abs(w.av)),
	        o.av IS NOT w.av) OR
	    o.mn IS NOT w.mn OR o.mx IS NOT w.mx;
	SQL
	[ ! -s "$T/diff" ] || { cat "$T/diff"; false; }
	[ -s "$T/got.csv" ]
}

@test "Debezium's examples: the update moves 1004 from Anne to Anne Marie, the delete empties it" {
	customers > "$T/chg"
	run bash -o pipefail -c "weir-source -f envelope --cdc debezium \
	    '$T/chg' | weir-agg --changelog -g .first_name n=count \
	    ids=distinct:.id | weir-sink -f envelope"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
	    '{"key":"Sally","value":{"first_name":"Sally","n":1,"ids":1}}' \
	    '{"key":"Anne","value":{"first_name":"Anne","n":1,"ids":1}}' \
	    '{"key":"Anne","value":null}' \
	    '{"key":"Anne Marie","value":{"first_name":"Anne Marie","n":1,"ids":1}}' \
	    '{"key":"Anne Marie","value":null}')" ]
	# an update within its group retracts the old row and adds the new:
	# one upsert; the tombstone after the delete deletes nothing more
	run bash -o pipefail -c "weir-source -f envelope --cdc debezium \
	    '$T/chg' | weir-agg --changelog -g .last_name n=count \
	    first=min:.first_name ids=sum:.id | weir-sink -f envelope"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
	    '{"key":"Thomas","value":{"last_name":"Thomas","n":1,"first":"Sally","ids":1001}}' \
	    '{"key":"Kretchmar","value":{"last_name":"Kretchmar","n":1,"first":"Anne","ids":1004}}' \
	    '{"key":"Kretchmar","value":{"last_name":"Kretchmar","n":1,"first":"Anne Marie","ids":1004}}' \
	    '{"key":"Kretchmar","value":null}')" ]
}

@test "Debezium's examples: compacted, the changelog is the final table's groups" {
	customers > "$T/chg"
	weir-source -f envelope --cdc debezium "$T/chg" |
	    weir-agg --changelog -g .last_name n=count |
	    weir-sink -f envelope | compact > "$T/got"
	[ "$(cat "$T/got")" = '{"last_name":"Thomas","n":1}' ]
	# without -g, by record key: each row is its own group
	run bash -o pipefail -c "weir-source -f envelope --cdc debezium \
	    '$T/chg' | weir-agg --changelog count | weir-sink -f envelope |
	    jq -c -s 'map([.key, .value.count])'"
	[ "$status" -eq 0 ]
	[ "$output" = '[["1001",1],["1004",1],["1004",1],["1004",null]]' ]
}

@test "2000 random inserts, updates and deletes over 100 keys and 10 groups equal sqlite3's GROUP BY" {
	gen 2000 100 10 1 > "$T/chg"
	[ "$(grep -c '"op":"d"' "$T/chg")" -gt 100 ]
	oracle "$T/chg"
	[ "$(wc -l < "$T/got.csv")" -eq 10 ]
	# every step, not only the end: the first 700 events too
	head -700 "$T/chg" > "$T/chg700"
	oracle "$T/chg700"
}

@test "a group emptied by deletes is deleted, and comes back" {
	gen 3000 30 15 2 > "$T/chg"
	oracle "$T/chg"
	grep -q '"value":null' "$T/out"
}

@test "sums stay exact through retractions: the scale is that of the rows there now" {
	printf '%s\n' '{"key":"1","value":{"g":"a","v":1.25}}' \
	    '{"key":"2","value":{"g":"a","v":2}}' \
	    '{"key":"3","value":{"g":"a","v":0.1}}' \
	    '{"key":"1","value":null}' \
	    '{"key":"3","value":{"g":"a","v":1e300}}' \
	    '{"key":"3","value":{"g":"b","v":"7"}}' > "$T/in"
	run bash -o pipefail -c "weir-source -f envelope '$T/in' |
	    weir-agg --changelog -g .g sum:.v min:.v max:.v |
	    weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
	    '{"g":"a","sum_v":1.25,"min_v":1.25,"max_v":1.25}' \
	    '{"g":"a","sum_v":3.25,"min_v":1.25,"max_v":2}' \
	    '{"g":"a","sum_v":3.35,"min_v":0.1,"max_v":2}' \
	    '{"g":"a","sum_v":2.1,"min_v":0.1,"max_v":2}' \
	    '{"g":"a","sum_v":1e+300,"min_v":2,"max_v":1e300}' \
	    '{"g":"a","sum_v":2,"min_v":2,"max_v":2}' \
	    '{"g":"b","sum_v":7,"min_v":7,"max_v":7}')" ]
}

@test "functions that cannot take a row back are refused (exit 2)" {
	for f in p99:.v approx_distinct:.v first:.v last:.v stddev:.v; do
		run weir-agg --changelog -g .g count "$f" < /dev/null
		[ "$status" -eq 2 ]
		[[ "$output" == *"--changelog: "*"(count, sum, avg, min, max, distinct and topk can)"* ]]
	done
	run weir-agg --changelog p50:.v < /dev/null
	[[ "$output" == *"p50_v: a sketch cannot take a value back"* ]]
	run weir-agg --changelog first:.v < /dev/null
	[[ "$output" == *"first_v: the rows of a table have no order"* ]]
	run weir-agg --changelog --every 1s count < /dev/null
	[ "$status" -eq 2 ]
	run weir-agg --changelog --emit updates count < /dev/null
	[ "$status" -eq 2 ]
}

@test "what is not a change follows --on-error: no key, windowed, not JSON" {
	printf '%s\n' '{"g":"a"}' > "$T/nokey"
	run weir-agg --changelog -g .g count < "$T/nokey"
	[ "$status" -eq 1 ]
	[[ "$output" == *"a change without a key"* ]]
	printf '%s\n' '{"key":"1","value":{"g":"a","ts":5}}' > "$T/in"
	run bash -o pipefail -c "weir-source -f envelope --time .ts '$T/in' |
	    weir-window tumbling 1s | weir-agg --changelog -g .g count"
	[ "$status" -eq 1 ]
	[[ "$output" == *"a windowed record: --changelog aggregates a table"* ]]
	printf '%s\n' '{"key":"1","value":{"g":"a"}}' '{"g":"b"}' \
	    '{"key":"2","value":{"g":"a"}}' > "$T/in"
	run bash -o pipefail -c "weir-source -f envelope '$T/in' |
	    weir-agg --changelog -g .g count --on-error skip 2>/dev/null |
	    weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '{"g":"a","count":1}' '{"g":"a","count":2}')" ]
	# a delete of a key never seen deletes nothing
	printf '%s\n' '{"key":"9","value":null}' > "$T/in"
	run bash -o pipefail -c "weir-source -f envelope '$T/in' |
	    weir-agg --changelog count | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "checkpoint: a restart from barrier 1 carries on with the table's rows and groups" {
	gen 1500 60 8 3 > "$T/chg"
	weir-source -f envelope --cdc debezium "$T/chg" > "$T/stream"
	python3 "$SF" split "$T/stream" 900 1 "$T/full" "$T/a" "$T/b"
	AGG="--changelog -g .g n=count sum:.v avg:.v min:.v max:.s distinct:.s"
	limit weir-agg $AGG < "$T/full" > "$T/ref"
	# what the uninterrupted run emitted after the barrier
	n=$(python3 "$WF" -d < "$T/ref" |
	    awk '$1 == "B" && $2 == 1 { stop = 1 } !stop && !/^[WB]/ { n++ }
	    END { print n + 0 }')
	weir-sink -f envelope < "$T/ref" | tail -n +$((n + 1)) > "$T/ref.tail"
	[ -s "$T/ref.tail" ]
	run limit weir-agg $AGG --state "$T/D" < "$T/a"
	[ "$status" -eq 3 ]	# a crash: upstream ended without END
	python3 "$SF" commit "$T/D" 1 '{"src":{"gen":900}}'
	limit weir-agg $AGG --state "$T/D" < "$T/b" |
	    weir-sink -f envelope > "$T/out.tail"
	cmp "$T/ref.tail" "$T/out.tail"
	# and without the snapshot the groups would not be the same
	limit weir-agg $AGG < "$T/b" | weir-sink -f envelope > "$T/cold"
	! cmp -s "$T/ref.tail" "$T/cold" || false
}

@test "to Kafka: the output is a changelog topic, an emptied group a null message" {
	broker_start --topic counts:1
	customers > "$T/chg"
	weir-source -f envelope --cdc debezium "$T/chg" |
	    weir-agg --changelog -g .first_name n=count |
	    limit weir-sink -b "$B" -t counts
	run kcat_dump counts
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[ "${lines[0]}" = '0 0 5 28 [] {"first_name":"Sally","n":1}' ]
	[ "${lines[2]}" = '0 2 4 -1 [] ' ]
	[ "${lines[4]}" = '0 4 10 -1 [] ' ]
	# read back as a table: only Sally is left
	weir-source -b "$B" -t counts -e | weir-sink -f envelope | compact > "$T/got"
	[ "$(cat "$T/got")" = '{"first_name":"Sally","n":1}' ]
}

@test "memory is bounded by the table, not by the number of changes" {
	# 200,000 changes to 1,000 keys whose strings change length (rows
	# outgrow their place) and whose values come and go per group
	[ -z "$ASAN_OPTIONS" ] || skip "resident size means nothing under ASan"
	[ -x /usr/bin/time ] || skip "/usr/bin/time (Debian package time) missing"
	python3 - > "$T/in" <<-'PY'
	import json, random
	rnd = random.Random(5)
	for i in range(200000):
	    k = "k%d" % rnd.randrange(1000)
	    if rnd.random() < 0.1:
	        print(json.dumps({"key": k, "value": None}))
	        continue
	    s = "%d" % i + "x" * rnd.randrange(300)
	    print(json.dumps({"key": k, "value": {"g": "g%d" % rnd.randrange(20),
	        "s": s, "v": i}}))
	PY
	weir-source -f envelope "$T/in" > "$T/in.wf"
	/usr/bin/time -f '%M' -o "$T/rss" weir-agg --changelog -g .g count \
	    min:.s max:.s distinct:.s sum:.v < "$T/in.wf" > "$T/out"
	rss=$(tail -1 "$T/rss")
	echo "max rss ${rss} KB"
	[ "$rss" -lt 24576 ]	# 8 MB here, 100 MB without compaction
	[ "$(weir-sink -f envelope < "$T/out" | compact | wc -l)" -eq 20 ]
}
