#!/bin/sh
# 5% seeded sender-side loss: symbols merge across carousel cycles until
# every object is complete and exact; nothing damaged is ever served.
. "$NC_SYS/common.sh"

make_tree "$NC_TMP/src" 2
write_conf "$NC_TMP/c.conf" "[input]" "udp = 239.255.11.1:5000"
start_daemon "$NC_TMP/c.conf"

"$NIPCAST" -g 239.255.11.1:5000 -i 127.0.0.1 -r 100M -c 0 --loss 0.05 --seed 42 \
	"$NC_TMP/src" >"$NC_TMP/nipcast.log" 2>&1 &
NC_PIDS="$NC_PIDS $!"
wait_for 120 all_served "$NC_TMP/src" "" || fail "objects incomplete after 120 s at 5% loss"
dups=$(metric nipcache_duplicate_symbols_total)
[ "$dups" -gt 0 ] || fail "no duplicate symbols counted: cycles were not merged"
[ "$(metric 'nipcache_objects_failed_total{reason="digest"}')" = 0 ] || fail "digest failures"
note "completed $(metric nipcache_objects_completed_total), duplicate symbols $dups"
stop_daemon
