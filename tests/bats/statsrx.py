#!/usr/bin/env python3
"""Run a weir program as weir-run would for its counters.

statsrx.py PROGRAM ARGS...

Gives PROGRAM a datagram socket in $WEIR_STATS_FD (stage name "src"),
waits for it to end, and prints the last stats datagram it sent.  Exits
with the program's status.
"""
import os
import socket
import subprocess
import sys

a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
env = dict(os.environ, WEIR_STATS_FD=str(b.fileno()), WEIR_STAGE="src")
p = subprocess.run(sys.argv[1:], pass_fds=[b.fileno()], env=env,
                   stdout=subprocess.DEVNULL, timeout=60)
b.close()
a.settimeout(0.5)
last = ""
try:
    while True:
        last = a.recv(65536).decode()
except socket.timeout:
    pass
print(last)
sys.exit(p.returncode)
