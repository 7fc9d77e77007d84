#!/usr/bin/env python3
"""Checkpoint files (lib/base/snap.h, man/weir-format.5 SNAPSHOTS) for tests, so
a test can play the sink's part and commit a checkpoint.

snapfile.py commit DIR ID [PAYLOAD [OUT_LEN [final]]]
                      write DIR/COMMITTED: checkpoint ID is committed
snapfile.py check FILE
                      exit 0 when FILE is a well-formed container whose
                      checksum holds, print its kind and id
snapfile.py split IN K ID FULL A B
                      cut the frame stream IN after its K-th record with
                      BARRIER ID: FULL is all of it with the barrier, A the
                      part up to and with the barrier (no END: a crash),
                      B the rest as a stream of its own
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wframes import unzz, varint, zz  # noqa: E402

M = (1 << 64) - 1
K0, K1, K2 = 0xA0761D6478BD642F, 0xE7037ED1A0B428DB, 0x8EBC6AF09C88C6E3
SUM_SEED = 0x5745495253554D  # "WEIRSUM"


def mix(a, b):
    r = a * b
    return (r & M) ^ (r >> 64)


def rd64(d, p):
    return struct.unpack_from("<Q", d, p)[0]


def weir_hash(d, seed):
    """lib/base/hash.c weir_hash()"""
    n = len(d)
    h = seed ^ mix(seed ^ K0, n ^ K1)
    p = 0
    while n > 16:
        h = mix(rd64(d, p) ^ K1, rd64(d, p + 8) ^ h)
        p += 16
        n -= 16
    if n > 8:
        a, b = rd64(d, p), rd64(d, p + n - 8)
    elif n >= 4:
        a = struct.unpack_from("<I", d, p)[0]
        b = struct.unpack_from("<I", d, p + n - 4)[0]
    elif n > 0:
        a, b = (d[p] << 16) | (d[p + (n >> 1)] << 8) | d[p + n - 1], 0
    else:
        a = b = 0
    return mix(K2 ^ n, mix(a ^ K1, b ^ h))


def container(kind, fp, cid, body):
    k = kind.encode()
    out = b"WEIRSNAP" + struct.pack("<I", 1) + varint(len(k)) + k
    out += struct.pack("<QQQ", fp, cid, len(body)) + body
    return out + struct.pack("<Q", weir_hash(out, SUM_SEED))


def commit(d, cid, payload="{}", out_len=0, final=False):
    p = payload.encode()
    body = varint(1 if final else 0) + varint(out_len) + varint(len(p)) + p
    with open(d + "/COMMITTED", "wb") as f:
        f.write(container("commit", 0, cid, body))


def check(path):
    d = open(path, "rb").read()
    if d[:8] != b"WEIRSNAP" or len(d) < 45:
        sys.exit("snapfile: %s: not a snapshot" % path)
    if weir_hash(d[:-8], SUM_SEED) != rd64(d, len(d) - 8):
        sys.exit("snapfile: %s: checksum mismatch" % path)
    klen = d[12]  # kinds are short: a one-byte varint
    kind = d[13:13 + klen].decode()
    print(kind, rd64(d, 13 + klen + 8))


def uvarint(d, p):
    v, shift = 0, 0
    while True:
        c = d[p]
        p += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, p


def split(src, k, cid, full, a, b):
    d = open(src, "rb").read()
    hdr, pos, n, prev, cut = d[:8], 8, 0, 0, None
    first_b = None  # (start, end, ts) of the first record after the cut
    while pos < len(d):
        start = pos
        t = d[pos]
        ln, body = uvarint(d, pos + 1)
        pos = body + ln
        if t != 1:
            continue
        flags, q = uvarint(d, body)
        if flags & 16:
            sys.exit("snapfile: records with positions are not supported")
        if flags & 1:
            delta, _ = uvarint(d, q)
            prev += unzz(delta)
        n += 1
        if n == k:
            cut = pos
        elif cut is not None and first_b is None:
            first_b = (start, pos, prev)
    if cut is None:
        sys.exit("snapfile: fewer than %d records" % k)
    p = b'{"src":{"gen":%d}}' % k
    bar = bytes([3]) + varint(len(varint(cid) + p)) + varint(cid) + p
    open(full, "wb").write(d[:cut] + bar + d[cut:])
    open(a, "wb").write(d[:cut] + bar)
    rest = d[cut:]
    if first_b:
        # the first record's time was a delta from the one before the cut
        start, end, ts = first_b
        _, body = uvarint(d, start + 1)
        flags, q = uvarint(d, body)
        if flags & 1:
            _, q2 = uvarint(d, q)
            nb = varint(flags) + varint(zz(ts))
            nb += d[q2:end]
            rest = d[cut:start] + bytes([1]) + varint(len(nb)) + nb + d[end:]
    open(b, "wb").write(hdr + rest)


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) >= 3 and a[0] == "commit":
        commit(a[1], int(a[2]), a[3] if len(a) > 3 else "{}",
               int(a[4]) if len(a) > 4 else 0,
               len(a) > 5 and a[5] == "final")
    elif len(a) == 2 and a[0] == "check":
        check(a[1])
    elif len(a) == 7 and a[0] == "split":
        split(a[1], int(a[2]), int(a[3]), a[4], a[5], a[6])
    else:
        sys.exit(__doc__)
