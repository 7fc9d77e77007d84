#!/usr/bin/env python3
"""A systemd notify socket for tests.

notifylisten.py [-t] [-a AFTER] SOCKET SECONDS OUT

Binds the datagram socket SOCKET and writes each message it gets to OUT,
a line each (with -t, prefixed by the time in ms and a blank), until
STOPPING=1 arrives (and, with -a, AFTER more seconds have passed: to see
what comes after it) or SECONDS have passed.
"""
import socket
import sys
import time

args = sys.argv[1:]
stamp = args[0] == "-t"
if stamp:
    args = args[1:]
after = None
if args[0] == "-a":
    after = float(args[1])
    args = args[2:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(args[0])
s.settimeout(0.2)
end = time.time() + float(args[1])
with open(args[2], "w") as out:
    while time.time() < end:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            continue
        out.write(("%d " % (time.time() * 1000) if stamp else "") + m + "\n")
        out.flush()
        if m == "STOPPING=1":
            if after is None:
                break
            end = min(end, time.time() + after)
