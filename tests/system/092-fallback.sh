#!/bin/sh
# Terrestrial fallback through a total loss of signal (issue 4): the only
# terrestrial source is "[repair] origin" (nginx on loopback serving the
# live HLS folder the sender broadcasts).  hls.js in headless Chromium plays
# the live service from nipcached; once it plays, every multicast packet is
# dropped for $OUT_S s.  The broadcast stops updating the live playlist, so
# nipcached fetches the stale playlist again from the origin (trigger
# "refresh") and the segments it newly lists, which the broadcast never
# announced (trigger "origin").  Asserts:
#  - the outage dropped packets (nftables counter);
#  - hls.js plays on: 0 `waiting` after the first `playing`, 0
#    bufferStalledError, 0 gaps, currentTime advances by $PLAY_S - 4 s;
#  - refreshes and origin fetches succeeded (repair_results_total);
#  - after the outage, the broadcast takes over again: the playlist
#    nipcached serves equals the source's within two target durations.
# LONG=1: 60 s of play with a 30 s outage.
. "$NC_SYS/common.sh"

GROUP=239.255.92.1:5000
NGINX_PORT=8192
if [ "${LONG:-0}" = 1 ]; then PLAY_S=60; OUT_S=30; else PLAY_S=34; OUT_S=20; fi

need_player
NC_REPAIR_KEY=origin start_repair_live "$GROUP" "$NGINX_PORT"

play_hls_start "$NC_LIVE_PL" "$PLAY_S" --status "$NC_TMP/status.json"
wait_for 60 played_past "$NC_TMP/status.json" 6 ||
	fail "hls.js did not play 6 s: $(cat "$NC_TMP/status.json" 2>/dev/null)"
o0=$(net_counter outdrop)
r0=$(metric_series 'nipcache_repair_results_total{trigger="refresh",result="ok"}')
g0=$(metric_series 'nipcache_repair_results_total{trigger="origin",result="ok"}')
net_outage on
# The outage itself is the scenario: it lasts OUT_S seconds.
sleep "$OUT_S"
net_outage off
out=$(( $(net_counter outdrop) - o0 ))
refr=$(( $(metric_series 'nipcache_repair_results_total{trigger="refresh",result="ok"}') - r0 ))
orig=$(( $(metric_series 'nipcache_repair_results_total{trigger="origin",result="ok"}') - g0 ))
note "outage: $out packets dropped in $OUT_S s; playlist refreshes $refr, origin fetches $orig"
st=0; play_hls_wait || st=$?
j="$NC_TMP/player.json"
note "hls.js: startup $(json_get "$j" startup_ms) ms, stalls $(json_get "$j" stalls)," \
	"rebuffer $(json_get "$j" rebuffer_ms) ms, bufferStalledError $(json_get "$j" buffer_stalled)," \
	"gaps $(json_get "$j" gaps), played $(json_get "$j" played_s) s, max latency $(json_get "$j" max_latency) s"
[ "$out" -gt 0 ] || fail "the outage dropped nothing"
[ $st -eq 0 ] || fail "hls.js did not play: $(cat "$j")"
[ "$(json_get "$j" stalls)" = 0 ] || fail "hls.js rebuffered: $(cat "$j")"
[ "$(json_get "$j" buffer_stalled)" = 0 ] || fail "hls.js reported bufferStalledError: $(cat "$j")"
[ "$(json_get "$j" gaps)" = 0 ] || fail "hls.js skipped a gap segment: $(cat "$j")"
[ "$refr" -gt 0 ] || fail "no playlist refresh from the origin succeeded"
[ "$orig" -gt 0 ] || fail "no never-announced segment was fetched from the origin"

# Back on broadcast: the served playlist lists the source's newest segment.
newest_served() {
	src=$(grep '^seg' "$NC_TMP/www/tv/live.m3u8" | tail -n 1)
	curl -fsS "$NC_LIVE_PL" | grep -qx "$src"
}
wait_for 20 newest_served || fail "after the outage nipcached never caught up with the source"
stop_daemon
