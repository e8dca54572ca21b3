#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make soak (never make check): SOAK_MIN minutes (default 30) of a box at
# work.  A sender namespace sends, over a veth with 1% random loss
# (nftables), a live HLS service (ffmpeg, 2 s segments) and a file carousel
# of new objects at SOAK_RATE (default 60M, bit/s of UDP payload; with the
# pauses between batches about 50 Mbit/s on average), batch
# after batch, each batch new names, so that the cache (SOAK_CACHE, default
# 256M) evicts all the time; nginx on loopback is the repair origin for
# both; SOAK_PLAYERS (default 20) ffmpeg players follow the live playlist,
# each restarting when its SOAK_PLAY seconds are played.  Asserts:
#  - every object of every batch is served identical to its source file
#    (asked for right after its batch was sent: repair fills what the 1%
#    loss took), and every live segment checked equals the packager's;
#  - no player reports an error, and the players never all stall;
#  - the byte cap holds at every sample; evictions happen;
#  - after warm-up (a third of the run, at most 10 minutes) the daemon's
#    RSS grows by less than 1 MB, the peak of its file descriptors other
#    than sockets does not grow (second half against first), and its
#    sockets stay within what the players explain;
#  - no warning or fatal line in the daemon's log.
# Prints the samples' figures (RSS, fds, bytes received, evictions).
. "$NC_SYS/common.sh"

MIN=${SOAK_MIN:-30}
RATE=${SOAK_RATE:-60M}
CACHE=${SOAK_CACHE:-256M}
PLAYERS=${SOAK_PLAYERS:-20}
PLAY=${SOAK_PLAY:-300}
BATCH_FILES=16
GROUP=239.255.120.1:5000
CHURN_GROUP=239.255.120.2:5002
NGINX_PORT=8120
case "$MIN" in '' | *[!0-9]*) fail "SOAK_MIN must be whole minutes: $MIN" ;; esac
[ "$MIN" -ge 2 ] || fail "SOAK_MIN must be at least 2"

# The churn carousel is a second group and port on the same veth, with the
# same loss (a rule of its own jumps to the same random-drop chain).
start_repair_live "$GROUP" "$NGINX_PORT" "ui_dir = $NC_BUILD/ui" "[cache]" "max_bytes = $CACHE" "[input]" "udp = $CHURN_GROUP"
on_sender ip route add "${CHURN_GROUP%:*}/32" dev "$NC_SND_IF"
echo "add rule inet nc_loss pre iifname \"$NC_RCV_IF\" udp dport ${CHURN_GROUP##*:} jump rand" |
	nft -f - || fail "nft: cannot add the churn port"
cap=$(metric nipcache_cache_max_bytes)
[ "$cap" -gt 0 ] || fail "no nipcache_cache_max_bytes in /metrics"
net_loss 1

soak_end=$(( $(date +%s) + MIN * 60 ))
warm=$(( MIN * 60 / 3 )); [ "$warm" -le 600 ] || warm=600
warm_end=$(( $(date +%s) + warm ))

# Players: ffmpeg copies the live stream (no decoding), restarting when
# done.  Their user agent marks them as this run's, so that cleanup can
# stop the ffmpeg and timeout processes the player loops started.
UA="nipcache-soak-${NC_TMP##*.}"
nc_test_cleanup() {
	: >"$NC_TMP/stop"
	pkill -f -- "$UA" 2>/dev/null || true
}
player() {
	while [ "$(date +%s)" -lt "$soak_end" ] && [ ! -e "$NC_TMP/stop" ]; do
		timeout -k 3 $((PLAY + 60)) ffmpeg -hide_banner -nostdin -loglevel warning \
			-user_agent "$UA" -i "$NC_LIVE_PL" -t "$PLAY" -c copy -f null - >>"$NC_TMP/player-$1.log" 2>&1 ||
			echo "exit $? at $(date +%s)" >>"$NC_TMP/player-$1.log"
		echo "done $(date +%s)" >>"$NC_TMP/player-$1.runs"
	done
}
i=1
while [ "$i" -le "$PLAYERS" ]; do
	player "$i" &
	NC_PIDS="$NC_PIDS $!"
	i=$((i + 1))
done

# sample: one line "t rss_kB fds sockets cache_bytes evictions rx_bytes".
sample() {
	st=/proc/$NC_DAEMON
	[ -d "$st" ] || fail "nipcached is gone"
	rss=$(awk '/^VmRSS/ { print $2 }' "$st/status")
	fds=0; socks=0
	for f in "$st"/fd/*; do
		l=$(readlink "$f" 2>/dev/null) || continue
		case "$l" in socket:*) socks=$((socks + 1)) ;; *) fds=$((fds + 1)) ;; esac
	done
	b=$(metric nipcache_cache_bytes)
	[ "$b" -le "$cap" ] || fail "cache_bytes $b above the cap $cap"
	echo "$(date +%s) $rss $fds $socks $b $(metric_sum nipcache_evictions_total) $(metric_sum nipcache_received_bytes_total)"
}

# check_live: the playlist's segments that the packager still has are
# served identical.
LIVE_OK=0
check_live() {
	curl -fsS -m 10 -o "$NC_TMP/pl.got" "$NC_LIVE_PL" || fail "the live playlist is not served"
	for s in $(grep -v '^#' "$NC_TMP/pl.got" | tr -d '\r'); do
		cp "$NC_TMP/www/tv/$s" "$NC_TMP/seg.src" 2>/dev/null || continue
		curl -fsS -m 15 -o "$NC_TMP/seg.got" "$NC_URL/tv/$s" || fail "GET /tv/$s failed"
		cmp -s "$NC_TMP/seg.got" "$NC_TMP/seg.src" || fail "served $s differs from the packager's"
		LIVE_OK=$((LIVE_OK + 1))
	done
}

# send_batch K: BATCH_FILES new objects (64 kB to 4 MB) at churn/bK/, two
# cycles at RATE; then each is served identical (held and repaired when
# the loss took part of it).  Batch K-4's sources are then dropped.
OBJ_OK=0; OBJ_BYTES=0
send_batch() {
	d=$NC_TMP/www/churn/b$1
	mkdir -p "$d"
	j=0
	while [ "$j" -lt "$BATCH_FILES" ]; do
		head -c $(( (j * 7919 + $1 * 104729) % 4128768 + 65536 )) /dev/urandom >"$d/f$j.bin"
		j=$((j + 1))
	done
	on_sender "$NIPCAST" -g "$CHURN_GROUP" -i "$NC_SND_ADDR" -t $(( $1 % 60000 + 100 )) \
		-r "$RATE" -c 2 --url-base "http://dvb.gw/churn/b$1/" "$d" >>"$NC_TMP/churn.log" 2>&1 ||
		fail "nipcast batch $1: $(tail -n 3 "$NC_TMP/churn.log")"
	for f in "$d"/*.bin; do
		code=$(curl -sS -m 30 -o "$NC_TMP/obj.got" -w '%{http_code}' "$NC_URL/churn/b$1/${f##*/}") ||
			fail "GET /churn/b$1/${f##*/} failed (curl)"
		[ "$code" = 200 ] || fail "GET /churn/b$1/${f##*/} answered $code"
		cmp -s "$NC_TMP/obj.got" "$f" || fail "served churn/b$1/${f##*/} differs from its source"
		OBJ_OK=$((OBJ_OK + 1)); OBJ_BYTES=$((OBJ_BYTES + $(wc -c <"$f")))
	done
	rm -rf "$NC_TMP/www/churn/b$(($1 - 4))"
}

k=1; next_sample=0; warm_line=""
: >"$NC_TMP/samples"
while [ "$(date +%s)" -lt "$soak_end" ] && [ "$k" -lt 100000 ]; do
	send_batch "$k"
	k=$((k + 1))
	now=$(date +%s)
	if [ "$now" -ge "$next_sample" ]; then
		check_live
		sample >>"$NC_TMP/samples"
		[ -n "$warm_line" ] || [ "$now" -lt "$warm_end" ] || warm_line=$(tail -n 1 "$NC_TMP/samples")
		next_sample=$((now + 10))
	fi
done
: >"$NC_TMP/stop"
last=$(sample)
[ -n "$warm_line" ] || fail "the run ended before warm-up did"
set -- $warm_line; t0=$1; rss0=$2; fd0=$3; rx0=$7
set -- $last; t1=$1; rss1=$2; fd1=$3; sock1=$4; ev1=$6; rx1=$7
rssmax=$(awk -v t="$t0" '$1 >= t && $2 > m { m = $2 } END { print m }' "$NC_TMP/samples")
# Descriptors other than sockets are the objects in flight (a staging file
# each) and the files being served: they come and go with the carousel, so
# "flat" compares peaks: the second half after warm-up against the first.
tm=$(( (t0 + $(date +%s)) / 2 ))
fdmax=$(awk -v t="$t0" -v u="$tm" '$1 >= t && $1 < u && $3 > m { m = $3 } END { print m + 0 }' "$NC_TMP/samples")
fdlate=$(awk -v u="$tm" '$1 >= u && $3 > m { m = $3 } END { print m + 0 }' "$NC_TMP/samples")
sockmax=$(awk '$4 > m { m = $4 } END { print m }' "$NC_TMP/samples")
mbit=$(awk -v b=$((rx1 - rx0)) -v s=$((t1 - t0)) 'BEGIN { printf "%.1f", b * 8 / s / 1e6 }')
note "$MIN min: $((k - 1)) batches, $OBJ_OK objects ($OBJ_BYTES bytes) served identical, $LIVE_OK live segments identical"
note "received $mbit Mbit/s after warm-up; evictions $ev1; lossdrop $(net_counter lossdrop) packets;" \
	"repair: lost $(metric_sum nipcache_repair_lost_bytes_total) B, fetched $(metric_sum nipcache_repair_body_bytes_total) B"
note "RSS after warm-up $rss0 kB, at the end $rss1 kB, peak $rssmax kB; fds (not sockets) $fd0 -> $fd1," \
	"peak $fdmax in the first half after warm-up, $fdlate in the second; sockets at most $sockmax"
[ "$ev1" -gt 0 ] || fail "no eviction with a $CACHE cache"
[ $((rss1 - rss0)) -lt 1024 ] || fail "RSS grew by $((rss1 - rss0)) kB after warm-up"
[ "$fdlate" -le $((fdmax + 8)) ] ||
	fail "file descriptors (not sockets) grew: peak $fdmax, then $fdlate in the second half"
[ "$sockmax" -le $((PLAYERS * 2 + 32)) ] || fail "$sockmax sockets open for $PLAYERS players"
i=1; runs=0
while [ "$i" -le "$PLAYERS" ]; do
	if grep -Eiq 'Failed to open segment|error|Invalid data|^exit ' "$NC_TMP/player-$i.log" 2>/dev/null; then
		fail "player $i: $(grep -Ei 'Failed|error|Invalid|^exit ' "$NC_TMP/player-$i.log" | head -n 3)"
	fi
	runs=$((runs + $(grep -c . "$NC_TMP/player-$i.runs" 2>/dev/null || echo 0)))
	i=$((i + 1))
done
note "$PLAYERS players, $runs plays of $PLAY s ended without an error"
if grep -E 'warning: |fatal' "$NC_TMP/daemon.log" >"$NC_TMP/warn"; then
	fail "the daemon logged $(wc -l <"$NC_TMP/warn") warnings: $(head -n 5 "$NC_TMP/warn")"
fi
stop_daemon
