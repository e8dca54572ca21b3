#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in for systemd's notification socket: prints every datagram
received on the AF_UNIX socket PATH, one state per line, until killed."""
import os, socket, sys

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print("listening", flush=True)
while True:
    data = s.recv(4096).decode("utf-8", "replace")
    for line in data.split("\n"):
        if line:
            print(line, flush=True)
