#!/bin/sh
# The status page at / (issue 7), in Debian's headless Chromium: nipcast
# --nip sends the DVB-NIP signalling and two HLS services (a live one with
# a logo, a VOD without), as in 070; a third nipcast carousels the logo.
# nipcached serves the page's files from the build tree ([http] ui_dir).
# Asserts:
#  - /, /ui/status.js, /ui/status.css and /ui/hls.min.js are served with
#    their MIME types, an ETag (304 when it matches) and no-cache; other
#    names under /ui/ are 404, a traversal is 400;
#  - /status.json: one session per service, with its service id, receiving,
#    a bit rate, packets and objects; the announcement session; cache fill
#    and hit ratio in 0..1;
#  - the page shows both services with their names and LCNs, the logo of
#    the first from the box, and hls.js 1.7.4 loaded from the box;
#  - clicking play on the live service advances the video by 3 s or more;
#  - no request of the page went to a host other than the box.
# Screenshots (before and while playing) are kept in the build folder and
# their paths printed.
. "$NC_SYS/common.sh"
command -v ffmpeg >/dev/null || fail "ffmpeg is not installed (make deps installs it)"
need_player
[ -f "$NC_BUILD/ui/hls.min.js" ] || fail "$NC_BUILD/ui/hls.min.js is missing (make deps, then make)"
D=test.nipcache.invalid

mkdir -p "$NC_TMP/one" "$NC_TMP/two" "$NC_TMP/logos"
"$NC_TOP/tools/hls-source.sh" "$NC_TMP/one" >"$NC_TMP/source.log" 2>&1 &
NC_PIDS="$NC_PIDS $!"
ffmpeg -hide_banner -loglevel error -nostdin -f lavfi -i "testsrc2=size=320x180:rate=25" \
	-f lavfi -i "sine=frequency=500:sample_rate=48000" -t 6 \
	-c:v libx264 -preset ultrafast -g 50 -pix_fmt yuv420p -c:a aac -b:a 64k \
	-f hls -hls_time 2 -hls_playlist_type vod \
	-hls_segment_filename "$NC_TMP/two/v%03d.ts" "$NC_TMP/two/vod.m3u8" ||
	fail "cannot make the VOD service"
ffmpeg -hide_banner -loglevel error -nostdin -f lavfi -i "testsrc2=size=192x144" \
	-frames:v 1 "$NC_TMP/logos/one.png" || fail "cannot make the logo"
wait_for 60 test -s "$NC_TMP/one/live.m3u8" || fail "the live source did not start"

cat >"$NC_TMP/desc.ini" <<EOF
[network]
provider = nipcache test
domain = $D
list_id = tag:nipcache.invalid,2026:status
list_name = status page test
gateway = 239.255.94.1:5000/1
[service one]
id = tag:nipcache.invalid,2026:one
title = Live One
lcn = 7
logo = http://dvb.gw/$D/logos/one.png
hls = $NC_TMP/one
playlist = live.m3u8
session = 239.255.94.11:5001/11
bitrate = 2M
[service two]
id = tag:nipcache.invalid,2026:two
title = VOD Two
lcn = 12
hls = $NC_TMP/two
playlist = vod.m3u8
mode = static
session = 239.255.94.12:5002/12
EOF

write_conf "$NC_TMP/c.conf" "ui_dir = $NC_BUILD/ui" "[input]" "udp = 239.255.94.99:5099"
start_daemon "$NC_TMP/c.conf"
"$NIPCAST" --nip "$NC_TMP/desc.ini" -i 127.0.0.1 -r 5M >"$NC_TMP/nipcast.log" 2>&1 &
NC_PIDS="$NC_PIDS $!"
"$NIPCAST" -g 239.255.94.99:5099 -i 127.0.0.1 -c 0 -r 1M --url-base "http://dvb.gw/$D/logos/" \
	"$NC_TMP/logos" >"$NC_TMP/logos.log" 2>&1 &
NC_PIDS="$NC_PIDS $!"

# --- The page's files as served ---
hdr() { curl -fsS -o /dev/null -D - "$NC_URL$1" | tr -d '\r'; }
for f in /:text/html /ui/status.js:text/javascript /ui/status.css:text/css \
	/ui/hls.min.js:text/javascript; do
	p=${f%%:*}; t=${f#*:}
	h=$(hdr "$p") || fail "$p not served"
	echo "$h" | grep -qi "^content-type: $t; charset=utf-8$" || fail "$p: wrong type: $h"
	echo "$h" | grep -qi '^cache-control: no-cache$' || fail "$p: no Cache-Control no-cache"
	etag=$(echo "$h" | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
	[ -n "$etag" ] || fail "$p: no ETag"
	code=$(curl -sS -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$NC_URL$p")
	[ "$code" = 304 ] || fail "$p with its ETag: $code, not 304"
done
curl -fsS "$NC_URL/ui/hls.min.js" | cmp -s - "$NC_BUILD/ui/hls.min.js" || fail "/ui/hls.min.js differs"
for p in /ui/ /ui/index.html /ui/x.js /ui/hls.js; do
	code=$(curl -sS -o /dev/null -w '%{http_code}' "$NC_URL$p")
	[ "$code" = 404 ] || fail "$p: $code, not 404"
done
code=$(curl -sS --path-as-is -o /dev/null -w '%{http_code}' "$NC_URL/ui/../c.conf")
[ "$code" = 400 ] || fail "/ui/../c.conf: $code, not 400"

# --- Both services received, the logo cached ---
received() {
	curl -fsS "$NC_URL/services.json" | python3 -c '
import json, sys
d = json.load(sys.stdin)["services"]
sys.exit(0 if len(d) == 2 and all(s["live"]["receiving"] and s["live"]["bitrate"] > 0 for s in d) else 1)'
}
wait_for 60 received || fail "the two services are not received: $(curl -sS "$NC_URL/services.json")"
wait_for 30 curl -fsS -o /dev/null "$NC_URL/$D/logos/one.png" || fail "the logo is not cached"

# --- /status.json (bit rates and session counters are taken every second) ---
status_ok() {
	curl -fsS "$NC_URL/status.json" >"$NC_TMP/status.json" || return 1
	python3 - "$NC_TMP/status.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ids = {"tag:nipcache.invalid,2026:one", "tag:nipcache.invalid,2026:two"}
svc = [s for s in d["sessions"] if s["service"] in ids]
assert d["ready"] is True and d["uptime_seconds"] >= 0, d
assert sorted(s["service"] for s in svc) == sorted(ids), d["sessions"]
for s in svc:
    assert s["role"] == "service" and s["receiving"] is True, s
    assert s["bitrate"] > 0 and s["packets"] > 0 and s["objects"] > 0, s
    assert s["flute_sessions"] >= 1 and s["group"].startswith("239.255.94."), s
    assert s["loss_ratio"] is not None and 0 <= s["loss_ratio"] <= 1, s
one = [s for s in svc if s["service"].endswith(":one")][0]
assert (one["group"], one["port"], one["tsi"]) == ("239.255.94.11", 5001, 11), one
assert any(s["role"] == "announcement" and s["packets"] > 0 for s in d["sessions"]), d["sessions"]
c = d["cache"]
assert c["ready"] is True and c["objects"] > 0 and 0 < c["fill"] <= 1, c
assert c["hit_ratio"] is None or 0 <= c["hit_ratio"] <= 1, c
assert d["receiver"]["objects_completed"] >= one["objects"], d["receiver"]
EOF
}
wait_for 20 status_ok || { status_ok || true; fail "/status.json: $(cat "$NC_TMP/status.json")"; }

# --- The page in Chromium ---
shot="$NC_BUILD/status-page.png"
shot2="$NC_BUILD/status-page-playing.png"
rm -f "$shot" "$shot2"
st=0
timeout -k 5 100 node "$NC_PLAYER_DIR/status-page.js" --url "$NC_URL/" --services 2 \
	--play "Live One" --seconds 3 --shot "$shot" --shot-playing "$shot2" \
	>"$NC_TMP/page.json" 2>"$NC_TMP/page.err" || st=$?
j="$NC_TMP/page.json"
[ -s "$j" ] || fail "status-page.js printed nothing (rc $st): $(cat "$NC_TMP/page.err")"
note "screenshot: $shot"
[ -f "$shot2" ] && note "screenshot while playing: $shot2"
python3 - "$j" "$NC_PORT" <<'EOF' || fail "the page (rc $st): $(cat "$j") $(cat "$NC_TMP/page.err")"
import json, sys
r = json.load(open(sys.argv[1]))
port = sys.argv[2]
print("# page: %s; played %.1f s; hls.js %s from %s; %d requests to %s" % (
    ", ".join("%s (LCN %s)" % (s["name"], s["lcn"]) for s in r["services"]),
    r["played_s"], r["hls_version"], r["hls_js_from"], r["requests"], r["hosts"]))
assert r["note"] == "", r["note"]
assert r["page_errors"] == [], r["page_errors"]
by = {s["name"]: s for s in r["services"]}
assert set(by) == {"Live One", "VOD Two"}, r["services"]
assert by["Live One"]["lcn"] == 7 and by["VOD Two"]["lcn"] == 12, r["services"]
# Sorted by LCN, the live one first.
assert [s["name"] for s in r["services"]] == ["Live One", "VOD Two"], r["services"]
assert by["Live One"]["logo"] == "http://127.0.0.1:%s/test.nipcache.invalid/logos/one.png" % port, by
assert by["VOD Two"]["logo"] == "", by
assert r["hls_version"] == "1.7.4", r["hls_version"]
assert r["hls_js_from"] == "http://127.0.0.1:%s/ui/hls.min.js" % port, r["hls_js_from"]
assert r["played_s"] >= 3, r["played_s"]
assert r["hosts"] == ["127.0.0.1"], r["hosts"]
EOF
[ $st -eq 0 ] || fail "status-page.js failed (rc $st): $(cat "$j")"
kill -0 "$NC_DAEMON" || fail "nipcached died"
stop_daemon
