#!/bin/sh
# Source-specific joins, TSI filtering, several TSIs on one group:port, and
# an IPv6 carousel, between two ends of a veth pair in this namespace.
. "$NC_SYS/common.sh"

# A second host: a child network namespace holding the sender's end.
unshare -n sleep 600 &
HOST2=$!; NC_PIDS="$NC_PIDS $HOST2"
ip link add nca type veth peer name ncb || skip "cannot create a veth pair here"
ip link set nca netns "$HOST2"
on2() { nsenter -t "$HOST2" -n "$@"; }
on2 ip link set lo up
on2 ip addr add 10.77.0.1/24 dev nca
on2 ip addr add 10.77.0.3/24 dev nca
on2 ip -6 addr add fd00:77::1/64 dev nca nodad
on2 ip link set nca up
ip addr add 10.77.0.2/24 dev ncb
ip -6 addr add fd00:77::2/64 dev ncb nodad
ip link set ncb up
on2 ip route add 239.0.0.0/8 dev nca
on2 ip -6 route add ff15::/16 dev nca table local 2>/dev/null || on2 ip -6 route add ff15::/16 dev nca
NIPCAST="on2 $NIPCAST"

mkdir -p "$NC_TMP/a" "$NC_TMP/b" "$NC_TMP/c" "$NC_TMP/v6"
head -c 50000 /dev/urandom >"$NC_TMP/a/a.bin"
head -c 50000 /dev/urandom >"$NC_TMP/b/b.bin"
head -c 50000 /dev/urandom >"$NC_TMP/c/c.bin"
head -c 700000 /dev/urandom >"$NC_TMP/v6/six.bin"

# TSI 1 from 10.77.0.1 only (SSM); TSI 2 from any source; IPv6 group.
write_conf "$NC_TMP/c.conf" "[input]" "interface = ncb" \
	"udp = 239.255.12.1:5000/1@10.77.0.1" "udp = 239.255.12.1:5000/2" "udp = [ff15::12]:5000"
start_daemon "$NC_TMP/c.conf"
# ncb has IPv6, so the NIP announcement is joined on ff02::12d as well as
# 224.0.23.14: three udp lines and two announcement channels.
five() { [ "$(metric nipcache_nip_channels)" -eq 5 ]; }
wait_for 10 five || fail "expected 5 channels (3 udp + 2 announcement), got $(metric nipcache_nip_channels)"

$NIPCAST -g 239.255.12.1:5000 -i 10.77.0.1 -t 1 -r 100M -c 2 --url-base http://dvb.gw/a/ "$NC_TMP/a" || fail "nipcast a"
$NIPCAST -g 239.255.12.1:5000 -i 10.77.0.1 -t 2 -r 100M -c 2 --url-base http://dvb.gw/b/ "$NC_TMP/b" || fail "nipcast b"
# TSI 3 is not configured: filtered, never served.
$NIPCAST -g 239.255.12.1:5000 -i 10.77.0.1 -t 3 -r 100M -c 2 --url-base http://dvb.gw/c/ "$NC_TMP/c" || fail "nipcast c"
wait_for 20 all_served "$NC_TMP/a" /a || fail "SSM channel not received"
wait_for 20 all_served "$NC_TMP/b" /b || fail "second TSI on the same group:port not received"
code=$(curl -s -o /dev/null -w '%{http_code}' "$NC_URL/c/c.bin")
[ "$code" = 404 ] || fail "unconfigured TSI 3 was served ($code)"
filtered() { [ "$(metric nipcache_packets_filtered_total)" -gt 0 ]; }
wait_for 10 filtered || fail "TSI 3 packets not counted as filtered"

# TSI 1 from another source address of the same host: the source-specific
# join must keep it out.
mkdir -p "$NC_TMP/x"; head -c 20000 /dev/urandom >"$NC_TMP/x/x.bin"
$NIPCAST -g 239.255.12.1:5000 -i 10.77.0.3 -t 1 -r 100M -c 2 --url-base http://dvb.gw/x/ "$NC_TMP/x" || fail "nipcast x"
$NIPCAST -g 239.255.12.1:5000 -i 10.77.0.1 -t 2 -r 100M -c 1 --url-base http://dvb.gw/b2/ "$NC_TMP/b" || fail "fence"
wait_for 20 all_served "$NC_TMP/b" /b2 || fail "fence not received"
code=$(curl -s -o /dev/null -w '%{http_code}' "$NC_URL/x/x.bin")
[ "$code" = 404 ] || fail "a packet from a non-signalled source was served ($code)"

# IPv6.
$NIPCAST -g '[ff15::12]:5000' -i fd00:77::1 -r 100M -c 2 --url-base http://dvb.gw/v6/ "$NC_TMP/v6" || fail "nipcast v6"
wait_for 20 all_served "$NC_TMP/v6" /v6 || fail "IPv6 carousel not received"
stop_daemon
