#!/usr/bin/env bats
# One value semantics everywhere (issue 10): strings by their characters,
# numbers by their exact value, one number rule, last duplicate key wins,
# CSV byte-order marks, quote-aware path lists.

load helpers

@test "agg -g groups a string by its characters, not its escaping" {
	printf '{"u":"u\\u00e9"}\n{"u":"u\xc3\xa9"}\n{"u":"a\\/b"}\n{"u":"a/b"}\n' > "$T/in"
	run bash -o pipefail -c "weir-source '$T/in' | weir-agg -g .u count | weir-sink"
	[ "$status" -eq 0 ]
	# (groups in the order of their values: weir-agg(1), Output)
	[ "$output" = "$(printf '{"u":"a/b","count":2}\n{"u":"u\xc3\xa9","count":2}')" ]
}

@test "agg -g: numbers group by exact value (1, 1.0, 1e0 are one; 2^53+1 is not 2^53)" {
	ndjson '{"v":1}' '{"v":1.0}' '{"v":1e0}' '{"v":9007199254740993}' \
	    '{"v":9007199254740992}' '{"v":"1"}'
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-agg -g .v count | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"v":1,"count":3}
{"v":9007199254740992,"count":1}
{"v":9007199254740993,"count":1}
{"v":"1","count":1}' ]
}

@test "distinct, approx_distinct and topk count a string once whatever its escaping" {
	printf '{"u":"u\\u00e9"}\n{"u":"u\xc3\xa9"}\n{"u":"a\\/b"}\n{"u":"a/b"}\n{"u":"a/b"}\n' > "$T/in"
	run bash -o pipefail -c "weir-source '$T/in' | weir-agg distinct:.u approx_distinct:.u topk:1:.u | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"distinct_u":2,"approx_distinct_u":2,"topk_u":[{"value":"a/b","count":3}]}' ]
}

@test "distinct tells 2^53+1 from 2^53" {
	ndjson '{"v":9007199254740993}' '{"v":9007199254740992}' '{"v":9007199254740992.0}'
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-agg distinct:.v approx_distinct:.v | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"distinct_v":2,"approx_distinct_v":2}' ]
}

@test "window session -g groups a string by its characters" {
	printf '{"u":"u\\u00e9","t":1000}\n{"u":"u\xc3\xa9","t":2000}\n' > "$T/in"
	run bash -o pipefail -c "weir-source --time .t '$T/in' | weir-window session 10s -g .u 2>/dev/null | weir-agg count | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"window_start":1000,"window_end":12000,"count":2}' ]
}

@test "min/max/first/last return an input value exactly, in its own text" {
	ndjson '{"v":9007199254740993}' '{"v":1}' '{"v":1.50}' '{"v":1e400}' '{"v":-1E+2}'
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-agg min:.v max:.v first:.v last:.v | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"min_v":-1E+2,"max_v":1e400,"first_v":9007199254740993,"last_v":-1E+2}' ]
	ndjson '{"v":9007199254740993}' '{"v":1}' '{"v":9007199254740992}'
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-agg min:.v max:.v | weir-sink"
	[ "$output" = '{"min_v":1,"max_v":9007199254740993}' ]
}

@test "decimal strings sum exactly" {
	ndjson '{"v":"0.1"}' '{"v":"0.2"}'
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-agg sum:.v | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"sum_v":0.3}' ]
	printf 'id,amount\n1,"0.10"\n2,"0.20"\n' > "$T/in.csv"
	run bash -o pipefail -c "weir-source -f csv '$T/in.csv' | weir-agg sum:.amount | weir-sink"
	[ "$output" = '{"sum_amount":0.30}' ]
}

@test "one number rule: weir-agg and number() agree on which strings are numbers" {
	for s in '0x10' '+5' '5.' '00012' ' 5 ' '.5' '1e2' '-3.25' 'inf' 'nan' '5 x' ''; do
		printf '{"v":"%s"}\n' "$s"
	done > "$T/in"
	run bash -o pipefail -c "weir-source '$T/in' | weir-map 'x=number(.v)' | weir-filter 'exists(.x)' | weir-agg c=count s=sum:.v | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"c":3,"s":101.75}' ]
	run bash -o pipefail -c "weir-source '$T/in' | weir-agg c=count s=sum:.v | weir-sink"
	[ "$output" = '{"c":12,"s":101.75}' ]
}

@test "record decimals of 16 to 18 digits are exact in expressions" {
	ndjson '{"v":1234567890123456.78}'
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-map 'w=.v + 0.01' --keep w | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"w":1234567890123456.79}' ]
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-filter '.v == 1234567890123456.78 and .v != 1234567890123456.77' | weir-sink"
	[ "$output" = '{"v":1234567890123456.78}' ]
	ndjson '{"v":1234567890123456.78}' '{"v":0.01}'
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-agg sum:.v | weir-sink"
	[ "$output" = '{"sum_v":1234567890123456.79}' ]
}

@test "duplicate object keys: the last one wins, everywhere" {
	ndjson '{"a":1,"b":0,"a":2}' '{"a":1,"\u0061":3}'
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"a":2,"b":0}
{"a":3}' ]
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-filter '.a >= 2' | weir-agg sum:.a | weir-sink"
	[ "$output" = '{"sum_a":5}' ]
}

@test "a CSV byte-order mark is not part of the first field name" {
	printf '\xef\xbb\xbfid,name\n1,x\n' > "$T/a.csv"
	printf '\xef\xbb\xbf"id",name\n1,x\n' > "$T/b.csv"
	printf '\xef\xbb\xbfid\tname\n1\tx\n' > "$T/c.tsv"
	run bash -o pipefail -c "weir-source -f csv '$T/a.csv' | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"id":1,"name":"x"}' ]
	run bash -o pipefail -c "weir-source -f csv '$T/b.csv' | weir-sink"
	[ "$output" = '{"id":1,"name":"x"}' ]
	run bash -o pipefail -c "weir-source -f tsv '$T/c.tsv' | weir-sink"
	[ "$output" = '{"id":1,"name":"x"}' ]
}

@test "path lists split at commas outside quotes, in every program" {
	ndjson '{"a,b":1,"c":2,"d":3}'
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-agg -g '.[\"a,b\"],.c' count | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"a,b":1,"c":2,"count":1}' ]
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-map --keep '.[\"a,b\"],.d' | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"a,b":1,"d":3}' ]
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-map --drop '.[\"a,b\"],.c' | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"d":3}' ]
	run weir-agg -g '.["a,b"' count
	[ "$status" -eq 2 ]
}

@test "weir-filter == compares arrays and objects by their values" {
	printf '{"a":[1.0,"\\u00e9"],"b":[1,"\xc3\xa9"],"c":{"k":"a\\/b"},"d":{"k":"a/b"}}\n' > "$T/in"
	run bash -o pipefail -c "weir-source '$T/in' | weir-filter '.a == .b and .c == .d and .a != .c' | weir-sink -f ndjson | wc -l"
	[ "$status" -eq 0 ]
	[ "$output" -eq 1 ]
}

@test "weir-check --unique compares values like every program (exact numbers, characters)" {
	printf '{"id":1234567890123456.78}\n{"id":1234567890123456.77}\n{"id":9007199254740993}\n{"id":9007199254740992}\n' > "$T/a"
	run weir-check --unique .id "$T/a"
	[ "$status" -eq 0 ]
	printf '{"id":"u\\u00e9"}\n{"id":"u\xc3\xa9"}\n{"id":1}\n{"id":1.0}\n' > "$T/b"
	run weir-check --unique .id "$T/b"
	[ "$status" -eq 1 ]
	[[ "$output" == *"2 of 4 values failed"* ]]
}

@test "weir-join matches field keys by value: 1 and 1.0, escaped and plain strings" {
	printf '{"id":1.0,"n":"one"}\n{"id":"u\\u00e9","n":"ue"}\n{"id":12.50,"n":"x"}\n' > "$T/t"
	printf '{"u":1}\n{"u":"u\xc3\xa9"}\n{"u":12.5}\n{"u":2}\n' > "$T/s"
	run bash -o pipefail -c "weir-source '$T/s' | weir-join --table '$T/t' --on .u=.id | weir-sink"
	[ "$status" -eq 0 ]
	printf '{"u":1,"id":1.0,"n":"one"}\n{"u":"u\xc3\xa9","id":"u\\u00e9","n":"ue"}\n{"u":12.5,"id":12.50,"n":"x"}\n' > "$T/want"
	[ "$output" = "$(cat "$T/want")" ]
}

@test "weir-sink --fields takes the same path lists" {
	ndjson '{"a,b":1,"c":2,"d":3}'
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-sink -f csv --fields '.[\"a,b\"],c,.d'"
	[ "$status" -eq 0 ]
	[ "$output" = '"a,b",c,d
1,2,3' ]
	run weir-sink -f csv --fields '.["a,b"'
	[ "$status" -eq 2 ]
}

@test "a CSV header with a name twice: the last cell wins, in the first place" {
	printf 'a,b,a\n1,2,3\n' > "$T/in.csv"
	run bash -o pipefail -c "weir-source -f csv '$T/in.csv' | weir-filter '.a == 3' | weir-sink"
	[ "$status" -eq 0 ]
	[ "$output" = '{"a":3,"b":2}' ]
}
