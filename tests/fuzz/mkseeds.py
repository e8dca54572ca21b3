#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the fuzz seeds (corpus/TARGET/seed-*) from what mkseeds.sh made
with nipcast in WORK (the NIP documents, a TS, a GSE and two pcap files)
plus small hand-made inputs in the formats the targets document.
Usage: mkseeds.py WORK CORPUS REPO"""
import os
import struct
import sys

work, corpus, repo = sys.argv[1:4]


def put(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def rd(*p):
    with open(os.path.join(work, *p), "rb") as f:
        return f.read()


def crc32_mpeg(b):
    crc = 0xFFFFFFFF
    for x in b:
        crc ^= x << 24
        for _ in range(8):
            crc = (crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def crc8_bb(b):
    crc = 0
    for x in b:
        for i in range(7, -1, -1):
            bit = ((crc >> 7) ^ (x >> i)) & 1
            crc = ((crc << 1) & 0xFF) ^ (0xD5 if bit else 0)
    return crc


# ---- Packets out of the classic pcap files (Ethernet, IPv4 or IPv6). ----
def udp_payloads(pcap):
    b = rd(pcap)
    off, out = 24, []
    while off + 16 <= len(b):
        incl = struct.unpack_from("<I", b, off + 8)[0]
        pkt = b[off + 16:off + 16 + incl]
        off += 16 + incl
        eth = struct.unpack_from(">H", pkt, 12)[0]
        ip = pkt[14:]
        if eth == 0x0800:
            out.append(ip[(ip[0] & 15) * 4 + 8:])
        elif eth == 0x86DD:
            out.append(ip[48:])
    return out


FPI = {0: 4, 1: 4, 2: 4, 5: 4, 6: 4, 128: 8, 129: 8, 130: 4}


def alc_seeds():
    n = 0
    for pcap in ("o.pcap", "o2.pcap"):
        seen = set()
        for p in udp_payloads(pcap):
            hdr, cp = p[2] * 4, p[3]
            body = p[hdr + FPI.get(cp, 4):]
            fdt = body.startswith(b"<?xml")
            key = (cp, fdt, len(p) < 200)
            if fdt:
                put("fdt", "%s-%d" % (pcap.split(".")[0], n), body)
            if key in seen:
                continue
            seen.add(key)
            put("alc", "%s-%d" % (pcap.split(".")[0], n), p)
            n += 1


def xml_seeds():
    d = "out"
    put("nipdoc", "nif", b"\x00" + rd(d, "nif.xml"))
    put("nipdoc", "sif", b"\x01" + rd(d, "sif.xml"))
    put("nipdoc", "slep", b"\x02" + rd(d, "slep.xml"))
    put("dvbi", "service_list", rd(d, "service_list.xml"))
    put("dvbi_rewrite", "dvbgw", b"\x00" + rd(d, "service_list.xml"))
    put("dvbi_rewrite", "names", b"\x01" + rd(d, "service_list.xml"))
    put("mgc", "bootstrap", rd(d, "bootstrap.xml"))
    put("mgc", "gateway", rd(d, "gateway.xml"))


# ---- TS: the stream nipcast made, and structured records. ----
def ipv4_udp(payload, dst=b"\xef\x01\x01\x01", port=5000):
    udp = struct.pack(">HHHH", port, port, 8 + len(payload), 0) + payload
    h = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0,
                              0x4000, 1, 17, 0, b"\xc0\x00\x02\x01", dst))
    s = sum(struct.unpack(">10H", bytes(h)))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    struct.pack_into(">H", h, 10, ~s & 0xFFFF)
    return bytes(h) + udp


def rec(kind, pid, body):
    return struct.pack(">BHH", kind, pid, len(body)) + body


def long_sect(table, ext, body):
    # table_id, syntax 1, length (the harness fixes it), ext, version 0,
    # current, section 0 of 0, body, room for the CRC the harness adds.
    return bytes([table, 0xB0, 0]) + struct.pack(">H", ext) + \
        b"\xc1\x00\x00" + body + b"\x00" * 4


def ts_seeds():
    ts = rd("o.ts")
    put("ts", "nipcast-psi", b"\x00\x00\x00\x00" + ts)
    put("ts", "nipcast-pid", b"\x02\x01\x00\x07" + ts)
    put("ts", "nipcast-sync", b"\x00\x00\x00\x00" + b"\x47\x00" + ts[:1200])
    alc = udp_payloads("o2.pcap")[0][:200]
    ip = ipv4_udp(alc)
    pat = long_sect(0x00, 1, struct.pack(">HH", 1, 0xE020))
    # PMT: PCR PID none, ES 0x30 MPE (data_broadcast_id 0x0005), ES 0x31
    # ULE (stream_type 0x91), ES 0x32 with the INT (data_broadcast_id
    # 0x000B) and stream_identifier_descriptor tags.
    es = b"\x0d" + struct.pack(">HH", 0xE030, 0xF009) + \
        b"\x66\x04\x00\x05\x00\x00" + b"\x52\x01\x07"
    es += b"\x91" + struct.pack(">HH", 0xE031, 0xF000)
    es += b"\x05" + struct.pack(">HH", 0xE032, 0xF006) + \
        b"\x66\x04\x00\x0b\x00\x00"
    pmt = long_sect(0x02, 1, struct.pack(">HH", 0xFFFF, 0xF000) + es)
    mac = b"\x01\x00\x5e\x01\x01\x01"
    mpe = bytes([0x3E, 0xB0, 0, mac[5], mac[4], 0xC1, 0, 0,
                 mac[3], mac[2], mac[1], mac[0]]) + ip + b"\x00" * 4
    ule = struct.pack(">H", 0x0800) + ip
    # INT: platform 1, one target/operational loop naming service 1 tag 7.
    loc = b"\x13\x03\x00\x01\x07"
    intb = b"\x00\x00\x01\x00\x00" + b"\xf0\x00" + \
        struct.pack(">H", 0xF000 | 0) + struct.pack(">H", 0xF000 | len(loc)) + loc
    ints = bytes([0x4C, 0xB0, 0, 0x00, 0x01, 0xC1, 0, 0]) + intb + b"\x00" * 4
    # Flushed at once, so that the PSI precedes the data it announces.
    recs = rec(0, 0, pat) + rec(4, 0, b"") + rec(0, 0x20, pmt) + \
        rec(4, 0x20, b"") + rec(0, 0x32, ints) + rec(4, 0x32, b"") + \
        rec(0, 0x30, mpe) + \
        rec(1, 0x31, ule) + rec(3, 0x31, ule) + rec(4, 0x30, b"") + \
        rec(0, 0x30, mpe)
    put("ts", "records-psi", b"\x04\x00\x00\x00" + recs)
    put("ts", "records-ule", b"\x07\x00\x31\x00" + rec(1, 0x31, ule) * 3)
    put("ts", "records-mpe-svc", b"\x0c\x00\x00\x0b" + recs)


# ---- GSE: the BBFrames nipcast made, as a stream and as frames. ----
def gse_seeds():
    g = rd("o.gse")
    put("gse", "stream", b"\x00\x00" + g)
    put("gse", "stream-pieces", b"\x00\x11" + g)
    off, frames = 0, []
    while off + 10 <= len(g):
        dfl = struct.unpack_from(">H", g, off + 4)[0] // 8
        frames.append(g[off:off + 10 + dfl])
        off += 10 + dfl
    put("gse", "frames", b"\x01\x00" +
        b"".join(struct.pack(">H", len(f)) + f for f in frames))
    # A PDU in three fragments (S/E 10, 00, 01) with its CRC-32, label 3.
    pdu = ipv4_udp(b"fragmented " * 30)
    body = struct.pack(">H", 0x0800) + b"\x01\x02\x03" + pdu
    crc = crc32_mpeg(struct.pack(">H", len(body)) + body)
    a, b, c = body[:100], body[100:250], body[250:] + struct.pack(">I", crc)
    pk = [struct.pack(">H", 0x8000 | 0x1000 | (len(a) + 3)) + b"\x05" +
          struct.pack(">H", len(body)) + a,
          struct.pack(">H", 0x1000 | (len(b) + 1)) + b"\x05" + b,
          struct.pack(">H", 0x4000 | 0x1000 | (len(c) + 1)) + b"\x05" + c]
    fr = b""
    for p in pk:
        h = bytearray(b"\x70\x00\x00\x00" + struct.pack(">H", len(p) * 8) +
                      b"\x00\x00\x00\x00")
        h[9] = crc8_bb(bytes(h[:9]))
        fr += struct.pack(">H", 10 + len(p)) + bytes(h) + p
    put("gse", "frags", b"\x01\x00" + fr)


def pcap_classic(recs, link=1, magic=0xA1B2C3D4, end="<"):
    h = struct.pack(end + "IHHiIII", magic, 2, 4, 0, 0, 262144, link)
    for i, r in enumerate(recs):
        h += struct.pack(end + "IIII", 1700000000 + i, 500 * i, len(r),
                         len(r)) + r
    return h


def ng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng(link, frames):
    shb = ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    # IDB with if_tsresol (option 9) = 10^-9, then opt_endofopt.
    idb = ng_block(1, struct.pack("<HHI", link, 0, 262144) +
                   struct.pack("<HHB3x", 9, 1, 9) + b"\0" * 4)
    out = shb + idb
    for i, f in enumerate(frames):
        if i % 3 == 2:      # a simple packet block
            out += ng_block(3, struct.pack("<I", len(f)) + f)
        else:               # an enhanced packet block
            out += ng_block(6, struct.pack("<IIIII", 0, 0x17, 1000 * i,
                                           len(f), len(f)) + f)
    return out


def pcapf_seeds():
    full = rd("o.pcap")
    recs, off = [], 24
    while off + 16 <= len(full) and len(recs) < 3:
        n = struct.unpack_from("<I", full, off + 8)[0]
        recs.append(full[off + 16:off + 16 + n])
        off += 16 + n
    put("pcapf", "nipcast", b"\x00" + full[:off])
    put("pcapf", "nipcast-reads", b"\x01" + full[:off])
    put("pcapf", "nipcast-cut", b"\x00" + full[:off - 7])
    ip = [r[14:] for r in recs]
    put("pcapf", "be-nsec", b"\x00" + pcap_classic(recs, 1, 0xA1B23C4D, ">"))
    put("pcapf", "raw-ip", b"\x02" + pcap_classic(ip, 101))
    put("pcapf", "sll", b"\x00" + pcap_classic(
        [struct.pack(">HHH8sH", 0, 1, 6, b"\2" * 6, 0x0800) + ipv4_udp(
            b"cooked")], 113))
    put("pcapf", "sll2", b"\x00" + pcap_classic(
        [struct.pack(">HHIHBB8s", 0x0800, 0, 1, 1, 0, 6, b"\2" * 6) +
         ipv4_udp(b"cooked v2")], 276))
    put("pcapf", "loop", b"\x00" + pcap_classic(
        [struct.pack("<I", 2) + ipv4_udp(b"bsd loopback")], 0))
    vlan = recs[0][:12] + b"\x81\x00\x00\x05" + recs[0][12:]
    put("pcapf", "vlan", b"\x00" + pcap_classic([vlan]))
    put("pcapf", "ng", b"\x00" + pcapng(1, recs))
    put("pcapf", "ng-reads", b"\x03" + pcapng(1, recs))
    put("pcapf", "ng-raw", b"\x00" + pcapng(101, ip))


HTTP = [
    b"/fuzz.nipcache.invalid/one/live.m3u8?_HLS_msn=8&_HLS_part=1\n"
    b"bytes=0-99\n\"abc\", W/\"x\"\n\"abc\"\n"
    b"Sun, 06 Nov 1994 08:49:37 GMT\n\"abc\"\n1000\n8\n1\n"
    b"#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n"
    b"#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5\n"
    b"#EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-MEDIA-SEQUENCE:6\n"
    b"#EXT-X-MAP:URI=\"init.mp4\"\n#EXT-X-KEY:METHOD=AES-128,URI=\"k.key\"\n"
    b"#EXTINF:2.0,\ns6.m4s\n#EXT-X-DISCONTINUITY\n#EXTINF:2.0,\ns7.m4s\n"
    b"#EXT-X-PART:DURATION=0.5,URI=\"s8.0.m4s\",INDEPENDENT=YES\n"
    b"#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"s8.1.m4s\"\n",
    b"http://dvb.gw/a/b/%2e/c.ts#frag\nbytes=-5\n*\nW/\"w\"\n"
    b"Thu, 01 Jan 1970 00:00:00 GMT\n\"etag-1\"\n0\n\n\n"
    b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nv/low.m3u8\n"
    b"#EXT-X-STREAM-INF:BANDWIDTH=2000000\n../high/index.m3u8\n",
    b"/vod/x.m3u8\nbytes=500-\n\n\"v\"\n\n\"v\"\n499\n\n\n"
    b"#EXTM3U\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:10\n"
    b"#EXTINF:9.5,\nhttp://other.example/seg1.ts\n#EXTINF:10,\n/abs/seg2.ts\n"
    b"#EXT-X-ENDLIST\n",
    b"/a%20b/../c\nbytes=1-2,3-4\n\"a\",\"b\"\n\n"
    b"Sunday, 06-Nov-94 08:49:37 GMT\n\"b\"\n18446744073709551615\n1\n\n",
]

CONF = [
    b"[input]\nudp = 239.1.1.1:5000\n"
    b"ts = /tmp/a.ts pid=0x100 service=7\nts = udp://[ff05::1]:1234\n"
    b"gse = -\npcap = /tmp/b.pcap\npace = realtime\ndvb = 1:2\n"
    b"[tuner]\nfrequency = 11141 MHz\npolarisation = h\n"
    b"symbol_rate = 23500 ks/s\npid = 0x200\n",
    b"# comment\n[log]\nlevel = debug\n[input]\ninterface = eth0\n"
    b"udp = 239.1.1.2:5001/7@10.0.0.1 ; a comment after a value\n"
    b"udp = [ff15::1]:6000/2\nreceive_buffer = 4M\n"
    b"[carousel]\nobject_timeout = 250ms\nprefdt_bytes = 1M\n"
    b"[cache]\ndir = /srv/cache\nmax_bytes = 512M\nmin_free = 2G\n"
    b"fsync = never\n[http]\nlisten = 0.0.0.0:80\nlisten = [::1]:8081\n"
    b"threads = 4\ntimeout = 2m\n[nip]\nannouncement = off\njoin = list\n"
    b"services = tag:a,2024:x   tag:b,2024:y\nidle_leave = 90s\n"
    b"[repair]\nbase_url = http://cdn.example/nip/ 3\n"
    b"origin = http://origin.example\nmax_parallel = 2\n",
]


def main():
    alc_seeds()
    xml_seeds()
    ts_seeds()
    gse_seeds()
    pcapf_seeds()
    for i, h in enumerate(HTTP):
        put("http", "req%d" % i, h)
    for i, c in enumerate(CONF):
        put("conf", "keys%d" % i, c)
    with open(os.path.join(repo, "systemd", "nipcached.conf"), "rb") as f:
        put("conf", "shipped", f.read())
    assert crc32_mpeg(b"123456789") == 0x0376E6E7


main()
