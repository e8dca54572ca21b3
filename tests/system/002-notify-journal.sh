#!/bin/sh
# Under systemd: READY, STATUS, WATCHDOG, RELOADING and STOPPING reach
# $NOTIFY_SOCKET (no libsystemd); under journald every log line carries a
# <N> priority prefix instead of a timestamp.
. "$NC_SYS/common.sh"

python3 "$NC_SYS/notify_listen.py" "$NC_TMP/notify.sock" >"$NC_TMP/notify.log" 2>&1 &
NC_PIDS="$NC_PIDS $!"
wait_for 10 grep -q listening "$NC_TMP/notify.log" || fail "notify listener did not start"

write_conf "$NC_TMP/c.conf" "[input]" "udp = 239.255.2.1:5000"
NOTIFY_SOCKET="$NC_TMP/notify.sock" WATCHDOG_USEC=1000000 JOURNAL_STREAM=8:12345 \
	"$NIPCACHED" --config "$NC_TMP/c.conf" >>"$NC_TMP/daemon.log" 2>&1 &
NC_DAEMON=$!; NC_PIDS="$NC_PIDS $NC_DAEMON"
wait_for 30 health_ok || fail "not ready"
wait_for 10 grep -q '^READY=1' "$NC_TMP/notify.log" || fail "no READY=1"
two_pings() { [ "$(grep -c '^WATCHDOG=1' "$NC_TMP/notify.log")" -ge 2 ]; }
wait_for 10 two_pings || fail "no watchdog pings at WATCHDOG_USEC/2"
wait_for 15 grep -q '^STATUS=.*objects' "$NC_TMP/notify.log" || fail "no STATUS"
kill -HUP "$NC_DAEMON"
wait_for 10 grep -q '^RELOADING=1' "$NC_TMP/notify.log" || fail "no RELOADING=1 on SIGHUP"
stop_daemon
grep -q '^STOPPING=1' "$NC_TMP/notify.log" || fail "no STOPPING=1"

# journald: "<6>" for info lines, no timestamps.
grep -q '^<6>' "$NC_TMP/daemon.log" || fail "no <6> prefixed info line: $(head -n 3 "$NC_TMP/daemon.log")"
if grep -v '^<[0-7]>' "$NC_TMP/daemon.log" | grep -q .; then
	fail "a log line without a priority prefix under journald"
fi
