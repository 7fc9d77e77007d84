#!/usr/bin/env bats
# The Nexmark queries (pipelines/nexmark/qN.yaml) against an independent
# oracle: the query's SQL in sqlite3 (tests/nexmark_oracle/qN.sql, written
# from the Nexmark definitions) over the same generated events, both sides
# normalized by norm.py (sorted rows of the result's columns).

load helpers

ORACLE="$BATS_TEST_DIRNAME/../nexmark_oracle"
PIPES="$BATS_TEST_DIRNAME/../../pipelines/nexmark"

setup_file() {
	export NX_EV="$BATS_FILE_TMPDIR/events.ndjson"
	# 30000 events at 500 a second: a minute of event time, so that 10 s
	# windows and sessions open and close many times
	weir-source --gen nexmark --count 30000 --tps 500 --seed 7 |
	    weir-sink -f ndjson > "$NX_EV"
	# one event a second from 21:00 UTC for 11 hours: every time of day
	# q14 tells apart, and two days for q15-q17
	export NX_HOURS="$BATS_FILE_TMPDIR/hours.ndjson"
	weir-source --gen nexmark --count 40000 --tps 1 --start 1699909200000 \
	    --seed 3 | weir-sink -f ndjson > "$NX_HOURS"
	# each imported into sqlite once for all the oracles (X.ndjson: X.db)
	"$ORACLE/run.sh" --load "${NX_EV%.ndjson}.db" "$NX_EV"
	"$ORACLE/run.sh" --load "${NX_HOURS%.ndjson}.db" "$NX_HOURS"
}

# check QUERY [EVENTS]: the pipeline's output on the events equals the
# oracle's
check() {
	local cols ev=${2:-$NX_EV}
	cols=$(sed -n '1s/^-- columns: //p' "$ORACLE/$1.sql")
	"$ORACLE/run.sh" "$1" "${ev%.ndjson}.db" > "$T/want"
	EVENTS="$ev" SIDE="$PIPES/side_input.ndjson" limit weir-run "$PIPES/$1.yaml" > "$T/got.ndjson"
	python3 "$ORACLE/norm.py" $cols < "$T/got.ndjson" > "$T/got"
	echo "$1: $(wc -l < "$T/got") rows, oracle $(wc -l < "$T/want")"
	diff "$T/want" "$T/got" | head -20
	[ -s "$T/want" ]
	cmp "$T/want" "$T/got"
}

@test "nexmark q0 (pass-through) equals the SQL oracle" { check q0; }
@test "nexmark q1 (currency conversion) equals the SQL oracle" { check q1; }
@test "nexmark q2 (selection) equals the SQL oracle" { check q2; }

@test "nexmark: the queries read the generator without EVENTS; COUNT sets its count" {
	run bash -o pipefail -c "COUNT=5000 weir-run '$PIPES/q0.yaml' | wc -l"
	[ "$status" -eq 0 ]
	[ "$output" -eq 4600 ]
}

@test "nexmark q5 (hot items, sliding windows) equals the SQL oracle" { check q5; }
@test "nexmark q7 (highest bid, tumbling windows) equals the SQL oracle" { check q7; }
@test "nexmark q8 (new users, window join) equals the SQL oracle" { check q8; }
@test "nexmark q11 (user sessions) equals the SQL oracle" { check q11; }
@test "nexmark q14 (calculation: if, hour, count_substr) equals the SQL oracle" {
	check q14 "$NX_HOURS"
	# every kind of time of day came up
	for t in dayTime nightTime otherTime; do grep -q "$t" "$T/got"; done
}
@test "nexmark q21 (channel id: regexp_extract) equals the SQL oracle" { check q21; }
@test "nexmark q22 (url directories: split_index) equals the SQL oracle" { check q22; }
@test "nexmark q3 (local item suggestion, join) equals the SQL oracle" { check q3; }
@test "nexmark q13 (bounded side input join) equals the SQL oracle" { check q13; }
@test "nexmark q18 (last bid per bidder and auction) equals the SQL oracle" { check q18; }
@test "nexmark q20 (bids expanded with their auction, join) equals the SQL oracle" { check q20; }

# q15-q17 name days with format_time() (weir-expr(7)), which another
# change adds: until it is there, these are skipped, not passed
need_format_time() {
	echo '{}' | weir-map 'd=format_time(0)' > /dev/null 2>&1 ||
	    skip "weir-expr has no format_time() yet"
}
@test "nexmark q15 (bidding statistics: count(distinct) with FILTER) equals the SQL oracle" {
	need_format_time
	check q15 "$NX_HOURS"
	[ "$(wc -l < "$T/got")" -eq 2 ]	# two days
}
@test "nexmark q16 (channel statistics) equals the SQL oracle" {
	need_format_time
	check q16 "$NX_HOURS"
}
@test "nexmark q17 (auction statistics) equals the SQL oracle" {
	need_format_time
	check q17 "$NX_HOURS"
}
@test "nexmark q4 (average price per category) equals the SQL oracle" { check q4; }
@test "nexmark q12 (processing-time windows): windows on the clock, counts add up to the SQL oracle's" {
	t0=$(date +%s%3N)
	"$ORACLE/run.sh" q12 "${NX_EV%.ndjson}.db" > "$T/want"
	EVENTS="$NX_EV" limit weir-run "$PIPES/q12.yaml" > "$T/got.ndjson"
	t1=$(date +%s%3N)
	python3 -c '
import json, sys, collections
t0, t1 = int(sys.argv[2]), int(sys.argv[3])
tot = collections.Counter()
for l in open(sys.argv[1]):
    r = json.loads(l)
    assert r["endtime"] - r["starttime"] == 10000 and r["starttime"] % 10000 == 0, r
    assert t0 - 10000 < r["starttime"] <= t1, (r, t0, t1)
    tot[r["bidder"]] += r["bid_count"]
for b in sorted(tot, key=str):
    print(json.dumps({"bidder": b, "bid_count": tot[b]}))' "$T/got.ndjson" "$t0" "$t1" |
	    python3 "$ORACLE/norm.py" bidder bid_count > "$T/got"
	[ -s "$T/want" ]
	cmp "$T/want" "$T/got"
}

@test "nexmark: every pipeline passes weir-run --check and every query has an oracle and a test" {
	for f in "$PIPES"/q*.yaml; do
		q=$(basename "$f" .yaml)
		weir-run --check "$f"
		[ -f "$ORACLE/$q.sql" ]
		grep -q "check $q\\b\\|run.sh\" $q \\|\"\$ORACLE/run.sh\" $q " "$BATS_TEST_FILENAME"
	done
}

@test "nexmark: windowed queries work on the generator too (COUNT events at TPS)" {
	run bash -o pipefail -c "COUNT=20000 TPS=1000 weir-run '$PIPES/q5.yaml' | wc -l"
	[ "$status" -eq 0 ]
	[ "$output" -gt 5 ]
	run bash -o pipefail -c "COUNT=20000 TPS=1000 weir-run '$PIPES/q11.yaml' | wc -l"
	[ "$status" -eq 0 ]
	[ "$output" -gt 5 ]
}
@test "nexmark q9 (winning bids) equals the SQL oracle" { check q9; }
@test "nexmark q19 (auction top-10 price: top:N, --explode) equals the SQL oracle" {
	check q19
	grep -q '	10$' "$T/got"	# some auction had ten bids
}
@test "nexmark q6 (average selling price by seller: --rows) equals the SQL oracle" {
	check q6
	# some seller closed more than ten auctions: the frame slid
	[ "$(python3 -c 'import collections,sys; c=collections.Counter(l.split()[0] for l in open(sys.argv[1])); print(max(c.values()))' "$T/got")" -gt 10 ]
}
@test "nexmark q10 (log to file system: weir-sink --path) equals the SQL oracle" {
	"$ORACLE/run.sh" q10 "${NX_HOURS%.ndjson}.db" > "$T/want"
	OUT="$T/q10" EVENTS="$NX_HOURS" limit weir-run "$PIPES/q10.yaml" > "$T/stdout"
	[ ! -s "$T/stdout" ]
	# every file's rows with the dt and hm of its path
	python3 -c '
import json, os, re, sys
for dirpath, _, files in os.walk(sys.argv[1]):
    for f in files:
        m = re.search(r"/dt=(\d{4}-\d\d-\d\d)/hm=(\d\d:\d\d)$", dirpath)
        assert m and f == "part.ndjson", (dirpath, f)
        for l in open(os.path.join(dirpath, f)):
            r = json.loads(l)
            r["dt"], r["hm"] = m.group(1), m.group(2)
            print(json.dumps(r))' "$T/q10" |
	    python3 "$ORACLE/norm.py" dt hm auction bidder price dateTime extra > "$T/got"
	[ "$(find "$T/q10" -name part.ndjson | wc -l)" -gt 600 ]	# 11 hours of minutes
	[ -s "$T/want" ]
	cmp "$T/want" "$T/got"
}

# The generator's bytes are pinned: the oracles above compare results, not
# events, so a faster generator must give exactly the events it gave when
# these checksums were taken (sha256 of the first 20000 events, framed
# and as NDJSON, before the generator was rewritten for speed).
@test "nexmark: the generator's events are byte-identical to the pinned checksums" {
	run bash -o pipefail -c "weir-source --gen nexmark --count 20000 --seed 1 | sha256sum"
	[ "$status" -eq 0 ]
	[ "${output%% *}" = 84c0fbebe797596cced5f356ccd17cf5928a9d69b3843752e5de253286fc5a9a ]
	run bash -o pipefail -c "weir-source --gen nexmark --count 20000 --seed 1 | weir-sink -f ndjson | sha256sum"
	[ "${output%% *}" = 7ffa0a5d3069ba0190046031adf3eaeb09f4bbd1957fbf0d9d773a9c23b204b8 ]
	run bash -o pipefail -c "weir-source --gen nexmark --count 20000 --seed 7 | sha256sum"
	[ "${output%% *}" = 7aae3dc7a7b47efd3148e24c971399e4483580a8ad9b13e66e642d36dd3de5d5 ]
	run bash -o pipefail -c "weir-source --gen nexmark --count 20000 --seed 7 | weir-sink -f ndjson | sha256sum"
	[ "${output%% *}" = 5273e7f4783084b291f54925edbb01c5d50d7f553e14467b9ea5fce2c44c9611 ]
	run bash -o pipefail -c "weir-source --gen nexmark --count 20000 --seed 3 --tps 1 --start 1699909200000 | weir-sink -f ndjson | sha256sum"
	[ "${output%% *}" = 96ee8d4852c300af0fdc3ab61518961f77b7be0390da0b95594d237441736587 ]
}

@test "nexmark: make bench-nexmark's checkpointed mode (NEXMARK_CHECKPOINT) runs q6 and q10 checkpointed, the rows of a plain run" {
	b="$BATS_TEST_DIRNAME/../../bench/nexmark.sh"
	[ -x /usr/bin/time ] || skip "no GNU time"
	export NEXMARK_N=20000 NEXMARK_QUERIES="q0 q6 q10"
	run bash -o pipefail -c "'$b' | awk '/^q[0-9]/ { print \$1, \$(NF-1) }'"
	[ "$status" -eq 0 ]
	plain=$output
	run bash -o pipefail -c "NEXMARK_CHECKPOINT=200ms '$b'"
	[ "$status" -eq 0 ]
	[[ "$output" == *"checkpoints on: every 200ms"* ]]
	[[ "$output" != *FAILED* ]]
	[ "$(echo "$output" | awk '/^q[0-9]/ { print $1, $(NF-1) }')" = "$plain" ]
	[ "$(echo "$plain" | wc -l)" -eq 3 ]
}
