#!/usr/bin/env python3
"""Kafka's default partitioner, written from Java's
org.apache.kafka.common.utils.Utils.murmur2 and toPositive: for each
"KEY" line on stdin, print "PARTITION KEY" for a topic of argv[1]
partitions; with argv[2] == "crc32", librdkafka's 'consistent' instead."""
import sys
import zlib


def murmur2(data):
    length = len(data)
    seed = 0x9747b28c
    m = 0x5bd1e995
    r = 24
    h = (seed ^ length) & 0xffffffff
    n4 = length // 4
    for i in range(n4):
        i4 = i * 4
        k = (data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) |
             (data[i4 + 3] << 24))
        k = (k * m) & 0xffffffff
        k ^= k >> r
        k = (k * m) & 0xffffffff
        h = (h * m) & 0xffffffff
        h ^= k
    rest = length % 4
    tail = n4 * 4
    if rest == 3:
        h ^= data[tail + 2] << 16
    if rest >= 2:
        h ^= data[tail + 1] << 8
    if rest >= 1:
        h ^= data[tail]
        h = (h * m) & 0xffffffff
    h ^= h >> 13
    h = (h * m) & 0xffffffff
    h ^= h >> 15
    return h


def main():
    n = int(sys.argv[1])
    crc = len(sys.argv) > 2 and sys.argv[2] == "crc32"
    for line in sys.stdin.buffer:
        key = line.rstrip(b"\n")
        if crc:
            p = zlib.crc32(key) % n
        else:
            p = (murmur2(key) & 0x7fffffff) % n
        sys.stdout.write("%d %s\n" % (p, key.decode()))


if __name__ == "__main__":
    main()
