#!/bin/sh
# kill -9 in the middle of ingest, then restart: the index is rebuilt,
# tmp/ is purged before /health is ready, nothing partial is ever served.
. "$NC_SYS/common.sh"

mkdir -p "$NC_TMP/small" "$NC_TMP/big"
head -c 200000 /dev/urandom >"$NC_TMP/small/a.bin"
head -c 100000 /dev/urandom >"$NC_TMP/small/b.bin"
head -c 30000000 /dev/urandom >"$NC_TMP/big/big.bin"
write_conf "$NC_TMP/c.conf" "[input]" "udp = 239.255.30.1:5000"
start_daemon "$NC_TMP/c.conf"
"$NIPCAST" -g 239.255.30.1:5000 -i 127.0.0.1 -t 1 -r 200M -c 2 "$NC_TMP/small" || fail "nipcast small"
wait_for 20 all_served "$NC_TMP/small" "" || fail "small objects not served"

# 30 MB at 40 Mbit/s takes 6 s a cycle: kill the daemon half way.
"$NIPCAST" -g 239.255.30.1:5000 -i 127.0.0.1 -t 2 -r 40M -c 0 "$NC_TMP/big" >/dev/null 2>&1 &
SENDER=$!; NC_PIDS="$NC_PIDS $SENDER"
staging() { [ -n "$(ls -A "$NC_TMP/cache/tmp")" ] && [ "$(metric nipcache_staged_bytes_total)" -gt 5000000 ]; }
wait_for 30 staging || fail "ingest never started"
kill -KILL "$NC_DAEMON"; wait "$NC_DAEMON" 2>/dev/null || true
[ -n "$(ls -A "$NC_TMP/cache/tmp")" ] || fail "expected leftovers in tmp/ after kill -9"
kill -TERM "$SENDER"; wait "$SENDER" 2>/dev/null || true

start_daemon "$NC_TMP/c.conf"
[ -z "$(ls -A "$NC_TMP/cache/tmp")" ] || fail "tmp/ not purged before ready"
all_served "$NC_TMP/small" "" || fail "objects committed before the crash were lost"
code=$(curl -s -o /dev/null -w '%{http_code}' "$NC_URL/big.bin")
[ "$code" = 404 ] || fail "partial object answered $code"

# A torn object file (power cut during a write) is dropped at rebuild.
stop_daemon
f=$(find "$NC_TMP/cache/objects" -type f | head -n 1)
truncate -s 5000 "$f"
start_daemon "$NC_TMP/c.conf"
ok=0
for rel in a.bin b.bin; do
	code=$(curl -s -o "$NC_TMP/got" -w '%{http_code}' "$NC_URL/$rel")
	if [ "$code" = 200 ]; then
		cmp -s "$NC_TMP/got" "$NC_TMP/small/$rel" || fail "$rel served damaged"
		ok=$((ok + 1))
	else
		[ "$code" = 404 ] || fail "$rel answered $code"
	fi
done
[ $ok -eq 1 ] || fail "expected exactly one object to survive the truncation, got $ok"

# The whole object arrives intact once the carousel runs again.
"$NIPCAST" -g 239.255.30.1:5000 -i 127.0.0.1 -t 2 -r 400M -c 2 "$NC_TMP/big" || fail "nipcast big"
wait_for 30 served_equal /big.bin "$NC_TMP/big/big.bin" || fail "big object not served after restart"
stop_daemon
