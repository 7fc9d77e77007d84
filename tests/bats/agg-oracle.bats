#!/usr/bin/env bats
# weir-agg against sqlite3 on the same generated clicks: every function,
# per tumbling and hopping window and user, exactly (sums to 1e-9
# relative), quantiles within DDSketch's 1% and approx_distinct within 2%.
load helpers

FUNCS="count sum:.amount avg:.amount min:.amount max:.amount first:.page
last:.page distinct:.page approx_distinct:.page p50:.amount p99:.amount
p99.9:.amount stddev:.amount"

# gen N USERS: clicks as NDJSON ($T/c.ndjson) and CSV loaded into sqlite
gen() {
	weir-source --gen clicks --count "$1" --users "$2" --seed 7 |
	    weir-sink -f ndjson > "$T/c.ndjson"
	weir-source "$T/c.ndjson" | weir-sink -f csv > "$T/c.csv"
	sqlite3 "$T/db" <<-SQL
	CREATE TABLE c(ts INTEGER, user TEXT, page TEXT, amount REAL);
	.import --csv --skip 1 $T/c.csv c
	SQL
}

# windowed SIZE ADV: the clicks tagged with windows, with watermarks: by
# weir-window (with a grace) when VIA_WINDOW is set, else by an awk script
windowed() {
	if [ -n "$VIA_WINDOW" ]; then
		weir-source --time .ts --max-delay 1s "$T/c.ndjson" |
		    weir-window hopping "$1" "$2" --grace 1s
		return
	fi
	awk -v size="$1" -v adv="$2" -f "$BATS_TEST_DIRNAME/agg-window.awk" \
	    "$T/c.ndjson" | weir-source -f envelope --max-delay 3s
}

needs_window() {
	command -v weir-window > /dev/null || skip "weir-window not built"
	VIA_WINDOW=1
}

# oracle SIZE ADV [EMIT]: weir-agg's results equal sqlite's
oracle() {
	local size=$1 adv=$2 emit=${3:-final}
	windowed "$size" "$adv" |
	    limit weir-agg -g .user --emit "$emit" $FUNCS 2> "$T/err" |
	    weir-sink -f ndjson > "$T/out.ndjson"
	[ ! -s "$T/err" ] || { cat "$T/err"; false; }
	# the last record per window and group (the only one unless updates)
	jq -r '[.window_start, .window_end, .user, .count, .sum_amount,
	    .avg_amount, .min_amount, .max_amount, .first_page, .last_page,
	    .distinct_page, .approx_distinct_page, .p50_amount, .p99_amount,
	    .p99_9_amount, .stddev_amount] | @csv' "$T/out.ndjson" > "$T/got.csv"
	sqlite3 "$T/db" > "$T/diff" <<-SQL
	CREATE TABLE got(ws INT, we INT, user TEXT, n INT, sm REAL, av REAL,
	    mn REAL, mx REAL, fp TEXT, lp TEXT, dp INT, adp INT, p50 REAL,
	    p99 REAL, p999 REAL, sd REAL);
	.import --csv $T/got.csv got
	CREATE TABLE g AS SELECT * FROM got WHERE rowid IN
	    (SELECT max(rowid) FROM got GROUP BY ws, user);
	CREATE TABLE w AS
	    WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k
	        WHERE i < $size / $adv + 1)
	    SELECT (c.ts / $adv - k.i) * $adv AS ws, c.rowid AS rid, c.*
	    FROM c, k WHERE (c.ts / $adv - k.i) * $adv + $size > c.ts;
	CREATE INDEX wi ON w(ws, user, rid);
	CREATE TABLE q AS SELECT ws, user, amount,
	    row_number() OVER (PARTITION BY ws, user ORDER BY amount) - 1 AS r,
	    count(*) OVER (PARTITION BY ws, user) AS n FROM w;
	CREATE TABLE e AS SELECT ws, ws + $size AS we, user, count(*) AS n,
	    sum(amount) AS sm, avg(amount) AS av, min(amount) AS mn,
	    max(amount) AS mx, count(DISTINCT page) AS dp,
	    (SELECT page FROM w x WHERE x.ws = w.ws AND x.user = w.user
	        ORDER BY rid LIMIT 1) AS fp,
	    (SELECT page FROM w x WHERE x.ws = w.ws AND x.user = w.user
	        ORDER BY rid DESC LIMIT 1) AS lp,
	    (SELECT amount FROM q WHERE q.ws = w.ws AND q.user = w.user AND
	        q.r = max(0, ceil(0.5 * q.n - 1e-9) - 1)) AS p50,
	    (SELECT amount FROM q WHERE q.ws = w.ws AND q.user = w.user AND
	        q.r = max(0, ceil(0.99 * q.n - 1e-9) - 1)) AS p99,
	    (SELECT amount FROM q WHERE q.ws = w.ws AND q.user = w.user AND
	        q.r = max(0, ceil(0.999 * q.n - 1e-9) - 1)) AS p999,
	    CASE WHEN count(*) > 1 THEN sqrt((sum(amount * amount) -
	        sum(amount) * sum(amount) / count(*)) / (count(*) - 1)) END AS sd
	    FROM w GROUP BY ws, user;
	SELECT 'groups', (SELECT count(*) FROM e), (SELECT count(*) FROM g),
	    (SELECT count(*) FROM got);
	SELECT 'missing', e.ws, e.user FROM e LEFT JOIN g USING (ws, user)
	    WHERE g.n IS NULL;
	SELECT 'extra', g.ws, g.user FROM g LEFT JOIN e USING (ws, user)
	    WHERE e.n IS NULL;
	SELECT 'differs', e.*, '<>', g.* FROM e JOIN g USING (ws, user)
	    WHERE e.we != g.we OR e.n != g.n OR abs(e.sm - g.sm) > 1e-9 * abs(e.sm)
	    OR abs(e.av - g.av) > 1e-9 * abs(e.av) OR e.mn != g.mn
	    OR e.mx != g.mx OR e.fp != g.fp OR e.lp != g.lp OR e.dp != g.dp
	    OR abs(g.adp - e.dp) > 0.02 * e.dp
	    OR abs(g.p50 - e.p50) > 0.01 * abs(e.p50) + 1e-9
	    OR abs(g.p99 - e.p99) > 0.01 * abs(e.p99) + 1e-9
	    OR abs(g.p999 - e.p999) > 0.01 * abs(e.p999) + 1e-9
	    OR abs(g.sd - e.sd) > 1e-9 * e.sd;
	SQL
	cat "$T/diff"
	# every sqlite group is there once and nothing else differs
	read -r tag ne ng ngot < <(tr '|' ' ' < "$T/diff" | head -1)
	[ "$tag" = groups ] && [ "$ne" -gt 100 ] && [ "$ne" = "$ng" ]
	[ "$emit" = updates ] || [ "$ngot" = "$ne" ]
	[ "$emit" = final ] || [ "$ngot" -gt "$ne" ]
	[ "$(wc -l < "$T/diff")" -eq 1 ]
}

@test "oracle: tumbling 2s windows, every function, out of order input" {
	gen 30000 20
	oracle 2000 2000
}

@test "oracle: hopping 3s every 1s" {
	gen 12000 10
	oracle 3000 1000
}

@test "oracle: hopping 5s every 2s (size not a multiple of advance)" {
	gen 12000 10
	oracle 5000 2000
}

@test "oracle: --emit updates, last update per window equals the final result" {
	gen 8000 10
	oracle 2000 2000 updates
}

@test "oracle: topk per window and user equals sqlite's top pages" {
	gen 20000 5
	windowed 2000 2000 | limit weir-agg -g .user topk:3:.page |
	    weir-sink -f ndjson |
	    jq -r '. as $r | .topk_page | to_entries[] |
	        [$r.window_start, $r.user, .key, .value.value, .value.count] |
	        @csv' > "$T/got.csv"
	sqlite3 "$T/db" > "$T/diff" <<-SQL
	CREATE TABLE got(ws INT, user TEXT, r INT, page TEXT, n INT);
	.import --csv $T/got.csv got
	CREATE TABLE e AS SELECT * FROM (SELECT ws, user, row_number() OVER
	    (PARTITION BY ws, user ORDER BY n DESC, page) - 1 AS r, page, n
	    FROM (SELECT (ts / 2000) * 2000 AS ws, user, page, count(*) AS n
	    FROM c GROUP BY 1, 2, 3)) WHERE r < 3;
	SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM got);
	SELECT * FROM e EXCEPT SELECT * FROM got;
	SELECT * FROM got EXCEPT SELECT * FROM e;
	SQL
	cat "$T/diff"
	[ "$(wc -l < "$T/diff")" -eq 1 ]
	read -r ne ng < <(tr '|' ' ' < "$T/diff")
	[ "$ne" -gt 100 ] && [ "$ne" = "$ng" ]
}

@test "oracle through weir-window: tumbling 2s with grace, every function" {
	needs_window
	gen 30000 20
	oracle 2000 2000
}

@test "oracle through weir-window: hopping 5s every 2s, --emit updates" {
	needs_window
	gen 12000 10
	oracle 5000 2000 updates
}

@test "oracle through weir-window: hopping 5s every 2s, every function, one HOP record per click" {
	needs_window
	gen 12000 10
	# weir-window writes each click once, with its windows
	weir-source --time .ts --max-delay 1s "$T/c.ndjson" |
	    weir-window hopping 5s 2s | python3 "$BATS_TEST_DIRNAME/wframes.py" -d |
	    grep -c '+2000x' | grep -qx 12000
	oracle 5000 2000
}

# hop_vs_copies WINDOW-ARGS -- AGG-ARGS: weir-agg on weir-window's HOP
# records gives byte for byte what it gives on one copy per window, and
# says the same on standard error (late counts)
hop_vs_copies() {
	local w="" c
	while [ "$1" != -- ]; do w="$w $1"; shift; done
	shift
	for c in "" --copies; do
		limit bash -o pipefail -c "weir-source --time .ts \
		    --max-delay 300ms '$T/c.ndjson' | weir-window $w $c |
		    weir-agg -g .user $* | weir-sink -f envelope" \
		    > "$T/out$c" 2> "$T/err$c"
	done
	[ "$(wc -l < "$T/out")" -gt 100 ]
	cmp "$T/out" "$T/out--copies"
	diff "$T/err" "$T/err--copies"
}

@test "hopping through HOP records equals one copy per window: every function, late records, grace" {
	needs_window
	gen 12000 10
	ALL="count sum:.amount avg:.amount min:.amount max:.amount
	    first:.page last:.page distinct:.page approx_distinct:.page
	    p50:.amount p99.9:.amount topk:2:.page stddev:.amount
	    max_by:.amount min_by:.amount top:3:.amount"
	# records 2 s out of order against 300 ms of delay: late windows
	hop_vs_copies hopping 1s 200ms --late pass -- $ALL
	grep -q "weir-agg: dropped [1-9][0-9]* late records" "$T/err"
	grep -q "weir-window: passed [1-9][0-9]* late records" "$T/err"
	hop_vs_copies hopping 1s 300ms --grace 100ms --offset 50ms -- $ALL
	grep -q "weir-window: dropped [1-9][0-9]* late records" "$T/err"
	hop_vs_copies hopping 600ms 200ms -- -g .page $ALL
	hop_vs_copies hopping 400ms 400ms -- $ALL
}

@test "oracle through weir-window: sessions per user, gap merging" {
	needs_window
	gen 20000 100
	# max-delay above the clicks' 2 s lateness: no record is late
	weir-source --time .ts --max-delay 3s "$T/c.ndjson" |
	    weir-window session 150ms -g .user 2> "$T/err" |
	    limit weir-agg -g .user count sum:.amount min:.amount max:.amount \
	    distinct:.page p99:.amount | weir-sink -f ndjson |
	    jq -r '[.window_start, .window_end, .user, .count, .sum_amount,
	    .min_amount, .max_amount, .distinct_page, .p99_amount] | @csv' \
	    > "$T/got.csv"
	sqlite3 "$T/db" > "$T/diff" <<-SQL
	CREATE TABLE g(ws INT, we INT, user TEXT, n INT, sm REAL, mn REAL,
	    mx REAL, dp INT, p99 REAL);
	.import --csv $T/got.csv g
	CREATE TABLE s AS SELECT *, sum(brk) OVER (PARTITION BY user
	    ORDER BY ts, rowid) AS sid FROM (SELECT c.*, c.rowid AS rid,
	    coalesce(ts - lag(ts) OVER (PARTITION BY user ORDER BY ts, rowid)
	    > 150, 1) AS brk FROM c);
	CREATE TABLE q AS SELECT user, sid, amount, row_number() OVER
	    (PARTITION BY user, sid ORDER BY amount) - 1 AS r,
	    count(*) OVER (PARTITION BY user, sid) AS n FROM s;
	CREATE TABLE e AS SELECT min(ts) AS ws, max(ts) + 150 AS we, user,
	    count(*) AS n, sum(amount) AS sm, min(amount) AS mn,
	    max(amount) AS mx, count(DISTINCT page) AS dp,
	    (SELECT amount FROM q WHERE q.user = s.user AND q.sid = s.sid AND
	        q.r = max(0, ceil(0.99 * q.n - 1e-9) - 1)) AS p99
	    FROM s GROUP BY user, sid;
	SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM g);
	SELECT 'missing', e.* FROM e LEFT JOIN g USING (ws, user)
	    WHERE g.n IS NULL;
	SELECT 'differs', e.*, '<>', g.* FROM e JOIN g USING (ws, user)
	    WHERE e.we != g.we OR e.n != g.n OR abs(e.sm - g.sm) > 1e-9 * e.sm
	    OR e.mn != g.mn OR e.mx != g.mx OR e.dp != g.dp
	    OR abs(g.p99 - e.p99) > 0.01 * e.p99 + 1e-9;
	SQL
	cat "$T/diff" "$T/err"
	[ ! -s "$T/err" ]
	[ "$(wc -l < "$T/diff")" -eq 1 ]
	read -r ne ng < <(tr '|' ' ' < "$T/diff")
	[ "$ne" -gt 500 ] && [ "$ne" = "$ng" ]
}
