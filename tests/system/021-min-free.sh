#!/bin/sh
# [cache] min_free: on a small file system (a tmpfs in a private mount
# namespace) the daemon keeps the free space, also when something else
# fills the disk after the objects arrived.
if [ -z "${NC_MNTNS:-}" ]; then
	NC_MNTNS=1 exec unshare -m --propagation private sh "$0"
fi
. "$NC_SYS/common.sh"

mkdir -p "$NC_TMP/cache"
mount -t tmpfs -o size=16M tmpfs "$NC_TMP/cache" || skip "cannot mount a tmpfs here"
nc_test_cleanup() { umount -l "$NC_TMP/cache" 2>/dev/null; }
free_kb() { df -Pk "$NC_TMP/cache" | awk 'NR == 2 { print $4 }'; }

write_conf "$NC_TMP/c.conf" "[input]" "udp = 239.255.21.1:5000" "[cache]" "min_free = 6M"
start_daemon "$NC_TMP/c.conf"
i=1
while [ $i -le 12 ]; do
	send_object $i 1000000 239.255.21.1:5000
	i=$((i + 1))
done
[ "$(free_kb)" -ge 6144 ] || fail "free space $(free_kb) kB below min_free 6M after ingest"
ev=$(metric nipcache_evictions_total)
[ "$ev" -gt 0 ] || fail "no evictions on a 16M disk with 12 MB of objects and 6M min_free"

# Another program fills the disk: housekeeping evicts to make room again.
head -c 5000000 /dev/zero >"$NC_TMP/cache/filler.bin"
room() { [ "$(free_kb)" -ge 6144 ]; }
wait_for 30 room || fail "free space $(free_kb) kB not restored after the disk filled"
[ "$(metric nipcache_evictions_total)" -gt "$ev" ] || fail "no eviction after the disk filled"
served_equal /obj12.bin "$NC_TMP/o12/obj12.bin" || fail "the newest object was evicted first"
stop_daemon
