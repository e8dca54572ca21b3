#!/bin/sh
# Unicast repair keeps a live service whole (issue 4).  A sender namespace
# runs nipcast --live on an ffmpeg live HLS folder (2 s segments); nftables
# drops packets as they arrive on the receiver's veth; nginx on loopback
# serves the same folder as the repair origin.  Asserts:
#  1. With 5% random loss for $LOSS_S s, every playlist the daemon serves is
#     a version the packager wrote (byte for byte, or that version with its
#     newest entries held back), never carries EXT-X-GAP, and every segment
#     it lists is served (200, within hold_timeout) identical to the source
#     file (MD5).
#  2. Repair fetched what was lost and little more: repair body bytes
#     <= 1.2 x lost bytes, both > 0, although $FDT_LOSS % of the FDT
#     packets are dropped on top, so that playlists name segments not
#     announced yet: a player asking for one must not fetch it whole while
#     the broadcast (an FDT repeat, then its packets) brings it.
#  3. A 3 s total outage (loss still 5%) while ffmpeg follows the live
#     playlist: ffmpeg plays $PLAY_S s of media with no "Failed to open
#     segment" and no error.
# LONG=1 runs 60 s phases instead of 20 s.
. "$NC_SYS/common.sh"

# The repair byte counters (daemon/metrics.c).
M_LOST=nipcache_repair_lost_bytes_total
M_BODY=nipcache_repair_body_bytes_total

GROUP=239.255.90.1:5000
NGINX_PORT=8190
FDT_LOSS=${FDT_LOSS:-10}
if [ "${LONG:-0}" = 1 ]; then LOSS_S=60; PLAY_S=60; else LOSS_S=20; PLAY_S=20; fi

# base_url also serves path repairs: a segment whose announcement fell
# entirely in the outage is fetched from it when a player asks.
start_repair_live "$GROUP" "$NGINX_PORT"

# Every segment and playlist version the packager writes is kept here
# (segments hard-linked before ffmpeg deletes them, playlists by MD5), so
# the comparison never races the source's sliding window.
record_source() {
	rend=$(( $(date +%s) + 600 ))
	while [ ! -e "$NC_TMP/stop-recorder" ] && [ "$(date +%s)" -lt "$rend" ]; do
		for f in "$NC_TMP/www/tv"/seg*.ts; do
			[ -e "$f" ] && [ ! -e "$NC_TMP/keep/${f##*/}" ] &&
				{ ln "$f" "$NC_TMP/keep/${f##*/}" 2>/dev/null || true; }
		done
		if cp "$NC_TMP/www/tv/live.m3u8" "$NC_TMP/plv.tmp" 2>/dev/null; then
			mv "$NC_TMP/plv.tmp" "$NC_TMP/plv/$(md5 "$NC_TMP/plv.tmp")"
		fi
		sleep 0.2
	done
}
mkdir -p "$NC_TMP/keep" "$NC_TMP/plv" "$NC_TMP/ok"
record_source &
NC_PIDS="$NC_PIDS $!"

# playlist_known FILE: FILE is a recorded source version, or one cut after
# a segment line (the newest entries held back until they are cached).
# It runs in this shell (wait_for calls it directly), so it can count.
VERBATIM=0; HELDBACK=0
playlist_known() {
	if [ -e "$NC_TMP/plv/$(md5 "$1")" ]; then
		VERBATIM=$((VERBATIM + 1)); return 0
	fi
	tail -n 1 "$1" | grep -q '^#' && return 1
	pn=$(wc -l <"$1")
	for v in "$NC_TMP/plv"/*; do
		if head -n "$pn" "$v" | cmp -s - "$1"; then
			HELDBACK=$((HELDBACK + 1)); return 0
		fi
	done
	return 1
}

# check_segment NAME: served now (held at most hold_timeout) and equal to
# the source file.
SEGS=0
source_kept() { [ -e "$NC_TMP/keep/$1" ]; }
check_segment() {
	[ -e "$NC_TMP/ok/$1" ] && return 0
	wait_for 5 source_kept "$1" || fail "source segment $1 was never written"
	code=$(curl -sS -m 10 -o "$NC_TMP/seg.got" -w '%{http_code}' "$NC_URL/tv/$1") ||
		fail "GET /tv/$1 failed (curl)"
	[ "$code" = 200 ] || fail "GET /tv/$1 answered $code"
	[ "$(md5 "$NC_TMP/seg.got")" = "$(md5 "$NC_TMP/keep/$1")" ] ||
		fail "served $1 differs from the source (MD5)"
	: >"$NC_TMP/ok/$1"
	SEGS=$((SEGS + 1))
}

# check_served: one pass over the served playlist and its segments.
check_served() {
	curl -fsS -m 10 -o "$NC_TMP/pl.got" "$NC_LIVE_PL" || fail "playlist not served"
	! grep -q '^#EXT-X-GAP' "$NC_TMP/pl.got" ||
		fail "a segment was given up (EXT-X-GAP): $(grep -A1 '^#EXT-X-GAP' "$NC_TMP/pl.got" | tr '\n' ' ')"
	# The recorder polls every 0.2 s, so give it a moment to see a version.
	wait_for 2 playlist_known "$NC_TMP/pl.got" ||
		fail "served playlist is no version of the source: $(tr '\n' ' ' <"$NC_TMP/pl.got")"
	for s in $(grep -v '^#' "$NC_TMP/pl.got" | tr -d '\r'); do
		check_segment "$s"
	done
}

# Phase 1: 5% loss, everything served whole.
lost0=$(metric_sum "$M_LOST"); body0=$(metric_sum "$M_BODY")
d0=$(net_counter lossdrop)
net_loss 5
net_fdt_loss "$FDT_LOSS"
loss_end=$(( $(date +%s) + LOSS_S ))
while [ "$(date +%s)" -lt "$loss_end" ]; do
	check_served
	sleep 1
done
check_served
dropped=$(( $(net_counter lossdrop) - d0 ))
lost=$(( $(metric_sum "$M_LOST") - lost0 ))
body=$(( $(metric_sum "$M_BODY") - body0 ))
note "loss phase: $dropped packets dropped, $SEGS segments identical," \
	"playlists verbatim $VERBATIM, held back $HELDBACK"
[ "$dropped" -gt 0 ] || fail "nftables dropped nothing"
[ "$SEGS" -ge $((LOSS_S / 2 - 2)) ] || fail "only $SEGS segments checked in $LOSS_S s"
[ "$VERBATIM" -gt 0 ] || fail "the served playlist never equalled a source version"

# Phase 2: the repair traffic is proportionate.
note "repair: lost $lost bytes, fetched $body body bytes; FDT packets dropped $(net_counter fdtdrop)"
[ "$lost" -gt 0 ] || fail "$M_LOST did not grow under 5% loss"
[ "$body" -gt 0 ] || fail "$M_BODY did not grow: nothing was repaired"
awk -v b="$body" -v l="$lost" 'BEGIN { exit !(b <= 1.2 * l) }' ||
	fail "repair fetched $body bytes for $lost lost (> 1.2x); by trigger:" \
		"$(curl -fsS "$NC_URL/metrics" | grep '^nipcache_repair_results_total' | grep -v ' 0$' | tr '\n' ' ')"

# Phase 3: ffmpeg follows the live playlist through a 3 s outage.  Once
# running, ffmpeg ignores a single SIGTERM while its HLS demuxer waits for
# a playlist reload, so timeout escalates to SIGKILL (also when cleanup
# sends the TERM).
: >"$NC_TMP/ff.progress"
timeout -k 3 $((PLAY_S + 60)) ffmpeg -hide_banner -nostdin -loglevel warning \
	-progress "file:$NC_TMP/ff.progress" -i "$NC_LIVE_PL" -t "$PLAY_S" -f null - \
	>"$NC_TMP/ffplay.log" 2>&1 &
FF=$!
NC_PIDS="$NC_PIDS $FF"
ff_past() {
	fs=$(awk -F= '$1 == "out_time_us" { v = $2 } END { print int(v / 1000000) }' "$NC_TMP/ff.progress")
	[ "$fs" -ge "$1" ]
}
# Past the segments buffered at start, so the outage hits live reception.
wait_for 60 ff_past $((PLAY_S / 2)) || fail "ffmpeg made no progress: $(tail -n 3 "$NC_TMP/ffplay.log")"
o0=$(net_counter outdrop)
net_outage on
sleep 3
net_outage off
note "outage: $(( $(net_counter outdrop) - o0 )) packets dropped in 3 s"
st=0; wait "$FF" || st=$?
[ $st -eq 0 ] || fail "ffmpeg exited $st: $(tail -n 5 "$NC_TMP/ffplay.log")"
if grep -Eiq 'Failed to open segment|error|Invalid data' "$NC_TMP/ffplay.log"; then
	curl -s "$NC_URL/metrics" | grep -E '^nipcache_(repair_results|repairs_total|held_wakeups|http_requests_total)' | grep -v ' 0$' >&2
	grep -E "repair|hold|503|fail" "$NC_TMP/daemon.log" | tail -n 40 >&2
	fail "ffmpeg reported errors: $(grep -Ei 'Failed|error|Invalid' "$NC_TMP/ffplay.log" | head -n 5)"
fi
ff_past $((PLAY_S - 1)) || fail "ffmpeg stopped early: $(tail -n 3 "$NC_TMP/ffplay.log")"
note "ffmpeg played $PLAY_S s through the outage without an error"
: >"$NC_TMP/stop-recorder"
stop_daemon
