#!/usr/bin/env bats
# weir-map: assignments, --keep/--drop/--rename (table-driven), re-keying
# and re-timing, exact copies, errors, and the EXAMPLES of weir-map(1).

load helpers

@test "reshaping: arguments -> output value" {
	ndjson '{"user":"ann","amount":12.50,"a":{"x":1,"y":2},"big":12345678901234567890,"s":"tab\there"}'
	while IFS='|' read -r args want; do
		[ -n "$args" ] || continue
		got=$(eval "weir-map -f ndjson $args" < "$T/in.ndjson")
		if [ "$got" != "$want" ]; then
			echo "args: $args"
			echo "got:  $got"
			echo "want: $want"
			return 1
		fi
	done <<'TABLE'
'cents=.amount * 100'|{"user":"ann","amount":12.50,"a":{"x":1,"y":2},"big":12345678901234567890,"s":"tab\there","cents":1250}
'user=upper(.user)'|{"user":"ANN","amount":12.50,"a":{"x":1,"y":2},"big":12345678901234567890,"s":"tab\there"}
'user=.nope'|{"amount":12.50,"a":{"x":1,"y":2},"big":12345678901234567890,"s":"tab\there"}
--drop .amount,.a.x,.big,.s|{"user":"ann","a":{"y":2}}
--drop .a --drop .big --drop .s|{"user":"ann","amount":12.50}
--keep .user,.a.y|{"user":"ann","a":{"y":2}}
--keep .big,.s|{"big":12345678901234567890,"s":"tab\there"}
--keep .a --drop .a.x|{"a":{"y":2}}
--keep .user 'n=len(.user)' 'x=.a.x'|{"user":"ann","n":3,"x":1}
--keep .user --rename .user=who|{"who":"ann"}
--keep .a --rename .a.x=.b.c|{"a":{"y":2},"b":{"c":1}}
--keep .user 'a=.user' 'user=.a.y'|{"user":2,"a":"ann"}
--keep .a '.a.z=.user' '.a.y=null'|{"a":{"x":1,"y":null,"z":"ann"}}
--keep .user '.user.first=.user'|{"user":{"first":"ann"}}
--keep .user 'b=.amount > 10' 't=type(.a)'|{"user":"ann","b":true,"t":"object"}
--keep .user 'v=.big'|{"user":"ann","v":12345678901234567890}
--keep .user 'h=.amount / 4'|{"user":"ann","h":3.125}
--keep .user '.["odd key"]=1'|{"user":"ann","odd key":1}
--keep .user 'label=.user + ":" + string(.a.x)'|{"user":"ann","label":"ann:1"}
--keep .nothing|{}
--keep .user ' cents = .amount * 100 '|{"user":"ann","cents":1250}
TABLE
}

@test "a value that is not an object gets the assignments alone" {
	printf '"just a string"\n[1,2]\n' > "$T/in.ndjson"
	run bash -o pipefail -c "weir-map -f ndjson 'n=len(.)' 't=type(.)' < '$T/in.ndjson'"
	[ "$output" = '{"n":13,"t":"string"}
{"n":2,"t":"array"}' ]
}

@test "a value that is not an object is left alone by --drop and --keep" {
	printf '"s"\nnull\n{"a":1,"b":2}\n' > "$T/in.ndjson"
	run bash -o pipefail -c "weir-map -f ndjson --drop .a < '$T/in.ndjson'"
	[ "$output" = '"s"
null
{"b":2}' ]
	run bash -o pipefail -c "weir-map -f ndjson --keep .a 'c=.nope' < '$T/in.ndjson'"
	[ "$output" = '"s"
null
{"a":1}' ]
}

@test "--key and --time re-key and re-time; the value stays as it was" {
	ndjson '{"u":"ann","t":1000,"iso":"2024-05-01T12:00:00.250Z","n":7}' '{"u":"bob","t":2000.6,"n":{"a":1}}'
	run bash -o pipefail -c "weir-map --key .u --time '.t + 1' < '$T/in.ndjson' | weir-sink -f envelope"
	[ "$output" = '{"ts":1001,"key":"ann","value":{"u":"ann","t":1000,"iso":"2024-05-01T12:00:00.250Z","n":7}}
{"ts":2002,"key":"bob","value":{"u":"bob","t":2000.6,"n":{"a":1}}}' ]
	# a key from a number or an object is its JSON text; missing removes it
	run bash -o pipefail -c "weir-map --key .n < '$T/in.ndjson' | weir-map --key .nope | weir-sink -f envelope"
	[[ "$output" != *'"key"'* ]]
	run bash -o pipefail -c "weir-map --key .n < '$T/in.ndjson' | weir-sink -f envelope | jq -c .key"
	[ "$output" = '"7"
"{\"a\":1}"' ]
	# ISO 8601
	run bash -o pipefail -c "head -1 '$T/in.ndjson' | weir-map --time .iso | weir-sink -f envelope | jq -c .ts"
	[ "$output" = "1714564800250" ]
	# not a time: bad data, exit 1, or skipped
	run bash -o pipefail -c "weir-map --time .u < '$T/in.ndjson' > /dev/null"
	[ "$status" -eq 1 ]
	[[ "$output" == *"--time gave string, not a time"* ]]
	run bash -o pipefail -c "weir-map --on-error skip --time .iso < '$T/in.ndjson' 2>/dev/null | weir-sink -f envelope | jq -c .ts"
	[ "$output" = "1714564800250" ]
}

@test "watermarks pass through; frames in, frames out" {
	w1=$(weir-source --gen clicks --count 5000 --max-delay 1s | weir-map 'x=1' | weir-filter false | wc -c)
	w0=$(weir-source --gen clicks --count 5000 | weir-map 'x=1' | weir-filter false | wc -c)
	[ "$w1" -gt "$w0" ]
	n=$(weir-source --gen clicks --count 3000 | weir-map 'c=.amount*100' | weir-sink | jq -c 'select(.c != (.amount*100|round))' | wc -l)
	[ "$n" -eq 0 ]
}

@test "usage errors: exit 2 with a clear message" {
	while IFS='|' read -r args msg; do
		[ -n "$args" ] || continue
		run bash -o pipefail -c "weir-map $args < /dev/null"
		[ "$status" -eq 2 ] || { echo "$args: status $status"; return 1; }
		[[ "$output" == *"$msg"* ]] || { echo "$args: $output"; return 1; }
	done <<'TABLE'
'x=.a +'|column 5: expected an operand
'x<=5'|is not NAME=EXPR
'x!=5'|is not NAME=EXPR
'x'|is not NAME=EXPR
'=1'|is not NAME=EXPR
' =1'|has no NAME
--rename .a|--rename wants OLD=NEW
'.a[0]=1'|array elements
--drop '.a[1]'|array elements
'a=1' '.a.b=2'|set inside a field that is set too
--key '.a ==='|bad expression in --key
--time 'foo()'|unknown function 'foo'
TABLE
	run weir-map 'x=.a +'
	[ "${lines[1]}" = ".a +" ]
	[ "${lines[2]}" = "    ^" ]
}

@test "weir-map(1) EXAMPLES" {
	run bash -o pipefail -c "weir-source --gen clicks --count 3 |
	    weir-map 'cents=.amount * 100' --drop .amount | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"ts":1700000000000,"user":"u298","page":"/p/22","cents":6835}' ]
	[ "${#lines[@]}" -eq 3 ]
	run bash -o pipefail -c "weir-source --gen clicks --count 3 |
	    weir-map --keep .user --rename .page=.where.page \
	      'label=upper(.user) + \":\" + .page' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"user":"u298","where":{"page":"/p/22"},"label":"U298:/p/22"}' ]
	run bash -o pipefail -c "printf '{\"page\":\"/a\",\"at\":\"2024-05-01T12:00:00Z\"}\n' |
	    weir-map --key .page --time .at | weir-sink -f envelope"
	[ "$status" -eq 0 ]
	[ "$output" = '{"ts":1714564800000,"key":"/a","value":{"page":"/a","at":"2024-05-01T12:00:00Z"}}' ]
}
