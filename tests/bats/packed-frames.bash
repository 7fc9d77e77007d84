# packed-frames.bash - frame streams of hand-made packed values, for tests
# of what a stage does with corrupt ones (man/weir-format.5).

# frames VALUE...: a frame stream of records (no time, no key) whose packed
# values are the hex strings given, then END.
frames() {
	python3 -c '
import sys
out = b"\x89WEIR\n\x01\x00"
for h in sys.argv[1:]:
    rec = bytes([2 << 5]) + bytes.fromhex(h)   # packed value
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
