#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Ingest caps under a flood, with small configured values: sessions past
# [carousel] max_sessions and objects past max_objects_per_session are
# refused, counted in /metrics and logged rate-limited; /health stays 200;
# the accepted session keeps being served exact; once the flood is over a
# new session and its objects are taken and served exact.  The daemon runs
# with a hard descriptor limit below what its caps need: it starts, raises
# the soft limit to the hard one, and says so.
. "$NC_SYS/common.sh"

G=239.255.22.1:5000
LOG="$NC_TMP/daemon.log"

# A low descriptor limit (soft 200, hard 400) for the daemon only.
REAL_NIPCACHED=$NIPCACHED
NIPCACHED=$NC_TMP/lowfd.sh
printf '#!/bin/sh\nulimit -Sn 200 && ulimit -Hn 400 && exec "%s" "$@"\n' \
	"$REAL_NIPCACHED" >"$NIPCACHED"
chmod +x "$NIPCACHED"

write_conf "$NC_TMP/c.conf" "[input]" "udp = $G" "[nip]" "announcement = off" \
	"[carousel]" "max_sessions = 2" "max_objects_per_session = 3" \
	"max_objects = 6" "object_timeout = 2s" "session_timeout = 3s"
start_daemon "$NC_TMP/c.conf"
grep -q 'descriptor limit 400 is below the 1263 the caps need' "$LOG" ||
	fail "no warning about the descriptor limit: $(grep -i descriptor "$LOG")"
soft=$(awk '/^Max open files/ { print $4 }' "/proc/$NC_DAEMON/limits")
[ "$soft" = 400 ] || fail "soft descriptor limit $soft, not raised to the hard 400"

# The accepted session: TSI 1 sends folder a/ over and over.
mkdir -p "$NC_TMP/a"
for i in 1 2 3; do head -c $((i * 70000)) /dev/urandom >"$NC_TMP/a/a$i.bin"; done
"$NIPCAST" -g $G -i 127.0.0.1 -t 1 -r 20M -c 0 "$NC_TMP/a" >"$NC_TMP/a.log" 2>&1 &
NC_PIDS="$NC_PIDS $!"
wait_for 20 all_served "$NC_TMP/a" "" || fail "session 1 not served"

# Objects flood: TSI 2 sends 12 objects once with 40% loss, so those it
# starts stay in flight (incomplete) and the rest is over the per-session cap.
mkdir -p "$NC_TMP/b"
i=1
while [ $i -le 12 ]; do head -c 60000 /dev/urandom >"$NC_TMP/b/b$i.bin"; i=$((i + 1)); done
"$NIPCAST" -g $G -i 127.0.0.1 -t 2 -r 20M -c 1 --loss 0.4 --seed 7 --fdt-interval 20 \
	"$NC_TMP/b" >"$NC_TMP/b.log" 2>&1 || fail "nipcast TSI 2"
obj_refused() { [ "$(metric 'nipcache_objects_failed_total{reason="limit"}')" -gt 0 ]; }
wait_for 10 obj_refused || fail "no object refused at max_objects_per_session"
[ "$(metric nipcache_objects_in_flight)" -le 6 ] || fail "objects in flight above max_objects"

# Sessions flood: TSIs 3..8 while 1 and 2 are tracked.
mkdir -p "$NC_TMP/c"
head -c 50000 /dev/urandom >"$NC_TMP/c/c.bin"
for t in 3 4 5 6 7 8; do
	"$NIPCAST" -g $G -i 127.0.0.1 -t $t -r 50M -c 1 "$NC_TMP/c" || fail "nipcast TSI $t"
done
sess_refused() { [ "$(metric 'nipcache_bad_packets_total{reason="session_limit"}')" -gt 0 ]; }
wait_for 10 sess_refused || fail "no packet refused at max_sessions"
[ "$(metric nipcache_sessions)" -le 2 ] || fail "sessions above max_sessions"
code=$(curl -s -o /dev/null -w '%{http_code}' "$NC_URL/c.bin")
[ "$code" = 404 ] || fail "an object of a refused session was served ($code)"
health_ok || fail "/health not 200 under the flood"
all_served "$NC_TMP/a" "" || fail "session 1 not served exact under the flood"
[ "$(metric 'nipcache_objects_failed_total{reason="digest"}')" = 0 ] || fail "digest failures"

# Refusals are logged, rate-limited (5 lines per 10 s per kind at most).
n=$(grep -c 'session limit (2) reached' "$LOG" || true)
[ "$n" -ge 1 ] && [ "$n" -le 10 ] || fail "$n session limit log lines"

# Recovery: TSI 2 is forgotten (its objects abandoned), then a new session
# TSI 9 with two objects is accepted and served exact.
one_session() { [ "$(metric nipcache_sessions)" -eq 1 ]; }
wait_for 15 one_session || fail "the flooding session was never forgotten"
mkdir -p "$NC_TMP/d"
head -c 200000 /dev/urandom >"$NC_TMP/d/d1.bin"
head -c 3000 /dev/urandom >"$NC_TMP/d/d2.bin"
"$NIPCAST" -g $G -i 127.0.0.1 -t 9 -r 50M -c 2 "$NC_TMP/d" || fail "nipcast TSI 9"
wait_for 20 all_served "$NC_TMP/d" "" || fail "a new session was not taken after the flood"
all_served "$NC_TMP/a" "" || fail "session 1 not served exact after the flood"
health_ok || fail "/health not 200 after the flood"
note "refused: objects $(metric 'nipcache_objects_failed_total{reason="limit"}'), session packets $(metric 'nipcache_bad_packets_total{reason="session_limit"}'), incomplete $(metric 'nipcache_objects_failed_total{reason="incomplete"}')"
stop_daemon
