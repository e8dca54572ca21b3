#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo: the DVB-NIP discovery chain on loopback.  nipcast --nip sends
# the signalling (bootstrap, gateway configuration, NIF, SIF, SLEP, DVB-I
# service list) on 224.0.23.14:3937 and two services on groups of their own:
# a live test channel (ffmpeg) and a short looped VOD.  nipcached, told
# nothing but the interface, discovers both and serves them with a DVB-I
# list rewritten to point at it.  Ctrl-C stops everything and removes the
# temporary folder.
set -eu
build=$(cd "${1:-build}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
port=${DEMO_PORT:-8080}
net=${DEMO_NET:-239.255.42}
tmp=$(mktemp -d /tmp/nipcache-demo.XXXXXX)
pids=""

cleanup() {
	trap - EXIT INT TERM
	for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
	echo "demo: stopped and cleaned up"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# Take the first free port from $port upwards.
while ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; do
	port=$((port + 1))
done

mkdir -p "$tmp/cache" "$tmp/hls" "$tmp/vod"
cat >"$tmp/nipcached.conf" <<CONF
[input]
interface = 127.0.0.1
[cache]
dir = $tmp/cache
max_bytes = 256M
min_free = 0
[http]
listen = 127.0.0.1:$port
CONF

cat >"$tmp/services.ini" <<DESC
[network]
provider = nipcache demo
domain = demo.nipcache
list_id = tag:nipcache.invalid,2026:demo
list_name = nipcache demo
gateway = $net.1:5000/1
[service live]
id = tag:nipcache.invalid,2026:live
title = Demo Live
lcn = 1
hls = $tmp/hls
playlist = live.m3u8
session = $net.11:5001/11
bitrate = 1M
[service vod]
id = tag:nipcache.invalid,2026:vod
title = Demo VOD
lcn = 2
hls = $tmp/vod
playlist = vod.m3u8
mode = static
session = $net.12:5002/12
DESC

"$top/tools/hls-source.sh" "$tmp/hls" >"$tmp/ffmpeg.log" 2>&1 &
pids="$pids $!"
ffmpeg -hide_banner -loglevel error -nostdin -f lavfi -i "testsrc=size=640x360:rate=25" \
	-f lavfi -i "sine=frequency=440:sample_rate=48000" -t 20 \
	-c:v libx264 -preset veryfast -g 50 -pix_fmt yuv420p -c:a aac -b:a 96k \
	-f hls -hls_time 2 -hls_playlist_type vod \
	-hls_segment_filename "$tmp/vod/v%03d.ts" "$tmp/vod/vod.m3u8" >"$tmp/vod.log" 2>&1
i=0
until [ -s "$tmp/hls/live.m3u8" ]; do
	i=$((i + 1))
	[ $i -le 300 ] || { echo "demo: ffmpeg wrote no playlist in 60 s:" >&2; tail -n 20 "$tmp/ffmpeg.log" >&2; exit 1; }
	sleep 0.2
done
"$build/nipcached" --config "$tmp/nipcached.conf" 2>"$tmp/nipcached.log" &
pids="$pids $!"
"$build/nipcast" --nip "$tmp/services.ini" -i 127.0.0.1 -r 20M >"$tmp/nipcast.log" 2>&1 &
pids="$pids $!"

base="http://127.0.0.1:$port"
url="$base/demo.nipcache/live/live.m3u8"
i=0
until curl -fsS -o /dev/null "$url" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 600 ]; then
		echo "demo: the playlist did not arrive within 60 s; logs:" >&2
		tail -n 20 "$tmp"/*.log >&2
		exit 1
	fi
	for p in $pids; do
		kill -0 "$p" 2>/dev/null || { echo "demo: a process died; logs:" >&2; tail -n 20 "$tmp"/*.log >&2; exit 1; }
	done
	sleep 0.1
done
echo "Playing: $url"
echo "Also:    $base/demo.nipcache/vod/vod.m3u8"
echo "Services found by DVB-NIP discovery: $base/services.json"
echo "DVB-I service list for this box:    $base/dvbi/servicelist.xml"
echo "(open a playlist in ffplay, VLC or a browser with hls.js; metrics at $base/metrics; Ctrl-C stops)"
while :; do
	for p in $pids; do
		kill -0 "$p" 2>/dev/null || { echo "demo: a process stopped; logs:" >&2; tail -n 20 "$tmp"/*.log >&2; exit 1; }
	done
	sleep 1
done
