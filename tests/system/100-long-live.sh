#!/bin/sh
# make check-long: three minutes of live HLS through the box with a small
# cache, so eviction runs all the time.  ffmpeg plays 150 s without an error,
# the byte cap holds, the playlist and its newest segments are always there,
# and the daemon's memory stays flat.
. "$NC_SYS/common.sh"

write_conf "$NC_TMP/c.conf" "[input]" "udp = 239.255.100.1:5000" "[cache]" "max_bytes = 8M"
start_daemon "$NC_TMP/c.conf"
start_live 239.255.100.1:5000
pl=$NC_LIVE_PL
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$NC_DAEMON/status")

timeout 240 ffmpeg -hide_banner -nostdin -loglevel warning -i "$pl" -t 150 -f null - \
	>"$NC_TMP/player.log" 2>&1 &
PLAYER=$!; NC_PIDS="$NC_PIDS $PLAYER"
max=0
while kill -0 "$PLAYER" 2>/dev/null; do
	b=$(metric nipcache_cache_bytes)
	[ "$b" -le 8388608 ] || fail "cache_bytes $b above the 8M cap"
	[ "$b" -gt "$max" ] && max=$b
	sleep 1
done
st=0; wait "$PLAYER" || st=$?
[ $st -eq 0 ] || fail "ffmpeg player exited $st: $(tail -n 5 "$NC_TMP/player.log")"
if grep -Eiq 'Failed to open segment|error|Invalid data' "$NC_TMP/player.log"; then
	fail "player reported errors: $(grep -Ei 'Failed|error|Invalid' "$NC_TMP/player.log" | head -n 5)"
fi
ev=$(metric nipcache_evictions_total)
[ "$ev" -gt 10 ] || fail "only $ev evictions in 150 s with an 8M cap"
rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$NC_DAEMON/status")
[ $((rss1 - rss0)) -lt 4096 ] || fail "RSS grew from $rss0 kB to $rss1 kB"
note "150 s played; evictions $ev, peak cache $max bytes, RSS $rss0 -> $rss1 kB"
stop_daemon
