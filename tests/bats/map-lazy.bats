#!/usr/bin/env bats
# weir-map checks the packed values of a frame stream lazily: the members
# its expressions read and the members it writes out are checked (a
# corrupt one stops it with status 3, as a corrupt frame does); members it
# drops are only stepped over, within bounds.  With -f ndjson it writes
# the JSON itself, byte for byte what converting its packed value gave.
load helpers
load packed-frames

TK=74			# "t"
NOPE=446e6f7065		# "nope"

@test "a corrupt member weir-map drops is passed over" {
	v1=$(obj $U:$GOOD $A:$INT7 $P:$QUOTE)
	v2=$(obj $P:$QUOTE $U:$GOOD $A:$INT7)
	frames "$v1" "$v2" > "$T/in"
	want=$'{"user":"a","amount":7}\n{"user":"a","amount":7}'
	run bash -o pipefail -c "weir-map -k .user,.amount -f ndjson < '$T/in'"
	echo "$status $output"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	run bash -o pipefail -c "weir-map -k .user,.amount < '$T/in' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	run bash -o pipefail -c "weir-map -d .page --where '.amount > 5' 'x=.amount * 2' -f ndjson < '$T/in'"
	[ "$status" -eq 0 ]
	[ "$output" = $'{"user":"a","amount":7,"x":14}\n{"user":"a","amount":7,"x":14}' ]
	# a record --where drops is not read further
	run bash -o pipefail -c "weir-map --where '.user == \"b\"' -f ndjson < '$T/in'"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "a corrupt member weir-map reads or writes out stops it (status 3)" {
	frames "$(obj $U:$GOOD $A:$INT7 $P:$QUOTE)" > "$T/p"
	frames "$(obj $U:$GOOD $A:$BADNUM)" > "$T/n"
	frames "$(obj $U:$GOOD $A:$INT7)" "ffffff" > "$T/x"
	frames "$(obj $U:$GOOD $A:$INT7)" "" > "$T/e"
	frames "4122" > "$T/s"
	frames "$(obj $U:$GOOD $TK:$NOPE $P:$QUOTE)" > "$T/t"
	for c in "p:-k .page" "p:-k .page -f ndjson" "p:-d .user" \
	    "p:-d .user -f ndjson" "p:--where '.page == \"x\"' -k .user" \
	    "p:'y=.page' -k .user -f ndjson" "p:'y=upper(.page)' -k .user" \
	    "p:-K .page -k .user" "p:-r page=q -f ndjson" "p:--where 'exists(.)'" \
	    "n:-k .amount -f ndjson" "n:'b=.amount + 1' -k .b" "x:-k .user" \
	    "e:-k .user -f ndjson" "s:-k .user -f ndjson" "s:'a=1'" \
	    "t:--time .t --on-error $T/bad -k .user" \
	    "t:--time .t --on-error skip -k .user -f ndjson"; do
		f=${c%%:*} args=${c#*:}
		run bash -c "weir-map $args < '$T/$f' > /dev/null"
		echo "$f $args: $status $output"
		[ "$status" -eq 3 ]
		[[ "$output" == "weir-map: stdin: "*"packed value"* ]]
		[[ "$output" == *"corrupt packed value"* || $f = e ]]
		[[ "$output" != *"Sanitizer"* && "$output" != *"runtime error"* ]]
	done
	[ ! -s "$T/bad" ]
}

@test "lazily checked frames give what text in (checked whole) gives, frames and NDJSON out" {
	weir-source --gen nexmark --count 3000 --seed 3 > "$T/in"
	weir-sink -f ndjson < "$T/in" > "$T/in.ndjson"
	for args in "--where '.event_type == 2' -k .auction,.bidder,.price,.dateTime,.extra" \
	    "--where '.event_type == 2' -k .auction,.bidder,.price,.dateTime,.extra 'price=0.908 * .price'" \
	    "-d .extra,.url -r id=pid 'n=.price * 2' 'big=.price > 100000' -K .channel" \
	    "-k .name,.seller 'seller=.seller + 1' 'p.q=.id' -T .dateTime" \
	    "--where '.event_type != 2'"; do
		for out in "-f ndjson" "-f framed"; do
			# the text has no event times: those of -T only
			eval "weir-map $args $out < '$T/in.ndjson'" |
			    weir-sink -f envelope > "$T/want"
			ts='jq -c "del(.ts)"'
			[[ $args != *-T* ]] || ts=cat
			run bash -o pipefail -c "weir-map $args $out < '$T/in' | weir-sink -f envelope | $ts > '$T/got'"
			echo "$args $out: $status $output"
			[ "$status" -eq 0 ]
			[ -s "$T/want" ]
			cmp "$T/want" "$T/got"
		done
	done
}
