#!/bin/sh
# nipcast -> nipcached over loopback multicast: every object served is
# byte-identical to its source, plain and gzip-encoded, nested folders too.
. "$NC_SYS/common.sh"

make_tree "$NC_TMP/src" 1
write_conf "$NC_TMP/c.conf" "[input]" "udp = 239.255.10.1:5000"
start_daemon "$NC_TMP/c.conf"

"$NIPCAST" -g 239.255.10.1:5000 -i 127.0.0.1 -r 200M -c 2 "$NC_TMP/src" \
	|| fail "nipcast exited with $?"
wait_for 30 all_served "$NC_TMP/src" "" || fail "not every object was served identical"
n=$(find "$NC_TMP/src" -type f | wc -l)
done_n=$(metric nipcache_objects_completed_total)
[ "$done_n" -ge "$n" ] || fail "objects_completed_total $done_n < $n"
[ "$(metric 'nipcache_objects_failed_total{reason="digest"}')" = 0 ] || fail "digest failures"

# The same files gzip-encoded on another TSI: served decoded and identical.
"$NIPCAST" -g 239.255.10.1:5000 -i 127.0.0.1 -t 2 -r 200M -c 2 --gzip \
	--url-base http://dvb.gw/gz/ "$NC_TMP/src" || fail "nipcast --gzip exited with $?"
wait_for 30 all_served "$NC_TMP/src" "/gz" || fail "gzip objects not served identical"

# Content types from the FDT or the extension.
ct=$(curl -fsS -o /dev/null -w '%{content_type}' "$NC_URL/index.m3u8")
[ "$ct" = "application/vnd.apple.mpegurl" ] || fail "m3u8 content type: $ct"
ct=$(curl -fsS -o /dev/null -w '%{content_type}' "$NC_URL/sub/seg1.ts")
[ "$ct" = "video/mp2t" ] || fail "ts content type: $ct"
note "objects completed: $(metric nipcache_objects_completed_total), duplicates: $(metric nipcache_duplicate_symbols_total)"
stop_daemon
