#!/bin/sh
# The daemon's life: -n, --help, --version, config errors with file:line,
# /health only when ready, SIGHUP reload, SIGTERM exits 0, metrics present.
. "$NC_SYS/common.sh"

"$NIPCACHED" --help | grep -q -- '--config' || fail "--help"
"$NIPCACHED" --version | grep -q '^nipcached [0-9]' || fail "--version"
st=0; "$NIPCACHED" --bogus 2>/dev/null || st=$?
[ $st -eq 64 ] || fail "unknown option exit $st, want 64"

write_conf "$NC_TMP/ok.conf" "[input]" "udp = 239.255.1.1:5000"
"$NIPCACHED" -n --config "$NC_TMP/ok.conf" | grep -q 'configuration OK' || fail "-n on a good file"
printf '[cache]\nmax_bytes = 12 apples\n' >"$NC_TMP/bad.conf"
st=0; "$NIPCACHED" -n --config "$NC_TMP/bad.conf" 2>"$NC_TMP/err" || st=$?
[ $st -eq 78 ] || fail "bad config exit $st, want 78 (EX_CONFIG)"
grep -q "bad.conf:2: \[cache\] max_bytes" "$NC_TMP/err" || fail "error lacks file:line: $(cat "$NC_TMP/err")"

# The cache folder does not exist yet: /health must not be ready (a late
# mount is waited for, never replaced), then becomes ready once it appears.
write_conf "$NC_TMP/ok.conf" "[input]" "udp = 239.255.1.1:5000"
rmdir "$NC_TMP/cache"
daemon_exec --config "$NC_TMP/ok.conf" >>"$NC_TMP/daemon.log" 2>&1 &
NC_DAEMON=$!; NC_PIDS="$NC_DAEMON"
wait_for 20 curl -sS -o /dev/null "$NC_URL/health" || fail "HTTP did not come up"
code=$(curl -s -o /dev/null -w '%{http_code}' "$NC_URL/health")
[ "$code" = 503 ] || fail "/health is $code while the cache dir is missing, want 503"
[ ! -e "$NC_TMP/cache" ] || fail "the daemon created the cache root itself"
mkdir "$NC_TMP/cache"
wait_for 30 health_ok || fail "not ready after the cache dir appeared"
curl -fsS "$NC_URL/health" | grep -q '"status":"ok"' || fail "/health JSON"
[ -d "$NC_TMP/cache/tmp" ] || fail "no tmp/ in the cache"

curl -fsS "$NC_URL/metrics" >"$NC_TMP/m"
for m in nipcache_kernel_drops_total nipcache_packets_total nipcache_cache_bytes \
	nipcache_objects_completed_total nipcache_evictions_total; do
	grep -q "^$m " "$NC_TMP/m" || fail "metric $m missing"
done
grep -q '^nipcache_http_requests_total{code="200"}' "$NC_TMP/m" || fail "http metric"

# A second daemon on the same cache folder is refused.
write_conf "$NC_TMP/two.conf"
sed -i 's/8080/8081/' "$NC_TMP/two.conf"
st=0; timeout 20 "$NIPCACHED" --config "$NC_TMP/two.conf" >"$NC_TMP/two.log" 2>&1 || st=$?
[ $st -ne 0 ] && [ $st -ne 124 ] || fail "second daemon on a locked cache: exit $st"
grep -qi 'lock' "$NC_TMP/two.log" || fail "second daemon gave no lock error: $(cat "$NC_TMP/two.log")"

# SIGHUP with a broken file keeps running; with a good one applies it.
printf '[cache]\nfsync = sometimes\n' >>"$NC_TMP/ok.conf"
kill -HUP "$NC_DAEMON"
wait_for 10 grep -q 'keeping the running configuration' "$NC_TMP/daemon.log" || fail "bad reload not reported"
health_ok || fail "daemon died on a bad reload"
write_conf "$NC_TMP/ok.conf" "[input]" "udp = 239.255.1.2:5000"
kill -HUP "$NC_DAEMON"
wait_for 10 grep -q 'reload: .* applied' "$NC_TMP/daemon.log" || fail "reload not applied"
health_ok || fail "not healthy after reload"

# [carousel] bounds apply live: an object over the new max_object_size is
# refused (counted), a small one still arrives.
write_conf "$NC_TMP/ok.conf" "[input]" "udp = 239.255.1.2:5000" "[carousel]" "max_object_size = 10K"
kill -HUP "$NC_DAEMON"
two_reloads() { [ "$(grep -c 'reload: .* applied' "$NC_TMP/daemon.log")" -ge 2 ]; }
wait_for 10 two_reloads || fail "second reload not applied"
mkdir -p "$NC_TMP/lim"
head -c 5000 /dev/urandom >"$NC_TMP/lim/small.bin"
head -c 50000 /dev/urandom >"$NC_TMP/lim/big.bin"
"$NIPCAST" -g 239.255.1.2:5000 -i 127.0.0.1 -r 100M -c 2 "$NC_TMP/lim" || fail "nipcast"
wait_for 20 served_equal /small.bin "$NC_TMP/lim/small.bin" || fail "small object not served"
limited() { [ "$(metric 'nipcache_objects_failed_total{reason="limit"}')" -gt 0 ]; }
wait_for 10 limited || fail "object over the reloaded max_object_size not counted"
code=$(curl -s -o /dev/null -w '%{http_code}' "$NC_URL/big.bin")
[ "$code" = 404 ] || fail "object over max_object_size served ($code)"

stop_daemon
grep -q 'stopped' "$NC_TMP/daemon.log" || fail "no clean stop logged"
