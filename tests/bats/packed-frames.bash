# packed-frames.bash - frame streams of hand-made packed values, for tests
# of what a stage does with corrupt ones (man/weir-format.5).

# Packed pieces, in hex: keys, good values and corrupt ones.
U=75736572		# "user"
A=616d6f756e74		# "amount"
P=70616765		# "page"
GOOD=4161		# "a"
QUOTE=4122		# a plain string holding a quote: corrupt
INT7=030e		# 7
BADNUM=05023178		# number text "1x": corrupt

# frames [-t MS] VALUE...: a frame stream of records (no key) whose packed
# values are the hex strings given, then END.  Without -t the records have
# no event time; with it each has one MS ms after the one before (the
# first at MS).
frames() {
	python3 -c '
import sys
args = sys.argv[1:]
ts = None
if args[:1] == ["-t"]:
    ts = int(args[1])
    args = args[2:]
def varint(n):
    b = b""
    while n >= 0x80:
        b += bytes([n & 0x7f | 0x80])
        n >>= 7
    return b + bytes([n])
out = b"\x89WEIR\n\x01\x00"
for h in args:
    if ts is None:
        rec = bytes([2 << 5])                   # packed value
    else:                                       # TS: zigzag time difference
        rec = bytes([1 | 2 << 5]) + varint(ts << 1 if ts >= 0 else ~ts << 1 | 1)
    rec += bytes.fromhex(h)
    out += bytes([1, len(rec)]) + rec
sys.stdout.buffer.write(out + b"\x04\x00")' "$@"
}

# obj MEMBER...: a packed object; a member is KEYHEX:VALUEHEX
obj() {
	python3 -c '
import sys
body = b""
for m in sys.argv[1:]:
    k, v = m.split(":")
    k = bytes.fromhex(k)
    body += bytes([0x40 | len(k)]) + k + bytes.fromhex(v)
assert len(body) < 128
print((bytes([9, len(body)]) + body).hex())' "$@"
}

# passes_corrupt STAGE ARGS...: for each ARGS (one string each), STAGE
# ARGS reading $T/in passes its corrupt packed value on unread: weir-sink,
# the stage that reads it, refuses it (status 3), and STAGE says nothing
# of it.
passes_corrupt() {
	local stage=$1 args
	shift
	for args in "$@"; do
		run bash -o pipefail -c "$stage $args < '$T/in' | weir-sink -f ndjson"
		echo "$args: $status $output"
		[ "$status" -eq 3 ]
		[[ "$output" == *"weir-sink: "*"corrupt packed value"* ]]
		! grep -q "^$stage: .*corrupt" <<< "$output" || return 1
	done
}
