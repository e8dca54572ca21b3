#!/bin/sh
# Unicast repair with no root at all (issue 4): loss comes from nipcast's
# own seeded drop option (--loss 0.05 --seed 93), not from nftables, and the
# carousel is sent once (-c 1), so everything lost must come back over
# unicast: nginx on loopback serves the same folder as the repair base.
# Nothing here needs more than a network namespace of the test's own, which
# run.sh makes with a user namespace when it is not root.  Asserts:
#  - every object is served identical to its source (MD5), the damaged
#    ones included;
#  - repairs were made and only the missing bytes were fetched: repair
#    body bytes <= 1.2 x lost bytes, both > 0;
#  - nipcast really dropped packets (its own report).
. "$NC_SYS/common.sh"

GROUP=239.255.93.1:5000
NGINX_PORT=8193
M_LOST=nipcache_repair_lost_bytes_total
M_BODY=nipcache_repair_body_bytes_total

mkdir -p "$NC_TMP/www"
make_tree "$NC_TMP/www/f" 93
start_nginx "$NGINX_PORT" "$NC_TMP/www"
write_conf "$NC_TMP/c.conf" "[input]" "udp = $GROUP" \
	"[repair]" "base_url = http://127.0.0.1:$NGINX_PORT/" "reception_timeout = 1s" \
	"random_backoff = 200ms"
start_daemon "$NC_TMP/c.conf"

"$NIPCAST" -g "$GROUP" -i 127.0.0.1 -r 50M -c 1 -v --loss 0.05 --seed 93 \
	--url-base http://dvb.gw/f/ "$NC_TMP/www/f" >"$NC_TMP/nipcast.log" 2>&1 ||
	fail "nipcast failed: $(tail -n 3 "$NC_TMP/nipcast.log")"
dropped=$(sed -n 's/.* \([0-9]*\) dropped on purpose.*/\1/p' "$NC_TMP/nipcast.log" | tail -n 1)
[ "${dropped:-0}" -gt 0 ] || fail "nipcast dropped nothing: $(tail -n 2 "$NC_TMP/nipcast.log")"

wait_for 60 all_served "$NC_TMP/www/f" /f ||
	fail "objects still incomplete 60 s after one cycle at 5% loss"
lost=$(metric_sum "$M_LOST"); body=$(metric_sum "$M_BODY")
reqs=$(metric nipcache_repair_requests_total)
note "nipcast dropped $dropped packets; repair: $reqs requests, lost $lost bytes," \
	"fetched $body body bytes; running as uid $(awk "NR == 1 { print \$2 }" /proc/self/uid_map) outside its namespace"
[ "$lost" -gt 0 ] || fail "$M_LOST did not grow under 5% loss"
[ "$body" -gt 0 ] || fail "$M_BODY did not grow: nothing was repaired"
awk -v b="$body" -v l="$lost" 'BEGIN { exit !(b <= 1.2 * l) }' ||
	fail "repair fetched $body bytes for $lost lost (> 1.2x)"
[ "$(metric 'nipcache_objects_failed_total{reason="digest"}')" = 0 ] || fail "digest failures"
stop_daemon
