#!/usr/bin/env bats
# weir-agg validates the packed values of a frame stream lazily: the
# fields it reads (group values, aggregated values) are checked before use
# and a corrupt one stops it (status 3) as a corrupt frame does; bytes it
# never reads are not its business (the stage that reads them checks them).
load helpers
load packed-frames


@test "a corrupt value in a field weir-agg does not read is passed over" {
	v1=$(obj $U:$GOOD $A:$INT7 $P:$QUOTE)
	v2=$(obj $P:$QUOTE $U:$GOOD $A:$INT7)
	frames "$v1" "$v2" > "$T/in"
	run bash -o pipefail -c "weir-agg -g .user count sum:.amount < '$T/in' | weir-sink -f ndjson"
	echo "$status $output"
	[ "$status" -eq 0 ]
	[ "$output" = '{"user":"a","count":2,"sum_amount":14}' ]
}

@test "a corrupt value in a field weir-agg reads stops it (status 3), also with --on-error" {
	frames "$(obj $U:$QUOTE $A:$INT7)" > "$T/g"
	frames "$(obj $U:$GOOD $A:$BADNUM)" > "$T/s"
	frames "$(obj $U:$GOOD $A:$INT7)" "ffffff" > "$T/x"
	frames "$(obj $U:$GOOD $A:$INT7)" "" > "$T/e"
	# not an object of one-key paths: the general lookup, the whole value
	frames "$(obj $U:$GOOD $A:$INT7 $P:$QUOTE)" > "$T/p"
	for c in "g:-g .user count" "s:-g .user sum:.amount" "x:-g .user count" \
	    "e:-g .user count" "p:-g .page.x count" "g:-g .user count --on-error $T/bad" \
	    "g:-g .user count --on-error skip" "s:max_by:.amount"; do
		f=${c%%:*} args=${c#*:}
		run bash -c "weir-agg $args < '$T/$f' > /dev/null"
		echo "$f $args: $status $output"
		[ "$status" -eq 3 ]
		[[ "$output" == *"weir-agg: "*"packed value"* ]]
		[[ "$output" == *"corrupt packed value"* || $f = e ]]
		[[ "$output" != *"Sanitizer"* && "$output" != *"runtime error"* ]]
	done
	[ ! -s "$T/bad" ]
}

@test "lazily checked values give the results of the checked ones" {
	weir-source --gen clicks --count 3000 > "$T/in"
	weir-source --gen clicks --count 3000 | weir-sink -f ndjson |
	    weir-agg -g .user count sum:.amount avg:.amount min:.page |
	    weir-sink -f ndjson > "$T/want"
	run bash -o pipefail -c "weir-agg -g .user count sum:.amount avg:.amount min:.page < '$T/in' | weir-sink -f ndjson > '$T/got'"
	[ "$status" -eq 0 ]
	cmp "$T/want" "$T/got"
}

@test "runs of equal values after many different ones: each record counted in its own group" {
	# 40 different values, then runs of one value (the lookup of the one
	# before is reused), then different ones again, then a run
	awk 'BEGIN {
		for (i = 0; i < 40; i++) printf "{\"user\":\"u%d\",\"amount\":%d}\n", i % 7, i
		for (i = 0; i < 5; i++) print "{\"user\":\"u3\",\"amount\":100}"
		for (i = 0; i < 100; i++) printf "{\"user\":\"u%d\",\"amount\":%d}\n", i % 5, i
		for (i = 0; i < 70; i++) print "{\"user\":\"u9\",\"amount\":1}"
	}' > "$T/in.ndjson"
	awk -F'"' '{ split($0, a, ":"); n = a[3] + 0; c[$4]++; s[$4] += n }
	    END { for (u in c) printf "{\"user\":\"%s\",\"count\":%d,\"sum_amount\":%d}\n", u, c[u], s[u] }' \
	    "$T/in.ndjson" | sort > "$T/want"
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-agg -g .user count sum:.amount | weir-sink -f ndjson | sort > '$T/got'"
	[ "$status" -eq 0 ]
	diff "$T/want" "$T/got"
}

@test "a bad record with a corrupt field is not written to --on-error's file: status 3" {
	# --changelog refuses a record without a key; the file would get its
	# value as text, so every field is checked first
	frames "$(obj $U:$GOOD $P:$QUOTE)" > "$T/in"
	run bash -c "weir-agg --changelog -g .user count --on-error '$T/bad' < '$T/in' > /dev/null"
	echo "$status $output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"corrupt packed value"* ]]
	[ ! -s "$T/bad" ]
}
