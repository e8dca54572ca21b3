#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash consistency (issue 8).
# 1. Two live carousels (plain and gzip, nipcast --objects) whose files a
#    writer keeps touching, and now and then replaces with new content, so
#    every cycle sends every object again as a new version: about twice the
#    [cache] max_bytes a cycle, ingest and eviction never stop.  nipcached
#    is killed with SIGKILL CRASH_KILLS (100) times, each a seeded random
#    0-400 ms (CRASH_SEED, printed) after the restarted daemon received its
#    first packet, except every fifth: strace delivers that SIGKILL at the
#    Nth pwrite64, fdatasync, renameat or unlinkat (the publish path's
#    narrow windows), and every tenth restart is killed as well, during
#    its recovery.  After each kill the senders are stopped (SIGSTOP) and
#    cache_check.py, a reader of its own of the on-disk layout, checks:
#    - no object file fails its self-check or holds a body that is not a
#      version the sender sent, before and after the restart; on disk at
#      the kill, at most one object over the cap (the one being published);
#    - tmp/ is empty once /health says ready, and the start-up log line
#      counts exactly the leftovers the kill left;
#    - the rebuilt index is the files on disk: one file per path,
#      cache_objects and cache_bytes (and the start-up line) equal the files
#      and their sizes, which are the files before the restart less older
#      versions and start-up evictions;
#    - the byte cap holds on disk (file sizes, header pages included);
#    - every path is served 200 with the bytes of a version that was sent,
#      or 404, and the 200s are exactly the indexed objects.
# 2. Where a tmpfs can be mounted in a private mount namespace: the cache
#    file system fills up (ENOSPC) while ingesting: the daemon keeps running
#    and ready, counts it (nipcache_disk_full_total) and logs it, serves and
#    keeps nothing partial; when the space returns every object arrives
#    exact, and a clean stop leaves tmp/ empty.
if [ -z "${NC_MNTNS:-}" ]; then
	if unshare -m --propagation private true 2>/dev/null; then
		NC_MNTNS=1 exec unshare -m --propagation private sh "$0"
	fi
	NC_MNTNS=0
fi
. "$NC_SYS/common.sh"

command -v strace >/dev/null || fail "strace is not installed (make deps installs it)"
KILLS=${CRASH_KILLS:-100}
SEED=${CRASH_SEED:-$(date +%s)}
GROUP=239.255.130.1:5000
CAP=3145728
note "seed $SEED: CRASH_SEED=$SEED CRASH_KILLS=$KILLS repeats these kill delays"

# cc ARGS...: the independent reader of the cache (and the kill loop).
cc() { python3 "$NC_SYS/cache_check.py" "$@"; }

# kv PREFIX CMD...: run CMD, which prints KEY=VALUE words; set PREFIXKEY.
kv() {
	kvp=$1; shift
	kvo=$("$@") || fail "$* failed"
	for kvw in $kvo; do eval "$kvp$kvw"; done
}

# sizes N MIN MAX: N seeded random sizes in MIN..MAX, one a line.
sizes() {
	awk -v s="$SEED$1$2" -v n="$1" -v lo="$2" -v hi="$3" \
		'BEGIN { srand(s); for (i = 0; i < n; i++) print lo + int(rand() * (hi - lo + 1)) }'
}

# add FILE SIZE: random content, its MD5 in the map first (the map holds
# every version ever sent, so a served object can be checked against all
# of them), then renamed into place, as nipcast --objects wants.
add() {
	head -c "$2" /dev/urandom >"$1.new"
	echo "$(md5 "$1.new") /${1#"$NC_TMP"/*/}" >>"$NC_TMP/map"
	mv "$1.new" "$1"
}

# objlist DIR: "PATH LOCATION" for every file under DIR.
objlist() {
	(cd "$1" && find . -type f ! -name list ! -name '*.new' | sed 's|^\./||' | sort) |
		while read -r rel; do echo "$rel http://dvb.gw/$rel"; done >"$1/list"
}

# ---- 1. SIGKILL during ingest and eviction --------------------------------

mkdir -p "$NC_TMP/src/a" "$NC_TMP/src/seg" "$NC_TMP/gz/z"
: >"$NC_TMP/map"
for sz in 0 1 1427 1428 1429 4095 4096 4097; do add "$NC_TMP/src/a/edge$sz.bin" "$sz"; done
k=0
for sz in $(sizes 10 50000 700000); do k=$((k + 1)); add "$NC_TMP/src/seg/s$k.bin" "$sz"; done
k=0
for sz in $(sizes 4 100000 400000); do k=$((k + 1)); add "$NC_TMP/gz/z/z$k.bin" "$sz"; done
# A VOD playlist (served as it came, not rewritten) pins what it lists.
printf '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg/s1.bin\n#EXTINF:2,\nseg/s2.bin\n#EXT-X-ENDLIST\n' \
	>"$NC_TMP/src/index.m3u8"
echo "$(md5 "$NC_TMP/src/index.m3u8") /index.m3u8" >>"$NC_TMP/map"
objlist "$NC_TMP/src"
objlist "$NC_TMP/gz"
nobj=$(wc -l <"$NC_TMP/map")
total=$(find "$NC_TMP/src" "$NC_TMP/gz" -type f ! -name list -exec cat {} + | wc -c)

# The writer: every 250 ms a new mtime for every file (each goes out again
# under a new TOI) and new content, of a new size, for one of them.
writer() {
	base=$(date +%s); r=0; end=$((base + 900))
	while [ ! -e "$NC_TMP/writer.stop" ] && [ "$(date +%s)" -lt "$end" ]; do
		r=$((r + 1))
		case $((r % 3)) in
		0) add "$NC_TMP/gz/z/z$((r % 4 + 1)).bin" $((100000 + r * 7919 % 300000)) ;;
		*) add "$NC_TMP/src/seg/s$((r % 10 + 1)).bin" $((50000 + r * 7919 % 650000)) ;;
		esac
		find "$NC_TMP/src" "$NC_TMP/gz" -name '*.bin' -exec touch -d "@$((base + r))" {} +
		sleep 0.25
	done
}
writer &
NC_PIDS="$NC_PIDS $!"
stop_writer() { touch "$NC_TMP/writer.stop"; }

write_conf "$NC_TMP/c.conf" "[input]" "udp = $GROUP" "[cache]" "max_bytes = $CAP" \
	"[nip]" "announcement = off" "[http]" "hold_timeout = 0"
"$NIPCAST" -g "$GROUP" -i 127.0.0.1 -t 1 -r 100M -c 0 --fdt-interval 100 \
	--objects "$NC_TMP/src/list" >"$NC_TMP/tx1.log" 2>&1 &
S1=$!
"$NIPCAST" -g "$GROUP" -i 127.0.0.1 -t 2 -r 30M -c 0 --fdt-interval 100 --gzip \
	--objects "$NC_TMP/gz/list" >"$NC_TMP/tx2.log" 2>&1 &
S2=$!
NC_PIDS="$NC_PIDS $S1 $S2"
note "$nobj objects, $total bytes a cycle, max_bytes $CAP"

# The loop starts and kills nipcached itself (and kills it if it fails).
python3 "$NC_SYS/cache_check.py" kill --nipcached "$NIPCACHED" \
	--config "$NC_TMP/c.conf" --log "$NC_TMP/daemon.log" --cache "$NC_TMP/cache" \
	--url "$NC_URL" --map "$NC_TMP/map" --cap $CAP --senders "$S1,$S2" \
	--kills "$KILLS" --seed "$SEED" --max-delay 0.4 >"$NC_TMP/kill.out" &
LOOP=$!
NC_PIDS="$NC_PIDS $LOOP"
st=0; wait $LOOP || st=$?
grep '^# ' "$NC_TMP/kill.out" || true
[ $st -eq 0 ] || fail "the kill loop failed (above)"
kv f_ tail -n 1 "$NC_TMP/kill.out"
stop_writer
kill -TERM $S1 $S2
wait $S1 $S2 2>/dev/null || true
[ "$f_kills" -eq "$KILLS" ] || fail "$f_kills kills, not $KILLS"
# The kills hit ingest (staged files in tmp/) and eviction, and strace's
# mostly reached their system call.
[ "$f_tmp_kills" -ge $((KILLS / 4)) ] ||
	fail "only $f_tmp_kills of $KILLS kills left staging files: they missed ingest"
[ "$f_evicted" -ge "$KILLS" ] || fail "only $f_evicted evictions over $KILLS kills"
[ "$f_strace" -eq 0 ] || [ "$f_injected" -ge $((KILLS / 10)) ] ||
	fail "only $f_injected of the $((KILLS / 5)) strace kills reached their system call"
[ "$f_served" -gt 0 ] || fail "nothing was ever served"

# ---- 2. ENOSPC while ingesting --------------------------------------------

if [ "$NC_MNTNS" != 1 ]; then
	note "ENOSPC part skipped: no private mount namespace here (unshare -m failed)"
	exit 0
fi
SMALL=$NC_TMP/small
mkdir -p "$SMALL"
if ! mount -t tmpfs -o size=8M tmpfs "$SMALL" 2>"$NC_TMP/mount.err"; then
	note "ENOSPC part skipped: cannot mount a tmpfs here: $(cat "$NC_TMP/mount.err")"
	exit 0
fi
nc_test_cleanup() { umount -l "$SMALL" 2>/dev/null; }
avail_kb() { df -Pk "$SMALL" | awk 'NR == 2 { print $4 }'; }

: >"$NC_TMP/map"
mkdir -p "$NC_TMP/fill/big" "$NC_TMP/fillgz/zz"
k=0
for sz in $(sizes 5 900000 1000000); do k=$((k + 1)); add "$NC_TMP/fill/big/b$k.bin" "$sz"; done
for k in 1 2; do add "$NC_TMP/fillgz/zz/y$k.bin" $((600000 + k * 1000)); done
nobj2=$(wc -l <"$NC_TMP/map")
# The file system fills long before the cap (64M) or min_free (0) acts.
{
	printf '[log]\nlevel = info\n[input]\ninterface = 127.0.0.1\nudp = %s\n' "$GROUP"
	printf '[cache]\ndir = %s\nmax_bytes = 64M\nmin_free = 0\n' "$SMALL"
	printf '[nip]\nannouncement = off\n'
	printf '[http]\nlisten = 127.0.0.1:%s\nhold_timeout = 0\n' "$NC_PORT"
} >"$NC_TMP/small.conf"
start_daemon "$NC_TMP/small.conf"
head -c $(( ($(avail_kb) - 1200) * 1024 )) /dev/zero >"$SMALL/filler" 2>/dev/null || true
"$NIPCAST" -g "$GROUP" -i 127.0.0.1 -t 3 -r 80M -c 0 "$NC_TMP/fill" >"$NC_TMP/tx3.log" 2>&1 &
NC_PIDS="$NC_PIDS $!"
"$NIPCAST" -g "$GROUP" -i 127.0.0.1 -t 4 -r 40M -c 0 --gzip "$NC_TMP/fillgz" >"$NC_TMP/tx4.log" 2>&1 &
NC_PIDS="$NC_PIDS $!"
full() { [ "$(metric nipcache_disk_full_total)" -ge 20 ]; }
wait_for 30 full || fail "no ENOSPC counted with $(avail_kb) kB free"

# Full for a while: alive, ready, nothing partial served or on disk.
j=0
while [ $j -lt 8 ]; do
	kill -0 "$NC_DAEMON" || fail "nipcached died on a full disk"
	health_ok || fail "/health not ready on a full disk"
	kv f_ cc serve "$NC_URL" "$NC_TMP/map"
	kv g_ cc disk "$SMALL" "$NC_TMP/map"
	[ "$f_bad" -eq 0 ] || fail "full disk: $f_bad objects served wrong"
	[ "$g_bad" -eq 0 ] && [ "$g_torn" -eq 0 ] || fail "full disk: $g_bad bad, $g_torn torn files"
	j=$((j + 1))
done
[ "$f_ok" -lt "$nobj2" ] || fail "every object got in although the disk was full"
kv e_ cc metrics "$NC_URL" nipcache_disk_full_total 'nipcache_objects_failed_total{reason="io"}'
logged=$(grep -c 'No space left on device' "$NC_TMP/daemon.log" || true)
[ "$logged" -gt 0 ] || fail "ENOSPC was not logged"

# The space returns: everything arrives, exact.
rm -f "$SMALL/filler"
all_in() { kv r_ cc serve "$NC_URL" "$NC_TMP/map" && [ "$r_ok" -eq "$nobj2" ]; }
wait_for 60 all_in || fail "after the space returned only $r_ok of $nobj2 objects arrived"
stop_daemon
kv z_ cc disk "$SMALL" "$NC_TMP/map"
[ "$z_tmp" -eq 0 ] || fail "$z_tmp files left in tmp/ after a clean stop"
[ "$z_bad" -eq 0 ] && [ "$z_torn" -eq 0 ] && [ "$z_files" -eq "$nobj2" ] ||
	fail "after the disk was full: $z_files files, $z_bad bad, $z_torn torn"
note "ENOSPC: $e_disk_full_total writes refused ($e_objects_failed_total_reason_io objects failed io, $logged log lines), $f_ok of $nobj2 objects in while full, all exact once the space returned"
