# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by 060-interop.sh and 061-interop-input.sh: the FLUTE captures
# written by GPAC's DVB-MABR sender and by 5G-MAG rt-libflute
# (../shared/data/interop) and the checks every way of receiving them must
# pass.  The daemon joins INTEROP_UDP (the captures' channels).
data="$NC_TOP/../shared/data/interop"
[ -r "$data/gpac-mabr-hls.pcap" ] || skip "$data is not there (a lone clone has no ../shared/data)"
INTEROP_CAPS="gpac-mabr-hls libflute-hls"
INTEROP_UDP="udp = 239.1.1.1:1234
udp = 239.1.1.1:1235
udp = 239.1.1.95:40085"

# Served path of a Content-Location (README: names).
path_of() {
	case "$1" in
	http://*|https://*) echo "/${1#*://*/}" ;;
	*:*) echo "/${1%%:*}/${1#*:}" ;;
	*) echo "/$1" ;;
	esac
}

# check_capture CAP: once CAP was received, the newest complete version of
# each name is served with its MD5; a name the reference list calls
# incomplete is not served unless its bytes carry the Content-MD5 its FDT
# announced (the reference reassembler reads one symbol per packet, and a
# sender may put the short last symbol in the same packet as the one before
# it: GPAC does).
check_capture() {
	cap=$1; exp="$data/$cap.expected.txt"
	awk '{ loc = $5; if ($1 == "complete") { if (!(loc in t) || $4 + 0 > t[loc]) { t[loc] = $4 + 0; m[loc] = $2 } } else seen[loc] = 1 }
	     END { for (l in m) print "ok", m[l], l; for (l in seen) if (!(l in m)) print "never", "-", l }' "$exp" >"$NC_TMP/want"
	while read -r kind sum loc; do
		p=$(path_of "$loc")
		if [ "$kind" = ok ]; then
			got_ok() { [ "$(curl -fsS "$NC_URL$p" | md5sum | cut -d' ' -f1)" = "$1" ]; }
			wait_for 20 got_ok "$sum" || fail "$cap: $loc ($p) not served with MD5 $sum"
		fi
	done <"$NC_TMP/want"
	python3 "$NC_SYS/fdt_announced.py" "$NC_TOP/../shared/tools" "$data/$cap.pcap" >"$NC_TMP/announced"
	while read -r kind sum loc; do
		[ "$kind" = never ] || continue
		code=$(curl -s -o "$NC_TMP/got" -w '%{http_code}' "$NC_URL$(path_of "$loc")")
		[ "$code" = 404 ] && continue
		[ "$code" = 200 ] || fail "$cap: incomplete $loc answered $code"
		got=$(md5 "$NC_TMP/got")
		grep -q "^$got [0-9]* $loc\$" "$NC_TMP/announced" \
			|| fail "$cap: $loc served although incomplete (MD5 $got is not the one announced)"
		note "$cap: $loc is listed incomplete, but every symbol is in the capture (a two-symbol packet): served with its announced MD5 $got"
		echo "$loc" >>"$NC_TMP/really_complete"
	done <"$NC_TMP/want"
	note "$cap: $(grep -c '^ok' "$NC_TMP/want") names served exact, $(grep -c '^never' "$NC_TMP/want") never complete"
}

# check_gpac_service: GPAC's in-band gateway configuration (2023
# namespace) is parsed: its MulticastSession is a service whose manifest
# plays from the box.
check_gpac_service() {
	gpac_service() {
		curl -fsS "$NC_URL/services.json" | grep -q "\"id\":\"gpac.io:dvb-mabr:service:0\".*\"play_url\":\"$NC_URL/tag/mabr.gpac.io.2025.services.4294967295/live.m3u8\""
	}
	wait_for 10 gpac_service || fail "GPAC's service not listed: $(curl -sS "$NC_URL/services.json")"
	note "gpac-mabr-hls: the gateway configuration lists gpac.io:dvb-mabr:service:0, playable from the box"
}

# check_incomplete: once every capture was received, incomplete objects are
# counted when their timeout passes, and no digest failed.
check_incomplete() {
	touch "$NC_TMP/really_complete"
	want=$(cat "$data"/*.expected.txt | grep '^incomplete' | grep -cvFf "$NC_TMP/really_complete" || true)
	inc_ok() { [ "$(metric 'nipcache_objects_failed_total{reason="incomplete"}')" -ge "$want" ]; }
	wait_for 30 inc_ok || fail "incomplete objects counted $(metric 'nipcache_objects_failed_total{reason="incomplete"}'), want >= $want"
	[ "$(metric 'nipcache_objects_failed_total{reason="digest"}')" = 0 ] || fail "digest failures on interop captures"
	note "incomplete counted: $(metric 'nipcache_objects_failed_total{reason="incomplete"}') (captures hold $want)"
}
