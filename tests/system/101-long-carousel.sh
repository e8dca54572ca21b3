#!/bin/sh
# make check-long: a large carousel (1,500 files, ~200 MB, nested folders)
# at 5% loss until every object is exact, then a restart on that cache: the
# whole index comes back and every object is still exact.
. "$NC_SYS/common.sh"

mkdir -p "$NC_TMP/src"
python3 - "$NC_TMP/src" <<'PY'
import os, random, sys
random.seed(101)
root = sys.argv[1]
for i in range(1500):
    d = os.path.join(root, "c%02d" % (i % 40), "s%d" % (i % 3))
    os.makedirs(d, exist_ok=True)
    n = random.choice([0, 1, 1427, 1428, 1429, 5000, 70000, 150000, 400000, 1300000])
    with open(os.path.join(d, "f%04d.bin" % i), "wb") as f:
        f.write(os.urandom(n))
PY
write_conf "$NC_TMP/c.conf" "[input]" "udp = 239.255.101.1:5000"
start_daemon "$NC_TMP/c.conf"
"$NIPCAST" -g 239.255.101.1:5000 -i 127.0.0.1 -r 300M -c 0 --loss 0.05 --seed 101 --shuffle \
	"$NC_TMP/src" >"$NC_TMP/nipcast.log" 2>&1 &
SENDER=$!; NC_PIDS="$NC_PIDS $SENDER"
all_done() { [ "$(metric nipcache_cache_objects)" -ge 1500 ]; }
wait_for 600 all_done || fail "only $(metric nipcache_cache_objects) of 1500 objects after 600 s"
kill -TERM "$SENDER"; wait "$SENDER" 2>/dev/null || true
all_served "$NC_TMP/src" "" || fail "an object differs from its source"
[ "$(metric 'nipcache_objects_failed_total{reason="digest"}')" = 0 ] || fail "digest failures"
stop_daemon
start_daemon "$NC_TMP/c.conf"
[ "$(metric nipcache_cache_objects)" -eq 1500 ] || fail "index rebuilt with $(metric nipcache_cache_objects) objects"
all_served "$NC_TMP/src" "" || fail "an object differs after the restart"
note "1500 objects exact at 5% loss; index rebuilt after restart"
stop_daemon
