#!/bin/sh
# Interoperability through kernel sockets: the FLUTE captures written by
# GPAC's DVB-MABR sender and by 5G-MAG rt-libflute (interop.sh) are
# replayed onto loopback with tcpreplay.  Every object complete in a
# capture is served with its announced MD5 (the newest complete version of
# each name); every incomplete one is counted as incomplete and never
# served.  061-interop-input.sh reads the same captures as [input] pcap.
. "$NC_SYS/common.sh"
. "$NC_SYS/interop.sh"
command -v tcpreplay >/dev/null || skip "tcpreplay is not installed (make deps installs it)"

# The captures come from non-local sources (10.9.9.x): turn reverse-path
# filtering off in this private namespace, as on a satellite link.
sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.lo.rp_filter=0 net.ipv4.conf.default.rp_filter=0
ip route add 239.0.0.0/8 dev lo

# shellcheck disable=SC2086 # one config line per line of INTEROP_UDP
(IFS='
'; write_conf "$NC_TMP/c.conf" "[input]" $INTEROP_UDP \
	"[carousel]" "object_timeout = 1s" "session_timeout = 5s")
start_daemon "$NC_TMP/c.conf"

for cap in $INTEROP_CAPS; do
	tcpreplay -q -i lo --pps 2000 "$data/$cap.pcap" >"$NC_TMP/replay.log" 2>&1 \
		|| fail "tcpreplay $cap: $(cat "$NC_TMP/replay.log")"
	check_capture "$cap"
	[ "$cap" != gpac-mabr-hls ] || check_gpac_service
done
check_incomplete
stop_daemon
