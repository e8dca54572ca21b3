#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo: a live HLS test channel (ffmpeg) -> nipcast --live (FLUTE on a
# loopback multicast group) -> nipcached -> http://127.0.0.1:PORT/...m3u8.
# Ctrl-C stops everything and removes the temporary folder.
set -eu
build=$(cd "${1:-build}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
port=${DEMO_PORT:-8080}
group=${DEMO_GROUP:-239.255.42.1:5000}
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

mkdir -p "$tmp/cache" "$tmp/hls"
cat >"$tmp/nipcached.conf" <<CONF
[input]
interface = 127.0.0.1
udp = $group
[cache]
dir = $tmp/cache
max_bytes = 256M
min_free = 0
[http]
listen = 127.0.0.1:$port
CONF

"$top/tools/hls-source.sh" "$tmp/hls" >"$tmp/ffmpeg.log" 2>&1 &
pids="$pids $!"
"$build/nipcast" -g "$group" -i 127.0.0.1 --url-base http://dvb.gw/demo/ \
	--live "$tmp/hls" >"$tmp/nipcast.log" 2>&1 &
pids="$pids $!"
"$build/nipcached" --config "$tmp/nipcached.conf" 2>"$tmp/nipcached.log" &
pids="$pids $!"

url="http://127.0.0.1:$port/demo/live.m3u8"
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
echo "(open it in ffplay, VLC or a browser with hls.js; metrics at http://127.0.0.1:$port/metrics; Ctrl-C stops)"
while :; do
	for p in $pids; do
		kill -0 "$p" 2>/dev/null || { echo "demo: a process stopped; logs:" >&2; tail -n 20 "$tmp"/*.log >&2; exit 1; }
	done
	sleep 1
done
