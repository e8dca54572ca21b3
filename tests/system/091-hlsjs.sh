#!/bin/sh
# Players never stall on broadcast loss (issue 4): hls.js 1.7.4 in headless
# Chromium (tests/player/play.js) plays the live service from nipcached for
# $PLAY_S s while nftables drops 5% of the multicast packets on arrival,
# and through a 3 s total outage halfway.  Same scenario as 090: a sender
# namespace runs nipcast --live on an ffmpeg live HLS folder, nginx on
# loopback serves that folder as the repair origin.  Asserts:
#  - playback starts and currentTime advances by at least $PLAY_S - 4 s
#    with no fatal hls.js error (play.js's exit status);
#  - 0 media `waiting` events after the first `playing` (no rebuffering);
#  - 0 hls.js bufferStalledError;
#  - 0 fragGap: no segment was given up (EXT-X-GAP) and skipped.
# Printed: startup time, stalls, rebuffer time, errors seen, max latency.
# LONG=1 plays 60 s.
. "$NC_SYS/common.sh"

GROUP=239.255.91.1:5000
NGINX_PORT=8191
if [ "${LONG:-0}" = 1 ]; then PLAY_S=60; else PLAY_S=20; fi

# A missing browser after make deps is a failure, not a skip.
need_player
# base_url also serves path repairs: a segment whose announcement fell
# entirely in the outage is fetched from it when a player asks.
start_repair_live "$GROUP" "$NGINX_PORT"
net_loss 5

d0=$(net_counter lossdrop)
play_hls_start "$NC_LIVE_PL" "$PLAY_S" --status "$NC_TMP/status.json"
# Cut the signal once the player is well into live playback (play.js
# rewrites its status file as it plays).
wait_for 60 played_past "$NC_TMP/status.json" $((PLAY_S / 2)) ||
	fail "hls.js did not play $((PLAY_S / 2)) s: $(cat "$NC_TMP/status.json" 2>/dev/null)"
o0=$(net_counter outdrop)
net_outage on
sleep 3
net_outage off
note "outage: $(( $(net_counter outdrop) - o0 )) packets dropped in 3 s"
st=0; play_hls_wait || st=$?
j="$NC_TMP/player.json"
note "hls.js: startup $(json_get "$j" startup_ms) ms, stalls $(json_get "$j" stalls)," \
	"rebuffer $(json_get "$j" rebuffer_ms) ms, bufferStalledError $(json_get "$j" buffer_stalled)," \
	"fragLoadError $(json_get "$j" frag_load_errors), gaps $(json_get "$j" gaps)," \
	"played $(json_get "$j" played_s) s, max latency $(json_get "$j" max_latency) s"
note "loss: $(( $(net_counter lossdrop) - d0 )) packets dropped at random"
[ $st -eq 0 ] || fail "hls.js did not play: $(cat "$j")"
[ "$(json_get "$j" stalls)" = 0 ] || fail "hls.js rebuffered: $(cat "$j")"
[ "$(json_get "$j" buffer_stalled)" = 0 ] || fail "hls.js reported bufferStalledError: $(cat "$j")"
[ "$(json_get "$j" gaps)" = 0 ] || fail "hls.js skipped a gap segment: $(cat "$j")"
stop_daemon
