#!/usr/bin/env python3
"""Write a weir frame stream (man/weir-format.5) from a little script, so
tests can put watermarks exactly where they want them.

Lines on stdin:
  {"ts":5,"k":"a",...}   a record: event time from "ts" (none if absent),
                         key from "k" (none if absent), the line as its
                         JSON value
  W 10                   a watermark at 10 ms
  END                    the END frame (leave it out to end without END)
"""
import json
import sys


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def zz(v):
    return (v << 1) ^ (v >> 63) if v < 0 else v << 1


def frame(t, body):
    return bytes([t]) + varint(len(body)) + body


def main():
    out = bytearray(b"\x89WEIR\n\x01\x00")
    prev = 0
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        if line == "END":
            out += b"\x04\x00"
        elif line.startswith("W "):
            out += frame(2, varint(zz(int(line[2:]))))
        else:
            v = json.loads(line)
            flags, body = 1 << 5, b""	# JSON text value
            if "ts" in v:
                flags |= 1
                body += varint(zz(v["ts"] - prev))
                prev = v["ts"]
            if "k" in v:
                flags |= 2
                k = str(v["k"]).encode()
                body += varint(len(k)) + k
            out += frame(1, varint(flags) + body + line.encode())
    sys.stdout.buffer.write(out)


main()
