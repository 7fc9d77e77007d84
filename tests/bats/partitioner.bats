#!/usr/bin/env bats
# weir-sink -b places keyed messages as Java's default partitioner does
# (murmur2 of the key bytes, positive, modulo the partitions), checked
# against an independent implementation of Kafka's Utils.murmur2.
load helpers
load kafka_helpers

# keys: 300 distinct keys of 2 to 9 bytes, so every tail length of
# murmur2 occurs
keys() {
	for i in $(seq 1 300); do
		printf 'u%s%.*s\n' "$i" $((i % 6)) "abcdef"
	done
}

@test "keys land on the partition Java's producer picks (murmur2)" {
	broker_start --topic t:7
	keys > "$T/keys"
	jq -R -c '{k: .}' "$T/keys" | limit weir-sink -b "$B" -t t -K .k
	kcatc -t t -e -q -f '%p %k\n' | sort -u > "$T/got"
	python3 "$BATS_TEST_DIRNAME/murmur2.py" 7 < "$T/keys" | sort -u > "$T/want"
	[ "$(wc -l < "$T/want")" -eq 300 ]
	diff "$T/want" "$T/got"
}

@test "record keys from weir-source -k land like Java's too" {
	broker_start --topic t:5
	keys > "$T/keys"
	jq -R -c '{k: ., v: 1}' "$T/keys" | weir-source -k .k |
	    limit weir-sink -b "$B" -t t
	kcatc -t t -e -q -f '%p %k\n' | sort -u > "$T/got"
	python3 "$BATS_TEST_DIRNAME/murmur2.py" 5 < "$T/keys" | sort -u |
	    diff - "$T/got"
}

@test "-X partitioner=consistent still wins (CRC32 of the key)" {
	broker_start --topic t:7
	keys > "$T/keys"
	jq -R -c '{k: .}' "$T/keys" |
	    limit weir-sink -b "$B" -t t -K .k -X partitioner=consistent
	kcatc -t t -e -q -f '%p %k\n' | sort -u > "$T/got"
	python3 "$BATS_TEST_DIRNAME/murmur2.py" 7 crc32 < "$T/keys" |
	    sort -u | diff - "$T/got"
	# and it is not what murmur2 gives, so the test tells them apart
	! python3 "$BATS_TEST_DIRNAME/murmur2.py" 7 < "$T/keys" | sort -u |
	    diff -q - "$T/got" > /dev/null
}
