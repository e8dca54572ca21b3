#!/bin/sh
# Interoperability below the sockets (issue 5): the same GPAC and
# rt-libflute captures as 060 (interop.sh), read by the daemon itself as
# [input] pcap, both at once, with no kernel socket (sockets = no) and no
# tcpreplay.  The same checks hold: every complete object served with its
# announced MD5, the incomplete ones counted and never served.  The
# datagrams each capture yielded are counted per input in /metrics.
. "$NC_SYS/common.sh"
. "$NC_SYS/interop.sh"

set -- "[input]" "sockets = no"
for cap in $INTEROP_CAPS; do set -- "$@" "pcap = $data/$cap.pcap"; done
# shellcheck disable=SC2086 # one config line per line of INTEROP_UDP
(IFS='
'; write_conf "$NC_TMP/c.conf" "$@" $INTEROP_UDP \
	"[carousel]" "object_timeout = 1s" "session_timeout = 5s")
start_daemon "$NC_TMP/c.conf"

for cap in $INTEROP_CAPS; do
	check_capture "$cap"
	[ "$cap" != gpac-mabr-hls ] || check_gpac_service
done
check_incomplete
curl -fsS "$NC_URL/metrics" | grep '^nipcache_input_datagrams_total' >"$NC_TMP/in" ||
	fail "no nipcache_input_datagrams_total in /metrics"
for cap in $INTEROP_CAPS; do
	n=$(grep "$cap.pcap" "$NC_TMP/in" | awk '{ print $NF }')
	[ "${n:-0}" -gt 0 ] || fail "$cap.pcap: no datagrams counted: $(cat "$NC_TMP/in")"
	note "$cap.pcap: $n datagrams read as [input] pcap"
done
stop_daemon
