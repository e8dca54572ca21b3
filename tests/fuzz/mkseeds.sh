#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Write the seeds of the fuzz corpus (tests/fuzz/corpus/TARGET/seed-*)
# from our own sender: nipcast dumps the six NIP documents of a small
# network and sends a small HLS folder as MPE in TS, as GSE and as pcap
# (Compact No-Code, Reed-Solomon, RaptorQ, gzip, EXT_NACI); mkseeds.py
# cuts those into the targets' input formats and adds hand-made inputs.
# Usage: mkseeds.sh BUILD (with BUILD/nipcast built).
set -eu
nipcast=$(cd "$1" && pwd)/nipcast
top=$(cd "$(dirname "$0")/../.." && pwd)
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mkdir -p "$w/one"
cd "$w"
printf '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:2.0,\ns7.ts\n#EXTINF:2.0,\ns8.ts\n' \
    >one/live.m3u8
# A segment's worth of bytes, the same each time (no randomness).
awk 'BEGIN { for (i = 0; i < 300; i++) printf "segment %04d\n", i }' >one/s7.ts
cat >desc.ini <<EOD
[network]
provider = nipcache fuzz & co
domain = fuzz.nipcache.invalid
list_id = tag:nipcache.invalid,2026:fuzz
list_name = fuzz <seed> list
gateway = 239.255.70.1:5000/1
[service one]
id = tag:nipcache.invalid,2026:one
title = Live One
lcn = 1
genre = urn:tva:metadata:cs:ContentCS:2011:3.1.1
hls = one
playlist = live.m3u8
session = 239.255.70.11:5001/11
bitrate = 2M
[service two]
id = tag:nipcache.invalid,2026:two
title = VOD "Two"
lcn = 2
hls = one
playlist = live.m3u8
mode = static
session = [ff15::12]:5002/12
EOD
"$nipcast" --nip desc.ini --nip-dump out
"$nipcast" -g 239.1.1.1:5000 -r 0 --output ts:o.ts one
"$nipcast" -g 239.1.1.1:5000 -r 0 --output gse:o.gse --gse-label 3 one
"$nipcast" -g '[ff15::1]:5000' -r 0 --fec rs --output pcap:o.pcap \
    --naci 1:2:3:4:fz one
"$nipcast" -g 239.1.1.1:5000 -r 0 --fec raptorq --gzip --output pcap:o2.pcap one
python3 "$top/tests/fuzz/mkseeds.py" "$w" "$top/tests/fuzz/corpus" "$top"
for d in "$top"/tests/fuzz/corpus/*; do
	echo "seeds: $(basename "$d"): $(ls "$d" | grep -c '^seed-')"
done
