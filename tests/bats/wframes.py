#!/usr/bin/env python3
"""Weir frame streams (man/weir-format.5) for tests, both ways, so tests can
place watermarks exactly and see where they come out.

wframes.py      write frames from a script on stdin, one item a line:
  {"ts":5,"k":"a",...}   a record: event time from "ts" (none if absent),
                         key from "k" (none if absent), the line as its
                         JSON value
  W 10                   a watermark at 10 ms
  B 7                    a checkpoint barrier with id 7
  B 7 {"src":{"gen":5}}  ... with a payload (the rest of the line)
  END                    the END frame (leave it out to end without END)

wframes.py -d   read frames on stdin and print one token a line:
  TS@START,END[L][/KEY]  a record (window, L when marked late, its key);
                         TS alone when it has no window
  TS@START,END+ADVxN     a record in N hopping windows (HOP): the first
                         window, ADV apart

wframes.py -dx  the same, a HOP record printed as one record per window
  W 10, B 7 (and its payload, if any), END
"""
import json
import sys

F_TS, F_KEY, F_HDRS, F_WIN, F_POS, F_LATE, F_HOP = 1, 2, 4, 8, 16, 128, 256


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def zz(v):
    return -2 * v - 1 if v < 0 else 2 * v


def unzz(u):
    return -((u + 1) >> 1) if u & 1 else u >> 1


def frame(t, body):
    return bytes([t]) + varint(len(body)) + body


def write():
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
        elif line.startswith("B "):
            bid, _, pay = line[2:].partition(" ")
            out += frame(3, varint(int(bid)) + pay.encode())
        else:
            v = json.loads(line)
            flags, body = 1 << 5, b""  # a JSON text value
            if "ts" in v:
                flags |= F_TS
                body += varint(zz(v["ts"] - prev))
                prev = v["ts"]
            if "k" in v:
                flags |= F_KEY
                k = str(v["k"]).encode()
                body += varint(len(k)) + k
            out += frame(1, varint(flags) + body + line.encode())
    sys.stdout.buffer.write(out)


def read(expand=False):
    data = sys.stdin.buffer.read()
    if data[:6] != b"\x89WEIR\n":
        sys.exit("wframes: not a frame stream")
    pos, prev = 8, 0

    def uv():
        nonlocal pos
        v, shift = 0, 0
        while True:
            c = data[pos]
            pos += 1
            v |= (c & 0x7F) << shift
            shift += 7
            if not c & 0x80:
                return v

    while pos < len(data):
        t = data[pos]
        pos += 1
        n = uv()
        end = pos + n
        if t == 1:
            flags = uv()
            tok = ""
            ts = 0
            if flags & F_TS:
                ts = prev + unzz(uv())
                prev = ts
                tok = str(ts)
            key = None
            if flags & F_KEY:
                kl = uv()
                key = data[pos:pos + kl].decode()
                pos += kl
            wins = []
            if flags & F_WIN:
                s = ts + unzz(uv())
                e = s + uv()
                wins = [(s, e)]
            if flags & F_HOP:
                adv, cnt = uv(), uv()
                if expand:
                    wins = [(s + k * adv, e + k * adv) for k in range(cnt)]
                else:
                    wins = [(s, e, adv, cnt)]
            for w in wins or [None]:
                t2 = tok
                if w:
                    t2 += "@%d,%d" % w[:2]
                    if len(w) > 2:
                        t2 += "+%dx%d" % w[2:]
                if flags & F_LATE:
                    t2 += "L"
                if key is not None:
                    t2 += "/" + key
                print(t2)
        elif t == 2:
            print("W %d" % unzz(uv()))
        elif t == 3:
            bid = uv()
            pay = data[pos:end].decode()
            print(("B %d %s" % (bid, pay)) if pay else "B %d" % bid)
        elif t == 4:
            print("END")
        pos = end


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("-d", "-dx"):
        read(sys.argv[1] == "-dx")
    else:
        write()
