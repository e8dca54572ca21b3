#!/bin/sh
# Eviction under a small byte cap: the cap holds, the least recently used
# objects go first, and the current playlist stays pinned.
. "$NC_SYS/common.sh"

write_conf "$NC_TMP/c.conf" "[input]" "udp = 239.255.20.1:5000" "[cache]" "max_bytes = 2M"
start_daemon "$NC_TMP/c.conf"
mkdir -p "$NC_TMP/pl"
printf '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2,\ns1.m4s\n' >"$NC_TMP/pl/live.m3u8"
head -c 3000 /dev/urandom >"$NC_TMP/pl/init.mp4"
head -c 2000 /dev/urandom >"$NC_TMP/pl/s1.m4s"
"$NIPCAST" -g 239.255.20.1:5000 -i 127.0.0.1 -t 100 -r 200M -c 2 "$NC_TMP/pl" || fail "nipcast"
wait_for 20 all_served "$NC_TMP/pl" "" || fail "playlist not served"

i=1
while [ $i -le 12 ]; do
	send_object $i 400000 239.255.20.1:5000
	bytes=$(metric nipcache_cache_bytes)
	[ "$bytes" -le 2097152 ] || fail "cache_bytes $bytes above the 2M cap after obj$i"
	i=$((i + 1))
done
[ "$(metric nipcache_evictions_total)" -ge 6 ] || fail "too few evictions: $(metric nipcache_evictions_total)"
code=$(curl -s -o /dev/null -w '%{http_code}' "$NC_URL/obj1.bin")
[ "$code" = 404 ] || fail "oldest object still served ($code)"
served_equal /obj12.bin "$NC_TMP/o12/obj12.bin" || fail "newest object lost"
all_served "$NC_TMP/pl" "" || fail "pinned playlist or its init segment was evicted"
files=$(find "$NC_TMP/cache/objects" -type f | wc -l)
[ "$files" -eq "$(metric nipcache_cache_objects)" ] || fail "files on disk ($files) != cache_objects"
stop_daemon
