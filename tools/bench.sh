#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: ingest, serving (side by side with nginx) and memory figures.
# Runs inside a private network namespace; prints a Markdown report that
# goes into BENCHMARKS.md.  Usage: bench.sh BUILD_DIR
set -eu
build=$(cd "${1:-build}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${NC_BENCH_INNER:-}" != 1 ]; then
	exec unshare -n env NC_BENCH_INNER=1 sh -c 'ip link set lo up && exec sh "$0" "$1"' "$0" "$build"
fi
tmp=$(mktemp -d /tmp/nipcache-bench.XXXXXX)
chmod 755 "$tmp"	# nginx workers run as www-data
pids=""
cleanup() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 0.2
	for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

port=8080
url=http://127.0.0.1:$port
metric() { curl -fsS "$url/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
wait_until() { n=0; while ! "$@"; do n=$((n + 1)); [ $n -lt 6000 ] || return 1; sleep 0.05; done; }
now_ms() { date +%s%3N; }

start_daemon() {
	mkdir -p "$tmp/cache"
	cat >"$tmp/n.conf" <<CONF
[log]
level = warn
[input]
interface = 127.0.0.1
udp = 239.255.99.1:5000
receive_buffer = 64M
[cache]
dir = $tmp/cache
max_bytes = 8G
min_free = 0
fsync = ${BENCH_FSYNC:-commit}
[http]
listen = 127.0.0.1:$port
threads = 2
max_connections_per_client = 0
CONF
	"$build/nipcached" --config "$tmp/n.conf" 2>"$tmp/nipcached.log" &
	daemon=$!; pids="$pids $daemon"
	wait_until curl -fsS -o /dev/null "$url/health"
}
stop_daemon() { kill -TERM "$daemon"; wait "$daemon" || true; [ "${1:-}" = keep ] || rm -rf "$tmp/cache"; }

echo "## Run of $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
echo
# Sockets may ask for up to 64 MB of receive buffer (the package ships this).
old_rmem=$(sysctl -n net.core.rmem_max)
sysctl -qw net.core.rmem_max=67108864 2>/dev/null || true

# 0. FEC codecs, one core, no network (tools/fecbench.c).
echo "### FEC codecs (one core, 1400-byte symbols, 20% repair overhead)"
echo
"$build/fecbench" 20
echo

# 1. Ingest: 1 GB of 2 MB segments at 1.2 Gbit/s, timed at the receiver.
mkdir -p "$tmp/segs"
i=0; while [ $i -lt 512 ]; do head -c 2097152 /dev/urandom >"$tmp/segs/s$i.m4s"; i=$((i + 1)); done
start_daemon
c0=$(cpu_ticks "$daemon"); d0=$(metric nipcache_kernel_drops_total)
"$build/nipcast" -g 239.255.99.1:5000 -i 127.0.0.1 -r 1.2G -c 1 "$tmp/segs" 2>"$tmp/nipcast.log" &
sender=$!; pids="$pids $sender"
got_packets() { [ "$(metric nipcache_packets_total)" -gt 0 ]; }
wait_until got_packets
t0=$(now_ms)
done_all() { [ "$(metric nipcache_objects_completed_total)" -ge 512 ]; }
if wait_until done_all; then t1=$(now_ms); ok=yes; else t1=$(now_ms); ok=no; fi
wait "$sender" || true
c1=$(cpu_ticks "$daemon"); d1=$(metric nipcache_kernel_drops_total)
bytes=$((512 * 2097152))
ms=$((t1 - t0)); [ $ms -gt 0 ] || ms=1
hz=$(getconf CLK_TCK)
echo "### Ingest (nipcast -r 1.2G, 512 x 2 MiB, fsync=${BENCH_FSYNC:-commit}, receiver-side timing)"
echo
echo "| all objects committed | wall time | goodput | daemon CPU | CPU s per GB | kernel drops | peak RSS |"
echo "|---|---|---|---|---|---|---|"
awk -v b=$bytes -v ms=$ms -v c=$((c1 - c0)) -v hz=$hz -v dr=$((d1 - d0)) -v ok=$ok -v hwm="$(hwm_kb "$daemon")" 'BEGIN {
	printf "| %s | %.2f s | %.0f Mbit/s | %.2f s | %.2f | %d | %.1f MB |\n", ok, ms / 1000, b * 8 / ms / 1000, c / hz, (c / hz) / (b / 1e9), dr, hwm / 1024 }'
echo
stop_daemon

# 2. Serving: wrk against nipcached and nginx, same files, same run.
mkdir -p "$tmp/www/live"
head -c 1024 /dev/urandom | base64 -w 64 | head -c 1024 >"$tmp/www/live/index.m3u8"
head -c 2097152 /dev/urandom >"$tmp/www/live/seg.ts"
start_daemon
"$build/nipcast" -g 239.255.99.1:5000 -i 127.0.0.1 -r 0 -c 2 "$tmp/www" 2>/dev/null
two_done() { [ "$(metric nipcache_objects_completed_total)" -ge 2 ]; }
wait_until two_done
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<NGX
worker_processes 2;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on; tcp_nopush on;
	open_file_cache max=1000 inactive=60s;
	types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
	client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx; fastcgi_temp_path $tmp/nginx;
	uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
	server { listen 127.0.0.1:8090; root $tmp/www; }
}
NGX
nginx -c "$tmp/nginx/nginx.conf" &
ngx=$!; pids="$pids $ngx"
wait_until curl -fsS -o /dev/null http://127.0.0.1:8090/live/index.m3u8
run_wrk() { wrk -t2 -c"$2" -d"${BENCH_SECS:-5}"s "$1" 2>&1; }
rps() { awk '/^Requests\/sec/ { print $2 }'; }
tps() { awk '/^Transfer\/sec/ { v = $2; u = substr(v, length(v) - 1); n = v + 0; if (u == "GB") n *= 1024; if (u == "KB") n /= 1024; printf "%.0f", n }'; }
# The machine is shared: alternate the two servers over ROUNDS short runs
# and report the median of the per-round ratios, so drift hits both alike.
rounds=${BENCH_ROUNDS:-5}
: >"$tmp/pl.txt"; : >"$tmp/sg.txt"
r=0
while [ $r -lt "$rounds" ]; do
	a=$(run_wrk "$url/live/index.m3u8" 64 | rps)
	b=$(run_wrk http://127.0.0.1:8090/live/index.m3u8 64 | rps)
	echo "$a $b" >>"$tmp/pl.txt"
	a=$(run_wrk "$url/live/seg.ts" 16 | tps)
	b=$(run_wrk http://127.0.0.1:8090/live/seg.ts 16 | tps)
	echo "$a $b" >>"$tmp/sg.txt"
	r=$((r + 1))
done
kill "$ngx" 2>/dev/null || true
wait "$ngx" 2>/dev/null || true
# median_row FILE: "nipcached nginx ratio" of the round with the median ratio.
median_row() { awk '{ print $1, $2, $1 / $2 }' "$1" | sort -g -k3 | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }
ratios() { awk '{ sep = (NR > 1) ? ", " : ""; printf "%s%.2f", sep, $1 / $2 }' "$1"; }
echo "### Serving (wrk -t2, ${BENCH_SECS:-5} s runs alternating the two servers, $rounds rounds; median round shown)"
echo
echo "| object | nipcached | nginx | ratio (median) | ratios of all rounds |"
echo "|---|---|---|---|---|"
median_row "$tmp/pl.txt" | awk -v all="$(ratios "$tmp/pl.txt")" '{ printf "| 1 KB playlist (64 connections) | %.0f req/s | %.0f req/s | %.2fx | %s |\n", $1, $2, $3, all }'
median_row "$tmp/sg.txt" | awk -v all="$(ratios "$tmp/sg.txt")" '{ printf "| 2 MB segment (16 connections) | %.2f GB/s | %.2f GB/s | %.2fx | %s |\n", $1 / 1024, $2 / 1024, $3, all }'
echo
echo "Serving peak RSS of nipcached: $(awk -v k="$(hwm_kb "$daemon")" 'BEGIN { printf "%.1f MB", k / 1024 }')"
echo
stop_daemon

# 3. Memory with 10,000 cached objects.
mkdir -p "$tmp/many"
python3 - "$tmp/many" <<'PY'
import os, sys
d = sys.argv[1]
for i in range(10000):
    sub = os.path.join(d, "d%02d" % (i % 100))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "o%05d.ts" % i), "wb") as f:
        f.write(os.urandom(1000 + (i * 37) % 4000))
PY
start_daemon
"$build/nipcast" -g 239.255.99.1:5000 -i 127.0.0.1 -r 400M -c 2 "$tmp/many" 2>/dev/null
many_done() { [ "$(metric nipcache_cache_objects)" -ge 10000 ]; }
wait_until many_done || true
objs=$(metric nipcache_cache_objects)
echo "### Memory"
echo
echo "| state | objects cached | RSS | peak RSS |"
echo "|---|---|---|---|"
awk -v o="$objs" -v r="$(rss_kb "$daemon")" -v h="$(hwm_kb "$daemon")" 'BEGIN { printf "| after ingesting 10,000 objects | %d | %.1f MB | %.1f MB |\n", o, r / 1024, h / 1024 }'
stop_daemon keep
start_daemon
objs=$(metric nipcache_cache_objects)
awk -v o="$objs" -v r="$(rss_kb "$daemon")" -v h="$(hwm_kb "$daemon")" 'BEGIN { printf "| restarted on that cache (index rebuilt) | %d | %.1f MB | %.1f MB |\n", o, r / 1024, h / 1024 }'
stop_daemon
sysctl -qw net.core.rmem_max="$old_rmem" 2>/dev/null || true
