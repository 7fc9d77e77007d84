#!/usr/bin/env bats
# Schema Registry + Avro (weir-source(1), weir-sink(1), AVRO): python3-avro
# (Debian) encodes and decodes on the other side, a registry stub
# (registry_stub.py, the Confluent REST subset) serves the schemas.
load helpers
load kafka_helpers

STUB="$BATS_TEST_DIRNAME/registry_stub.py"

# registry_start [--fail-ids]: the stub on a loopback ephemeral port; sets $R (its URL).
# Its requests go to $T/reg.log; it stops by itself after 120 s at most.
registry_start() {
	/usr/bin/python3 "$STUB" serve --log "$T/reg.log" --timeout 120 "$@" \
	    > "$T/reg.port" 2> "$T/reg.err" &
	KILL_PIDS="${KILL_PIDS:-} $!"
	local i
	for i in $(seq 100); do
		[ -s "$T/reg.port" ] && break
		sleep 0.05
	done
	R="http://127.0.0.1:$(head -1 "$T/reg.port")"
	[ "$R" != "http://127.0.0.1:" ]
}

py() {
	limit /usr/bin/python3 "$STUB" "$@"
}

# A schema with every type and the logical types weir renders.
schema_all() {
	cat > "$T/all.avsc" <<'S'
{"type": "record", "name": "Order", "namespace": "shop", "fields": [
  {"name": "id", "type": "long"},
  {"name": "user", "type": "string"},
  {"name": "paid", "type": "boolean"},
  {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal",
    "precision": 30, "scale": 2}},
  {"name": "fee", "type": {"type": "fixed", "name": "Fee", "size": 4,
    "logicalType": "decimal", "precision": 9, "scale": 3}},
  {"name": "day", "type": {"type": "int", "logicalType": "date"}},
  {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "at_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
  {"name": "note", "type": ["null", "string"], "default": null},
  {"name": "size", "type": {"type": "enum", "name": "Size",
    "symbols": ["S", "M", "L"]}},
  {"name": "attrs", "type": {"type": "map", "values": "int"}},
  {"name": "tags", "type": {"type": "array", "items": "string"}},
  {"name": "ship", "type": ["null", {"type": "record", "name": "Ship",
    "fields": [{"name": "city", "type": "string"}]}]},
  {"name": "raw", "type": "bytes"},
  {"name": "ratio", "type": "float"},
  {"name": "score", "type": "double"}
]}
S
}

# The same values: as python3-avro takes them ($py) and as weir-source
# writes them ($want).
values_all() {
	cat > "$T/py.ndjson" <<'J'
{"id": 1, "user": "ann", "paid": true, "amount": {"$decimal": "12.34"}, "fee": {"$decimal": "-0.005"}, "day": {"$date": "2024-02-29"}, "at": {"$ts": "2024-02-29T12:00:00.123Z"}, "at_us": {"$ts": "2024-02-29T12:00:00.123456Z"}, "note": null, "size": "M", "attrs": {"a": 1, "b": -2}, "tags": ["x", "y"], "ship": {"city": "Zürich"}, "raw": {"$bytes": "\u0000\u00ff"}, "ratio": 0.1, "score": 2.5}
{"id": -9007199254740993, "user": "b\"o\\b\n", "paid": false, "amount": {"$decimal": "-123456789012345678901234.56"}, "fee": {"$decimal": "0.000"}, "day": {"$date": "1969-12-31"}, "at": {"$ts": "1969-12-31T23:59:59.999Z"}, "at_us": {"$ts": "1970-01-01T00:00:00.000001Z"}, "note": "hi", "size": "L", "attrs": {}, "tags": [], "ship": null, "raw": {"$bytes": ""}, "ratio": -1.5, "score": 123.456}
J
	cat > "$T/want" <<'J'
{"id":1,"user":"ann","paid":true,"amount":12.34,"fee":-0.005,"day":"2024-02-29","at":"2024-02-29T12:00:00.123Z","at_us":"2024-02-29T12:00:00.123456Z","note":null,"size":"M","attrs":{"a":1,"b":-2},"tags":["x","y"],"ship":{"city":"Zürich"},"raw":"\u0000ÿ","ratio":0.1,"score":2.5}
{"id":-9007199254740993,"user":"b\"o\\b\n","paid":false,"amount":-123456789012345678901234.56,"fee":0.000,"day":"1969-12-31","at":"1969-12-31T23:59:59.999Z","at_us":"1970-01-01T00:00:00.000001Z","note":"hi","size":"L","attrs":{},"tags":[],"ship":null,"raw":"","ratio":-1.5,"score":123.456}
J
}

@test "python3-avro encodes, weir-sink produces, weir-source decodes: the values, logical types readable" {
	broker_start --topic orders:1
	registry_start
	schema_all
	values_all
	py encode "$R" orders-value "$T/all.avsc" < "$T/py.ndjson" > "$T/env"
	weir-source -f envelope "$T/env" | limit weir-sink -b "$B" -t orders
	run bash -o pipefail -c "timeout 60 weir-source -b '$B' -t orders -e -s value=avro -r '$R' | weir-sink -f ndjson > '$T/got'"
	[ "$status" -eq 0 ]
	diff "$T/want" "$T/got"
}

@test "kcat produces python3-avro's bytes; weir-source decodes them" {
	broker_start --topic orders:1
	registry_start
	schema_all
	values_all
	py encode "$R" orders-value "$T/all.avsc" < "$T/py.ndjson" |
	    jq -r .value_base64 > "$T/b64"
	i=0
	while read -r line; do
		i=$((i + 1))
		echo "$line" | base64 -d > "$T/m$i"
	done < "$T/b64"
	limit kcat -b "$B" -P -t orders "$T/m1" "$T/m2"	# one file, one message
	run bash -o pipefail -c "timeout 60 weir-source -b '$B' -t orders -e -s value=avro -r '$R' | weir-sink -f ndjson > '$T/got'"
	[ "$status" -eq 0 ]
	diff <(sort "$T/want") <(sort "$T/got")
}

@test "weir-sink encodes and registers under TOPIC-value; python3-avro decodes the input back" {
	broker_start --topic orders:1
	registry_start
	schema_all
	values_all
	limit weir-sink -b "$B" -t orders -s value=avro -r "$R" --schema "$T/all.avsc" < "$T/want"
	grep -qx 'POST /subjects/orders-value/versions' "$T/reg.log"
	limit weir-source -b "$B" -t orders -e | weir-sink -f envelope |
	    py decode "$R" > "$T/got"
	diff "$T/want" "$T/got"
	# the ISO 8601 strings and numbers go in as well: other offsets, ms
	echo '{"id":1,"user":"u","paid":true,"amount":"7","fee":1,"day":19782,"at":"2024-02-29T13:00:00.123+01:00","at_us":1709208000123456,"size":"S","attrs":{},"tags":[],"ship":null,"raw":"","ratio":0,"score":0,"extra":"dropped"}' |
	    limit weir-sink -b "$B" -t orders -s value=avro -r "$R" --subject orders-value
	limit weir-source -b "$B" -t orders -o 2 -e | weir-sink -f envelope |
	    py decode "$R" > "$T/got"
	echo '{"id":1,"user":"u","paid":true,"amount":7.00,"fee":1.000,"day":"2024-02-29","at":"2024-02-29T12:00:00.123Z","at_us":"2024-02-29T12:00:00.123456Z","note":null,"size":"S","attrs":{},"tags":[],"ship":null,"raw":"","ratio":0,"score":0.0}' |
	    diff - "$T/got"
}

@test "--subject S without --schema uses S's latest; an unknown subject is exit 2" {
	broker_start --topic t:1
	registry_start
	echo '"string"' > "$T/s.avsc"
	echo '"x"' | py encode "$R" names "$T/s.avsc" > /dev/null
	echo '"hello"' | limit weir-sink -b "$B" -t t -s value=avro -r "$R" --subject names
	grep -qx 'GET /subjects/names/versions/latest' "$T/reg.log"
	run bash -o pipefail -c "timeout 60 weir-source -b '$B' -t t -e -s value=avro -r '$R' | weir-sink -f ndjson"
	[ "$output" = '"hello"' ]
	run sh -c "echo 1 | timeout 60 weir-sink -b '$B' -t t -s value=avro -r '$R'"
	[ "$status" -eq 2 ]
	[[ "$output" == *"subject t-value: HTTP 404: Subject 't-value' not found."* ]]
}

@test "schemas are fetched once per id and cached" {
	broker_start --topic t:1
	registry_start
	echo '{"type":"record","name":"R","fields":[{"name":"n","type":"long"}]}' > "$T/s.avsc"
	seq 200 | sed 's/.*/{"n":&}/' > "$T/in"
	py encode "$R" t-value "$T/s.avsc" < "$T/in" | weir-source -f envelope |
	    limit weir-sink -b "$B" -t t
	run bash -o pipefail -c "timeout 60 weir-source -b '$B' -t t -e -s value=avro -r '$R' | weir-sink -f ndjson > '$T/got'"
	[ "$status" -eq 0 ]
	diff "$T/in" "$T/got"
	[ "$(grep -c '^GET /schemas/ids/' "$T/reg.log")" -eq 1 ]
}

@test "keys: -s key=avro both ways" {
	broker_start --topic t:1
	registry_start
	echo '{"type":"record","name":"K","fields":[{"name":"user","type":"string"},{"name":"n","type":"int"}]}' > "$T/k.avsc"
	echo '"long"' > "$T/v.avsc"
	echo '{"user":"ann","n":3}' | py encode "$R" t-key "$T/k.avsc" key > "$T/k"
	echo '42' | py encode "$R" t-value "$T/v.avsc" > "$T/v"
	cat "$T/k" "$T/v" | jq -c -s '.[0] + .[1]' |
	    weir-source -f envelope | limit weir-sink -b "$B" -t t
	run bash -o pipefail -c "timeout 60 weir-source -b '$B' -t t -e -s key=avro -s value=avro -r '$R' | weir-sink -f envelope | jq -c '[.key, .value]'"
	[ "$status" -eq 0 ]
	[ "$output" = '["{\"user\":\"ann\",\"n\":3}",42]' ]
	# weir-sink: a string key schema takes the key's text
	echo '"string"' > "$T/ks.avsc"
	# the value {"u":..} does not fit "long": a bad record
	run bash -c "echo '{\"u\":\"bob\"}' | timeout 60 weir-sink -b '$B' -t t -K .u -s key=avro -s value=avro -r '$R' --key-schema '$T/ks.avsc' --schema '$T/v.avsc'"
	[ "$status" -eq 1 ]
	[[ "$output" == *"value does not fit the schema: not an integer"* ]]
	printf '{"key":"bob","value":7}\n' | weir-source -f envelope |
	    limit weir-sink -b "$B" -t t -s key=avro -s value=avro -r "$R" \
	    --key-schema "$T/ks.avsc" --schema "$T/v.avsc"
	grep -qx 'POST /subjects/t-key/versions' "$T/reg.log"
	limit weir-source -b "$B" -t t -o 1 -e | weir-sink -f envelope > "$T/env"
	[ "$(py decode "$R" key < "$T/env")" = '"bob"' ]
	[ "$(py decode "$R" < "$T/env")" = '7' ]
}

# bad_topic: two good messages around one with a bad magic byte and one
# with a schema id the registry does not have.
bad_topic() {
	broker_start --topic t:1
	registry_start
	echo '"long"' > "$T/s.avsc"
	printf '1\n2\n' | py encode "$R" t-value "$T/s.avsc" | jq -r .value_base64 > "$T/b64"
	sed -n 1p "$T/b64" | base64 -d > "$T/m1"
	printf '{"not":"avro"}' > "$T/m2"
	printf '\000\000\000\000\007\002' > "$T/m3"	# id 7: unknown
	sed -n 2p "$T/b64" | base64 -d > "$T/m4"
	limit kcat -b "$B" -P -t t "$T/m1" "$T/m2" "$T/m3" "$T/m4"
}

@test "a bad magic byte or an unknown schema id: --on-error fail is exit 1" {
	bad_topic
	run bash -c "timeout 60 weir-source -b '$B' -t t -e -s value=avro -r '$R' 2>&1 >/dev/null"
	[ "$status" -eq 1 ]
	[[ "$output" == *"t [0] offset 1: value: not Confluent-framed Avro: magic byte 0x7b, not 0x00"* ]]
	# past the bad magic byte, the unknown id fails the same way
	run bash -c "timeout 60 weir-source -b '$B' -t t -o 2 -e -s value=avro -r '$R' 2>&1 >/dev/null"
	[ "$status" -eq 1 ]
	[[ "$output" == *"t [0] offset 2: value: unknown schema id 7"* ]]
}

@test "a bad magic byte or an unknown schema id: --on-error skip and FILE keep the rest" {
	bad_topic
	run bash -o pipefail -c "timeout 60 weir-source -b '$B' -t t -e -s value=avro -r '$R' --on-error skip 2> '$T/err' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1\n2')" ]
	grep -q 'skipped 2 bad records' "$T/err"
	run bash -o pipefail -c "timeout 60 weir-source -b '$B' -t t -e -s value=avro -r '$R' --on-error '$T/bad' 2> '$T/err' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1\n2')" ]
	# the raw messages, each with a newline
	cat "$T/m2" <(echo) "$T/m3" <(echo) | cmp - "$T/bad"
}

@test "registry down: exit 3 naming it, never its password" {
	broker_start --topic t:1
	printf '\000\000\000\000\001\002' > "$T/m"
	limit kcat -b "$B" -P -t t "$T/m"
	run bash -c "timeout 60 weir-source -b '$B' -t t -e -s value=avro -r 'http://user:s3cret@127.0.0.1:1' --on-error skip 2>&1 >/dev/null"
	[ "$status" -eq 3 ]
	[[ "$output" == *"schema registry http://127.0.0.1:1: Couldn't connect to server"* ]]
	[[ "$output" != *s3cret* ]]
	echo '"long"' > "$T/s.avsc"
	run bash -c "echo 1 | timeout 60 weir-sink -b '$B' -t t -s value=avro -r 'http://user:s3cret@127.0.0.1:1' --schema '$T/s.avsc'"
	[ "$status" -eq 3 ]
	[[ "$output" == *"schema registry http://127.0.0.1:1: Couldn't connect"* ]]
	[[ "$output" != *s3cret* ]]
}

@test "a registry that answers 500 is exit 3, not a bad record" {
	broker_start --topic t:1
	registry_start --fail-ids
	printf '\000\000\000\000\001\002' > "$T/m"
	limit kcat -b "$B" -P -t t "$T/m"
	run bash -c "timeout 60 weir-source -b '$B' -t t -e -s value=avro -r '$R' --on-error skip 2>&1 >/dev/null"
	[ "$status" -eq 3 ]
	[[ "$output" == *"schema registry $R: schema id 1: HTTP 500: Error in the backend data store"* ]]
}

@test "a record that does not fit the schema follows weir-sink's --on-error" {
	broker_start --topic t:1
	registry_start
	echo '{"type":"record","name":"R","fields":[{"name":"n","type":"int"}]}' > "$T/s.avsc"
	run bash -c "printf '{\"n\":1}\n{\"n\":\"x\"}\n' | timeout 60 weir-sink -b '$B' -t t -s value=avro -r '$R' --schema '$T/s.avsc'"
	[ "$status" -eq 1 ]
	[[ "$output" == *"record 2: value does not fit the schema: .n: not an integer"* ]]
	printf '{"n":1}\n{"n":2147483648}\n{"n":3}\n' |
	    limit weir-sink -b "$B" -t t -s value=avro -r "$R" --schema "$T/s.avsc" --on-error skip
	# (what the failed run had in flight may or may not have landed)
	run bash -o pipefail -c "timeout 60 weir-source -b '$B' -t t -e -s value=avro -r '$R' | weir-sink -f ndjson | tail -n 2"
	[ "$output" = "$(printf '{"n":1}\n{"n":3}')" ]
}

@test "usage: -s needs -r and -b, and knows avro only" {
	run weir-source -b 127.0.0.1:1 -t t -s value=avro
	[ "$status" -eq 2 ]
	[[ "$output" == *"needs the Schema Registry: -r URL"* ]]
	run weir-source -b 127.0.0.1:1 -t t -s value=protobuf -r http://127.0.0.1:1
	[ "$status" -eq 2 ]
	run weir-source -s avro -r http://127.0.0.1:1 /dev/null
	[ "$status" -eq 2 ]
	run weir-source -b 127.0.0.1:1 -t t -s avro -r ftp://x
	[ "$status" -eq 2 ]
	run weir-sink -s value=avro -r http://127.0.0.1:1
	[ "$status" -eq 2 ]
	run weir-sink -b 127.0.0.1:1 -t t -r http://127.0.0.1:1
	[ "$status" -eq 2 ]
	run weir-sink -b 127.0.0.1:1 -t t --schema x.avsc
	[ "$status" -eq 2 ]
}
