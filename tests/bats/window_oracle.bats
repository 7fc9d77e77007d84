#!/usr/bin/env bats
# Oracle tests: weir-window against the same windows computed by sqlite3
# from the very stream weir-window read (generated clicks, out of order,
# with watermarks; times from negative to positive).
load helpers

WF="$BATS_TEST_DIRNAME/wframes.py"

# src DELAY: generated clicks keyed by user, as frames in $T/src, and as
# $T/ev.csv (seq,ts,key,watermark in force when the record arrived) for
# sqlite3, decoded from those frames by wframes.py.
src() {
	weir-source --gen clicks --count 20000 --start -7000 --users 40 \
	    --seed 7 --time .ts --key .user --max-delay "$1" > "$T/src"
	python3 "$WF" -d < "$T/src" | awk -F'[ /]' '
	    $1 == "W" { wm = $2; next }
	    $1 == "END" { next }
	    { print ++n "," $1 "," $2 "," (wm == "" ? -1000000000000000 : wm) }
	' > "$T/ev.csv"
	[ "$(wc -l < "$T/ev.csv")" -eq 20000 ]
	grep -q '^W ' <(python3 "$WF" -d < "$T/src")
}

# sql QUERY: run it over table ev(seq, ts, k, wm).
sql() {
	sqlite3 -batch -separator ' ' :memory: \
	    "create table ev(seq integer, ts integer, k text, wm integer);" \
	    ".mode csv" ".import $T/ev.csv ev" ".mode list" ".separator ' '" \
	    "$1"
}

# weir ARGS...: weir-window's output on $T/src, one "start end late key"
# line per record, after checking the watermark contract on the way: a
# record is marked late exactly when its window ended at or before the
# last watermark forwarded (downstream closes a window at W >= end).
weir() {
	limit weir-window "$@" < "$T/src" 2>"$T/err" > "$T/out"
	python3 "$WF" -dx < "$T/out" | awk -F'[@,/]' '
	    $1 ~ /^W / { split($1, w, " "); if (seen && w[2] <= fw) bad = bad "backwards " $0 "\n"; fw = w[2]; seen = 1; next }
	    $1 == "END" { ended = 1; next }
	    {
		late = ($3 ~ /L$/); e = $3; sub(/L$/, "", e)
		if (late != (seen && e + 0 <= fw + 0))
			bad = bad "contract broken at " $0 " (last watermark " fw ")\n"
		print $2, e, late, $4
	    }
	    END { if (!ended) bad = bad "no END\n"; if (bad != "") { printf "%s", bad > "/dev/stderr"; exit 1 } }
	'
}

@test "oracle: tumbling windows with grace, out-of-order and late records" {
	src 1s
	sql "select s, s + 1000, wm - 300 >= s + 1000, count(*) from
	    (select ts - ((ts % 1000) + 1000) % 1000 as s, wm from ev)
	    group by 1, 2, 3 order by 1, 3" > "$T/want"
	weir tumbling 1s --grace 300ms --late pass | awk '{ print $1, $2, $3 }' |
	    sort | uniq -c | awk '{ print $2, $3, $4, $1 }' | sort -n -k1,1 -k3,3 > "$T/got"
	# there are late records, and negative windows, to get right
	awk '$3 == 1 { l += $4 } END { exit !(l > 0) }' "$T/want"
	grep -q '^-7000 -6000 0 ' "$T/want"
	diff "$T/want" "$T/got"
	# the forwarded watermarks are the source's held back by the grace
	diff <(python3 "$WF" -d < "$T/src" | awk '/^W/ { print $2 - 300 }') \
	    <(python3 "$WF" -d < "$T/out" | awk '/^W/ { print $2 }')
	# --late drop: the same on-time records, and the late ones counted
	weir tumbling 1s --grace 300ms | awk '{ print $1, $2, $3 }' | sort |
	    uniq -c | awk '{ print $2, $3, $4, $1 }' | sort -n -k1,1 -k3,3 > "$T/got"
	diff <(awk '$3 == 0' "$T/want") "$T/got"
	grep -q "dropped $(awk '$3 == 1 { l += $4 } END { print l }' "$T/want") late records" "$T/err"
}

@test "oracle: hopping windows (SIZE not a multiple of ADVANCE), offset, late copies" {
	src 1s
	sql "with k(i) as (values (0), (1), (2), (3)),
	    w as (select ts, ts - ((ts - 100) % 300 + 300) % 300 - 300 * i as s, wm
	        from ev, k)
	    select s, s + 1000, wm >= s + 1000, count(*) from w
	    where s > ts - 1000
	    group by 1, 2, 3 order by 1, 3" > "$T/want"
	weir hopping 1s 300ms --offset 100ms --late pass |
	    awk '{ print $1, $2, $3 }' | sort | uniq -c |
	    awk '{ print $2, $3, $4, $1 }' | sort -n -k1,1 -k3,3 > "$T/got"
	awk '$3 == 1 { l += $4 } END { exit !(l > 0) }' "$T/want"
	diff "$T/want" "$T/got"
}

@test "oracle: session windows per user, merging out-of-order records" {
	src 3s
	sql "with o as (select k, ts, coalesce(ts - lag(ts) over
	        (partition by k order by ts) > 100, 1) as brk from ev),
	    s as (select k, ts, sum(brk) over (partition by k order by ts
	        rows unbounded preceding) as sid from o)
	    select k, min(ts), max(ts) + 100, count(*) from s
	    group by k, sid order by 1, 2" > "$T/want"
	weir session 100ms | awk '{ print $4, $1, $2 }' | sort | uniq -c |
	    awk '{ print $2, $3, $4, $1 }' | sort -k1,1 -k2n > "$T/got"
	# sessions were merged from out-of-order records, and closed early
	[ "$(wc -l < "$T/want")" -gt 500 ]
	diff "$T/want" "$T/got"
	[ ! -s "$T/err" ]
	# watermarks come out early, not only at the end
	python3 "$WF" -d < "$T/out" > "$T/dec"
	awk 'NR <= 2000 && /^W / { f = 1 } END { exit !f }' "$T/dec"
}
