#!/bin/sh
# The whole DVB-NIP discovery chain, with nothing configured but the
# interface: nipcast --nip sends the bootstrap, gateway configuration, NIF,
# SIF, SLEP and a DVB-I service list on 224.0.23.14:3937 TSI 0 (and the
# gateway session), and two HLS services on groups of their own.  nipcached
# must find both services, serve /dvbi/servicelist.xml (valid against the
# DVB-I XSD of its version) and /services.json, and ffmpeg must play each
# service from the local URL the rewritten list gives.  Then a third service
# is added at the sender (a new service list version): it must appear and
# play without a restart of nipcached.
. "$NC_SYS/common.sh"
command -v ffmpeg >/dev/null || skip "ffmpeg is not installed (make deps installs it)"
command -v xmllint >/dev/null || skip "xmllint is not installed (make deps installs it)"
XSD_DIR="$NC_TOP/../shared/data/dvb-i/schemas"

# Service one: a live packager.  Service two (and three): a short VOD.
mkdir -p "$NC_TMP/one" "$NC_TMP/two"
"$NC_TOP/tools/hls-source.sh" "$NC_TMP/one" >"$NC_TMP/source.log" 2>&1 &
NC_PIDS="$NC_PIDS $!"
ffmpeg -hide_banner -loglevel error -nostdin -f lavfi -i "testsrc2=size=320x180:rate=25" \
	-f lavfi -i "sine=frequency=500:sample_rate=48000" -t 6 \
	-c:v libx264 -preset ultrafast -g 50 -pix_fmt yuv420p -c:a aac -b:a 64k \
	-f hls -hls_time 2 -hls_playlist_type vod \
	-hls_segment_filename "$NC_TMP/two/v%03d.ts" "$NC_TMP/two/vod.m3u8" ||
	fail "cannot make the VOD service"
wait_for 60 test -s "$NC_TMP/one/live.m3u8" || fail "the live source did not start"

desc() {
	cat <<EOF
[network]
provider = nipcache test & co
domain = test.nipcache.invalid
list_id = tag:nipcache.invalid,2026:test
list_name = nipcache <test> list
gateway = 239.255.70.1:5000/1
[service one]
id = tag:nipcache.invalid,2026:one
title = Live One
lcn = 1
genre = urn:tva:metadata:cs:ContentCS:2011:3.1.1
hls = $NC_TMP/one
playlist = live.m3u8
session = 239.255.70.11:5001/11
bitrate = 2M
[service two]
id = tag:nipcache.invalid,2026:two
title = VOD "Two"
lcn = 2
hls = $NC_TMP/two
playlist = vod.m3u8
mode = static
session = 239.255.70.12:5002/12
EOF
	if [ "${1:-}" = 3 ]; then
		cat <<EOF
[service three]
id = tag:nipcache.invalid,2026:three
title = Three
lcn = 3
hls = $NC_TMP/two
playlist = vod.m3u8
mode = static
session = 239.255.70.13:5003/13
EOF
	fi
}
desc >"$NC_TMP/desc.ini"

# Nothing but the interface (and where to cache and listen).
write_conf "$NC_TMP/c.conf"
start_daemon "$NC_TMP/c.conf"
"$NIPCAST" --nip "$NC_TMP/desc.ini" -i 127.0.0.1 -r 5M >"$NC_TMP/nipcast.log" 2>&1 &
NC_SENDER=$!
NC_PIDS="$NC_PIDS $NC_SENDER"

nservices() { curl -fsS "$NC_URL/services.json" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["services"]))'; }
has_services() { [ "$(nservices)" -ge "$1" ]; }
wait_for 60 has_services 2 || fail "services.json never listed 2 services: $(curl -sS "$NC_URL/services.json")"
# The gateway configuration (its own session) gives the services' sessions.
all_receiving() {
	curl -fsS "$NC_URL/services.json" | python3 -c '
import json, sys
d = json.load(sys.stdin)["services"]
sys.exit(0 if len(d) >= int(sys.argv[1]) and all(s["live"]["receiving"] and s["live"]["bitrate"] > 0 for s in d) else 1)' "$1"
}
wait_for 60 all_receiving 2 || fail "the services are not received: $(curl -sS "$NC_URL/services.json")"

# The signalling as received is there for diagnosis.
for d in bootstrap gateway nif sif slep; do
	curl -fsS -o "$NC_TMP/$d.xml" "$NC_URL/nip/$d.xml" || fail "/nip/$d.xml not served"
	xmllint --noout --nonet "$NC_TMP/$d.xml" || fail "/nip/$d.xml is not XML"
done
grep -q 'MulticastSession ' "$NC_TMP/gateway.xml" || fail "gateway configuration has no MulticastSession"

# The rewritten list: valid, local locators first, originals kept.
get_list() {
	curl -fsS -o "$NC_TMP/list.xml" "$NC_URL/dvbi/servicelist.xml" || fail "/dvbi/servicelist.xml not served"
	if [ -d "$XSD_DIR" ]; then
		xmllint --noout --nonet --schema "$XSD_DIR/dvbi_v6.0.xsd" "$NC_TMP/list.xml" \
			>"$NC_TMP/xsd.log" 2>&1 || fail "rewritten list does not validate: $(tail -n 5 "$NC_TMP/xsd.log")"
	else
		note "SKIP XSD check: $XSD_DIR not present"
	fi
}
local_urls() {
	xmllint --xpath "//*[local-name()='IdentifierBasedDeliveryParameters']/text()" "$NC_TMP/list.xml" |
		tr ' ' '\n' | grep "^$NC_URL/" || true
}
get_list
[ "$(local_urls | wc -l)" -eq 2 ] || fail "expected 2 local locators, got: $(local_urls)"
grep -q 'http://dvb.gw/test.nipcache.invalid/one/live.m3u8' "$NC_TMP/list.xml" ||
	fail "the broadcast locator is not kept as a fallback"
v1=$(xmllint --xpath "string(/*[local-name()='ServiceList']/@version)" "$NC_TMP/list.xml")

# /dvbi/ is a SLEP naming each rewritten list at its own path on the box.
curl -fsS -o "$NC_TMP/slep-out.xml" "$NC_URL/dvbi/" || fail "/dvbi/ not served"
if [ -d "$XSD_DIR" ]; then
	xmllint --noout --nonet --schema "$XSD_DIR/dvbi_service_list_discovery_v1.6.xsd" "$NC_TMP/slep-out.xml" \
		>"$NC_TMP/xsd.log" 2>&1 || fail "/dvbi/ does not validate: $(tail -n 5 "$NC_TMP/xsd.log")"
fi
lu=$(xmllint --xpath "//*[local-name()='ServiceListURI']/*[local-name()='URI']/text()" "$NC_TMP/slep-out.xml")
[ "$lu" = "$NC_URL/dvbi/test.nipcache.invalid/dvbi/service_list.xml" ] || fail "/dvbi/ names $lu"
curl -fsS "$lu" | cmp -s - "$NC_TMP/list.xml" || fail "$lu differs from /dvbi/servicelist.xml"

# services.json: the keys a player UI needs, with absolute local play URLs.
curl -fsS "$NC_URL/services.json" >"$NC_TMP/services.json"
python3 - "$NC_TMP/services.json" "$NC_URL" <<'EOF' || fail "services.json content"
import json, sys
d = json.load(open(sys.argv[1]))["services"]
base = sys.argv[2]
by = {s["id"]: s for s in d}
one = by["tag:nipcache.invalid,2026:one"]; two = by["tag:nipcache.invalid,2026:two"]
for s in d:
    for k in ("id", "name", "provider", "lcn", "genre", "logo_url", "play_url", "source_url", "live"):
        assert k in s, (k, s)
    for k in ("receiving", "bitrate", "last_object_time"):
        assert k in s["live"], (k, s)
assert one["name"] == "Live One" and two["name"] == 'VOD "Two"', d
assert one["lcn"] == 1 and two["lcn"] == 2, d
assert one["provider"] == "nipcache test & co", one
assert one["genre"] == "urn:tva:metadata:cs:ContentCS:2011:3.1.1", one
assert one["play_url"] == base + "/test.nipcache.invalid/one/live.m3u8", one
assert one["source_url"] == "http://dvb.gw/test.nipcache.invalid/one/live.m3u8", one
assert one["live"]["receiving"] is True and one["live"]["bitrate"] > 0, one
EOF

# Absolute URLs follow the request's Host; the box answers for dvb.gw too
# (as the players' proxy: Host header or absolute-form request target).
curl -fsS -H 'Host: box.example:8080' "$NC_URL/services.json" |
	grep -q '"play_url":"http://box.example:8080/test.nipcache.invalid/one/live.m3u8"' ||
	fail "play_url does not follow the Host header"
# (The VOD's playlist may still be on its way: 503 while joining.)
wait_for 30 curl -fsS -H 'Host: dvb.gw' -o /dev/null "$NC_URL/test.nipcache.invalid/two/vod.m3u8" ||
	fail "Host: dvb.gw not served"
curl -fsS -x "$NC_URL" -o /dev/null "http://dvb.gw/test.nipcache.invalid/two/vod.m3u8" ||
	fail "the box does not answer as a proxy for dvb.gw"

# ffmpeg plays every service from the local URL in the rewritten list.
play() {
	timeout 60 ffmpeg -hide_banner -nostdin -loglevel warning -i "$1" -t "$2" -f null - \
		>"$NC_TMP/player.log" 2>&1 || fail "ffmpeg could not play $1: $(tail -n 5 "$NC_TMP/player.log")"
	if grep -Eiq 'Failed to open segment|error|Invalid data' "$NC_TMP/player.log"; then
		fail "player errors on $1: $(head -n 5 "$NC_TMP/player.log")" \
		    "(kernel drops $(metric nipcache_kernel_drops_total)," \
		    "incomplete $(metric 'nipcache_objects_failed_total{reason="incomplete"}'))"
	fi
}
# Segments sent before the service was joined are not in the cache (no
# repair yet): wait until every segment the playlist lists is served.
complete() {
	curl -fsS -o "$NC_TMP/pl.m3u8" "$1" || return 1
	for s in $(grep -v '^#' "$NC_TMP/pl.m3u8"); do
		curl -fsS -o /dev/null "${1%/*}/$s" || return 1
	done
}
for u in $(local_urls); do
	wait_for 60 complete "$u" || fail "$u not served with all its segments"
	play "$u" 5
	note "played $u"
done

# A third service at the sender: new list version, no restart here.
desc 3 >"$NC_TMP/desc.ini.new" && mv "$NC_TMP/desc.ini.new" "$NC_TMP/desc.ini"
kill -HUP "$NC_SENDER"
wait_for 60 has_services 3 || fail "the third service never appeared"
wait_for 60 all_receiving 3 || fail "the third service is not received: $(curl -sS "$NC_URL/services.json")"
get_list
v2=$(xmllint --xpath "string(/*[local-name()='ServiceList']/@version)" "$NC_TMP/list.xml")
[ "$v2" -gt "$v1" ] || fail "list version did not go up ($v1 -> $v2)"
u3=$(local_urls | grep /three/) || fail "no local locator for the third service"
wait_for 60 complete "$u3" || fail "$u3 not served with all its segments"
play "$u3" 4
note "third service $u3 played; list version $v1 -> $v2"
kill -0 "$NC_DAEMON" || fail "nipcached died"
stop_daemon
