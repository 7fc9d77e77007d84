#!/usr/bin/env python3
"""Write a checkpoint commit record (DIR/COMMITTED, lib/snap.h) for tests,
as a sink would: wcommit.py DIR ID [PAYLOAD [FINAL [OUTLEN]]].

The container is "WEIRSNAP" version:u32le kind:varint-string fp:u64le
id:u64le body-length:u64le body checksum:u64le, the checksum weir_hash()
(lib/hash.c) of every byte before it; the body is final:varint
out_len:varint payload:varint-length-bytes."""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wframes import varint  # noqa: E402

M = (1 << 64) - 1
SUM_SEED = 0x5745495253554D


def mix(a, b):
    r = a * b
    return (r & M) ^ (r >> 64)


def weir_hash(d, seed):
    k0, k1, k2 = 0xA0761D6478BD642F, 0xE7037ED1A0B428DB, 0x8EBC6AF09C88C6E3
    n, p = len(d), 0
    r64 = lambda i: struct.unpack_from("<Q", d, i)[0]
    h = seed ^ mix(seed ^ k0, n ^ k1)
    while n > 16:
        h = mix(r64(p) ^ k1, r64(p + 8) ^ h)
        p += 16
        n -= 16
    if n > 8:
        a, b = r64(p), r64(p + n - 8)
    elif n >= 4:
        a = struct.unpack_from("<I", d, p)[0]
        b = struct.unpack_from("<I", d, p + n - 4)[0]
    elif n > 0:
        a, b = (d[p] << 16) | (d[p + (n >> 1)] << 8) | d[p + n - 1], 0
    else:
        a = b = 0
    return mix(k2 ^ n, mix(a ^ k1, b ^ h))


def main():
    a = sys.argv[1:]
    cid = int(a[1])
    pay = a[2].encode() if len(a) > 2 else b""
    final = int(a[3]) if len(a) > 3 else 0
    outlen = int(a[4]) if len(a) > 4 else 0
    body = varint(final) + varint(outlen) + varint(len(pay)) + pay
    out = (b"WEIRSNAP" + struct.pack("<I", 1) + varint(6) + b"commit" +
           struct.pack("<QQQ", 0, cid, len(body)) + body)
    out += struct.pack("<Q", weir_hash(out, SUM_SEED))
    path = os.path.join(a[0], "COMMITTED")
    with open(path + ".tmp", "wb") as f:
        f.write(out)
    os.rename(path + ".tmp", path)


main()
