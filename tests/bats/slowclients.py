#!/usr/bin/env python3
"""Hostile HTTP clients for weir-run's metrics port, on loopback only.

slowclients.py PORT SECONDS SLOW IDLE

Keeps SLOW slowloris connections (a partial GET request, then one more
header byte every 0.2 s, never the blank line that ends it) and IDLE
connections that send nothing, to 127.0.0.1:PORT for SECONDS seconds.  A
connection the server closes is opened again (at most 20 a second), so a
server that drops slow clients one at a time stays busy.  Bounded in time
and count: it ends by itself after SECONDS.
"""
import socket
import sys
import time

port, seconds = int(sys.argv[1]), float(sys.argv[2])
nslow, nidle = int(sys.argv[3]), int(sys.argv[4])
end = time.time() + seconds
conns = {}  # index -> socket (or None)
opened = []  # times of opens, to bound the reconnect rate


def connect(i):
    now = time.time()
    while opened and opened[0] < now - 1:
        opened.pop(0)
    if len(opened) >= 20:
        return None
    opened.append(now)
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1)
        s.setblocking(False)
        if i < nslow:
            s.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        return s
    except OSError:
        return None


for i in range(nslow + nidle):
    conns[i] = connect(i)
while time.time() < end:
    for i in range(nslow + nidle):
        s = conns[i]
        if s is None:
            conns[i] = connect(i)
            continue
        try:
            if i < nslow:
                s.send(b"X")
            elif s.recv(4096, socket.MSG_PEEK) == b"":
                raise OSError("closed")
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            conns[i] = connect(i)
    time.sleep(0.2)
for s in conns.values():
    if s is not None:
        s.close()
