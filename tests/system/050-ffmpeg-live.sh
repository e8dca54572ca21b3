#!/bin/sh
# A real player: ffmpeg's HLS demuxer follows the live playlist served by
# nipcached (fed by nipcast --live from ffmpeg's own hls muxer) for 20 s of
# media without an error, and the frames it decodes from a served segment are
# identical to those decoded from the source segment (framemd5).
. "$NC_SYS/common.sh"

write_conf "$NC_TMP/c.conf" "[input]" "udp = 239.255.50.1:5000"
start_daemon "$NC_TMP/c.conf"
start_live 239.255.50.1:5000
pl=$NC_LIVE_PL

timeout 90 ffmpeg -hide_banner -nostdin -loglevel warning -i "$pl" -t 20 -f null - \
	>"$NC_TMP/player.log" 2>&1 || fail "ffmpeg player failed: $(tail -n 5 "$NC_TMP/player.log")"
if grep -Eiq 'Failed to open segment|error|Invalid data' "$NC_TMP/player.log"; then
	fail "player reported errors: $(grep -Ei 'Failed|error|Invalid' "$NC_TMP/player.log" | head -n 5)"
fi

# Decode the newest listed segment from the box and from the source folder.
seg=$(curl -fsS "$pl" | grep '^seg' | tail -n 1)
curl -fsS -o "$NC_TMP/served.ts" "$NC_URL/tv/$seg" || fail "segment $seg not served"
cp "$NC_TMP/hls/$seg" "$NC_TMP/source.ts" 2>/dev/null || fail "source $seg already deleted"
cmp -s "$NC_TMP/served.ts" "$NC_TMP/source.ts" || fail "served segment differs from source"
ffmpeg -hide_banner -loglevel error -i "$NC_TMP/served.ts" -f framemd5 "$NC_TMP/served.md5"
ffmpeg -hide_banner -loglevel error -i "$NC_TMP/source.ts" -f framemd5 "$NC_TMP/source.md5"
frames=$(grep -vc '^#' "$NC_TMP/source.md5")
[ "$frames" -gt 40 ] || fail "only $frames frames decoded from $seg"
cmp -s "$NC_TMP/served.md5" "$NC_TMP/source.md5" || fail "decoded frames differ"
note "player ran 20 s without errors; $seg: $frames audio+video frames identical"
stop_daemon
