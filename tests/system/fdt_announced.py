#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Print the Content-MD5 (hex) that a capture's FDT instances announce, one
line per (TOI, Content-Location): "HEXMD5 TOI LOCATION".  Uses the packet
readers of the independent checker in ../shared/tools/flute_check.py.
usage: fdt_announced.py SHARED_TOOLS_DIR FILE.pcap"""
import base64, math, re, struct, sys, zlib

sys.path.insert(0, sys.argv[1])
import flute_check as fc  # noqa: E402

insts = {}
for src, dst, port, p in fc.udp_payloads(sys.argv[2]):
    r = fc.lct(p)
    if not r:
        continue
    tsi, toi, cp, exts, rest = r
    if toi != 0 or 192 not in exts or 64 not in exts or len(rest) < 4:
        continue
    inst = int.from_bytes(exts[192][1:4], "big") & 0xFFFFF
    sbn, esi = struct.unpack(">HH", rest[:4])
    e = int.from_bytes(exts[64][10:12], "big")
    tl = int.from_bytes(exts[64][2:8], "big")
    d = insts.setdefault((dst, port, tsi, inst), {"tl": tl, "e": e, "cenc": exts.get(193), "parts": {}})
    d["parts"][esi] = rest[4:]
seen = set()
for d in insts.values():
    if not d["e"]:
        continue
    n = math.ceil(d["tl"] / d["e"])
    data = b"".join(d["parts"].get(i, b"") for i in range(n))[:d["tl"]]
    if len(data) != d["tl"]:
        continue
    if d["cenc"] and d["cenc"][1] in (1, 2, 3):
        data = zlib.decompress(data, {1: 15, 2: -15, 3: 31}[d["cenc"][1]])
    for m in re.finditer(rb"<(?:\w+:)?File\b[^>]*>", data):
        a = dict(re.findall(rb'([\w:-]+)="([^"]*)"', m.group(0)))
        if b"Content-MD5" not in a:
            continue
        line = "%s %d %s" % (base64.b64decode(a[b"Content-MD5"]).hex(), int(a[b"TOI"]),
                             a[b"Content-Location"].decode())
        if line not in seen:
            seen.add(line)
            print(line)
