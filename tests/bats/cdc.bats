#!/usr/bin/env bats
# weir-source --cdc debezium: Debezium change events (the documented
# examples in tests/bats/cdc/) become keyed upserts and deletes that
# weir-join --table applies as a changelog.
load helpers
load kafka_helpers

F="$BATS_TEST_DIRNAME/cdc"

# envelope KEYFILE VALUEFILE: one weir envelope line (key as text)
envelope() {
	jq -c -n --arg k "$(cat "$F/$1")" --slurpfile v "$F/$2" \
	    '{key: $k, value: $v[0]}'
}

# The changelog of customers: snapshot read of 1001, then 1004 created,
# updated, deleted, and its tombstone.
changes() {
	envelope key-1001.json read.json
	envelope key-1004.json create.json
	envelope key-1004.json update.json
	envelope key-1004.json delete.json
	jq -c -n --arg k "$(cat "$F/key-1004.json")" '{key: $k, value: null}'
}

@test "create, update, delete, tombstone and snapshot read become upserts and deletes" {
	changes > "$T/chg"
	run bash -o pipefail -c "weir-source -f envelope --cdc debezium '$T/chg' |
	    weir-sink -f envelope"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[ "${lines[0]}" = '{"key":"1001","value":{"id":1001,"first_name":"Sally","last_name":"Thomas","email":"sally.thomas@acme.com"}}' ]
	[ "${lines[1]}" = '{"key":"1004","value":{"id":1004,"first_name":"Anne","last_name":"Kretchmar","email":"annek@noanswer.org"}}' ]
	[ "${lines[2]}" = '{"key":"1004","value":{"id":1004,"first_name":"Anne Marie","last_name":"Kretchmar","email":"annek@noanswer.org"}}' ]
	[ "${lines[3]}" = '{"key":"1004","value":null}' ]
	[ "${lines[4]}" = '{"key":"1004","value":null}' ]
	# without message keys, -k takes the key from the row: "after" for
	# an upsert, "before" for a delete
	jq -c 'del(.key)' "$T/chg" | head -4 > "$T/nokey"
	run bash -o pipefail -c "weir-source -f envelope --cdc debezium -k .id \
	    '$T/nokey' | weir-sink -f envelope | jq -c '[.key, (.value | type)]'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '["1001","object"]' '["1004","object"]' \
	    '["1004","object"]' '["1004","null"]')" ]
}

@test "weir-join --table reads the changelog: the deleted row no longer matches" {
	changes > "$T/chg"
	printf '%s\n' '{"user":1001,"n":1}' '{"user":1004,"n":2}' > "$T/left"
	weir-source -f envelope --cdc debezium "$T/chg" | weir-sink -f framed -o "$T/t.wf"
	run bash -o pipefail -c "weir-join --table '$T/t.wf' --on .user=.id < '$T/left' |
	    weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = '{"user":1001,"n":1,"id":1001,"first_name":"Sally","last_name":"Thomas","email":"sally.thomas@acme.com"}' ]
	# before the delete, 1004 joins with its updated row
	head -3 "$T/chg" | weir-source -f envelope --cdc debezium |
	    weir-sink -f framed -o "$T/t3.wf"
	weir-join --table "$T/t3.wf" --on .user=.id < "$T/left" | weir-sink -f ndjson |
	    jq -r '.first_name' | diff <(printf 'Sally\nAnne Marie\n') -
}

@test "from Kafka: the topic's messages, tombstone included, as a changelog" {
	broker_start --topic customers:1
	changes > "$T/chg"
	weir-source -f envelope "$T/chg" | limit weir-sink -b "$B" -t customers
	# the tombstone is a null message on the topic
	kcat_dump customers | tail -1 | grep -q '^0 4 .* -1 \[\] $'
	run bash -o pipefail -c "timeout 60 weir-source -b '$B' -t customers -e \
	    --cdc debezium | weir-sink -f envelope | jq -c '[.key, .value.first_name, .offset]'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '["1001","Sally",0]' '["1004","Anne",1]' \
	    '["1004","Anne Marie",2]' '["1004",null,3]' '["1004",null,4]')" ]
}

@test "what is not a change event follows --on-error" {
	printf '%s\n' '{"op":"t","before":null,"after":null}' \
	    '{"op":"d","before":{"id":1},"after":null}' \
	    '{"op":"c","after":null}' '{"a":1}' > "$T/bad"
	run weir-source --cdc debezium "$T/bad"
	[ "$status" -eq 1 ]
	[[ "$output" == *'op "t" is not c, u, r or d'* ]]
	run bash -c "weir-source --cdc debezium --on-error skip '$T/bad' 2>&1 >/dev/null"
	[ "$status" -eq 0 ]
	[[ "$output" == *'op c without an "after" row'* ]]
	[[ "$output" == *'a delete without a key'* ]]
	[[ "$output" == *"skipped 4 bad records"* ]]
	run weir-source --cdc debezium <<< '{"a":1}'
	[ "$status" -eq 1 ]
	[[ "$output" == *'not a change event (no "op")'* ]]
	run weir-source --cdc maxwell /dev/null
	[ "$status" -eq 2 ]
}
