#!/bin/sh
# What players and browsers need from the local origin, checked with curl:
# Range, HEAD, 304, CORS preflight, MIME, path traversal, absolute form.
. "$NC_SYS/common.sh"

mkdir -p "$NC_TMP/src/live"
head -c 3000000 /dev/urandom >"$NC_TMP/src/live/seg1.ts"
printf '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg1.ts\n' >"$NC_TMP/src/live/index.m3u8"
write_conf "$NC_TMP/c.conf" "[input]" "udp = 239.255.40.1:5000"
start_daemon "$NC_TMP/c.conf"
"$NIPCAST" -g 239.255.40.1:5000 -i 127.0.0.1 -r 200M -c 2 "$NC_TMP/src" || fail "nipcast"
wait_for 30 all_served "$NC_TMP/src" "" || fail "objects not served"
seg="$NC_URL/live/seg1.ts"

# Range: 206 with the right bytes and Content-Range; suffix and open ranges.
h=$(curl -fsS -D - -o "$NC_TMP/part" -H 'Range: bytes=100-1099' "$seg")
echo "$h" | grep -q '^HTTP/1.1 206' || fail "Range not answered 206"
echo "$h" | grep -qi '^Content-Range: bytes 100-1099/3000000' || fail "Content-Range"
dd if="$NC_TMP/src/live/seg1.ts" bs=1 skip=100 count=1000 2>/dev/null | cmp -s - "$NC_TMP/part" || fail "range bytes"
curl -fsS -o "$NC_TMP/part" -H 'Range: bytes=-500' "$seg"
tail -c 500 "$NC_TMP/src/live/seg1.ts" | cmp -s - "$NC_TMP/part" || fail "suffix range"
curl -fsS -o "$NC_TMP/part" -H 'Range: bytes=2999000-' "$seg"
tail -c 1000 "$NC_TMP/src/live/seg1.ts" | cmp -s - "$NC_TMP/part" || fail "open range"
h=$(curl -sS -D - -o /dev/null -H 'Range: bytes=5000000-' "$seg")
echo "$h" | grep -q '^HTTP/1.1 416' || fail "unsatisfiable range not 416"
echo "$h" | grep -qi '^Content-Range: bytes \*/3000000' || fail "416 Content-Range"

# HEAD: headers and length, no body.
h=$(curl -fsS -I "$seg")
echo "$h" | grep -qi '^Content-Length: 3000000' || fail "HEAD Content-Length"
echo "$h" | grep -qi '^Accept-Ranges: bytes' || fail "Accept-Ranges"
echo "$h" | grep -qi '^Content-Type: video/mp2t' || fail "ts MIME"

# ETag -> 304; Last-Modified -> 304.
etag=$(curl -fsS -I "$seg" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
[ -n "$etag" ] || fail "no ETag"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$seg")
[ "$code" = 304 ] || fail "If-None-Match gave $code"
lm=$(curl -fsS -I "$seg" | tr -d '\r' | awk -F': ' 'tolower($1)=="last-modified"{print $2}')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $lm" "$seg")
[ "$code" = 304 ] || fail "If-Modified-Since gave $code"

# Playlist: MIME, short Cache-Control; CORS on every answer.
h=$(curl -fsS -D - -o /dev/null -H 'Origin: http://example.org' "$NC_URL/live/index.m3u8")
echo "$h" | grep -qi '^Content-Type: application/vnd.apple.mpegurl' || fail "m3u8 MIME"
echo "$h" | grep -qi '^Access-Control-Allow-Origin: \*' || fail "CORS header"
echo "$h" | grep -qi '^Cache-Control: .*max-age' || fail "Cache-Control"
# The service list and /health too; the diagnostics not, so that a web page
# a LAN browser opens cannot read them through it.
for p in /services.json /health; do
	curl -fsS -D - -o /dev/null -H 'Origin: http://example.org' "$NC_URL$p" |
		grep -qi '^Access-Control-Allow-Origin: \*' || fail "no CORS on $p"
done
for p in /metrics /status.json /; do
	! curl -fsS -D - -o /dev/null -H 'Origin: http://example.org' "$NC_URL$p" |
		grep -qi '^Access-Control-Allow-Origin' || fail "CORS on $p"
done

# CORS preflight.
h=$(curl -sS -D - -o /dev/null -X OPTIONS -H 'Origin: http://example.org' \
	-H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: range' "$seg")
echo "$h" | grep -q '^HTTP/1.1 204' || fail "preflight not 204"
echo "$h" | grep -qi '^Access-Control-Allow-Headers:.*Range' || fail "preflight Range"
echo "$h" | grep -qi '^Access-Control-Allow-Methods:.*GET' || fail "preflight methods"

# Hostile paths: 400, never a file outside the cache.
for p in '/../../etc/passwd' '/live/../../etc/passwd' '/%2e%2e/%2e%2e/etc/passwd' \
	'/live%2fseg1.ts' '/live/seg1.ts%00.m3u8' "/$(head -c 3000 /dev/zero | tr '\0' a)"; do
	code=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$NC_URL$p")
	[ "$code" = 400 ] || fail "hostile path $p answered $code"
done
code=$(curl -s -o /dev/null -w '%{http_code}' "$NC_URL/no/such/object.ts")
[ "$code" = 404 ] || fail "unknown object answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$seg")
[ "$code" = 405 ] || fail "POST answered $code"

# Absolute form for host dvb.gw: served; any other host: refused.
code=$(curl -s -o "$NC_TMP/got" -w '%{http_code}' --request-target 'http://dvb.gw/live/seg1.ts' "$NC_URL/")
[ "$code" = 200 ] && cmp -s "$NC_TMP/got" "$NC_TMP/src/live/seg1.ts" || fail "absolute form for dvb.gw: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --request-target 'http://example.com/live/seg1.ts' "$NC_URL/")
[ "$code" = 400 ] || fail "absolute form for another host answered $code"
[ "$(metric 'nipcache_http_requests_total{code="400"}')" -ge 7 ] || fail "400s not counted"
stop_daemon
