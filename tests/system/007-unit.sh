#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The systemd unit (systemd/nipcached.service), checked without a running
# systemd (the boot test in systemd-nspawn is another test).  Asserts:
#  - `systemd-analyze verify` prints nothing at all: unknown keys and bad
#    values only warn there, with exit status 0;
#  - `systemd-analyze security` rates its exposure 2.0 or lower;
#  - every system call nipcached makes while it receives a carousel,
#    repairs losses over HTTP (libcurl), serves HTTP (libmicrohttpd),
#    reloads on SIGHUP and stops on SIGTERM passes the unit's
#    SystemCallFilter (traced with strace, compared with the sets
#    `systemd-analyze syscall-filter` prints);
#  - the settings the daemon's contract needs are there (notify, watchdog,
#    exit codes 64 and 78 not restarted, the DVB devices, group video);
#  - it runs as the nipcache user with no capability: empty bounding and
#    ambient sets, no new privileges, and systemd-analyze agrees.
. "$NC_SYS/common.sh"

UNIT="$NC_TOP/systemd/nipcached.service"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (make deps installs systemd)"
command -v strace >/dev/null || fail "strace is missing (make deps installs it)"

# verify needs ExecStart to exist: the same unit, started from the build.
mkdir -p "$NC_TMP/unit"
sed "s|^ExecStart=/usr/sbin/nipcached |ExecStart=$NIPCACHED |" "$UNIT" >"$NC_TMP/unit/nipcached.service"
grep -q "^ExecStart=$NIPCACHED " "$NC_TMP/unit/nipcached.service" || fail "no ExecStart=/usr/sbin/nipcached to rewrite"
st=0
systemd-analyze verify --man=no "$NC_TMP/unit/nipcached.service" >"$NC_TMP/verify.out" 2>&1 || st=$?
[ $st -eq 0 ] && [ ! -s "$NC_TMP/verify.out" ] ||
	fail "systemd-analyze verify (rc $st): $(cat "$NC_TMP/verify.out")"

st=0
systemd-analyze security --offline=true --threshold=20 "$NC_TMP/unit/nipcached.service" \
	>"$NC_TMP/security.out" 2>&1 || st=$?
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$NC_TMP/security.out")
[ -n "$score" ] || fail "no exposure level in: $(tail -n 5 "$NC_TMP/security.out")"
note "systemd-analyze security: exposure $score (2.0 or lower wanted)"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ||
	fail "exposure $score > 2.0: $(grep '✗' "$NC_TMP/security.out")"
[ $st -eq 0 ] || fail "systemd-analyze security --threshold=20 exited $st"

# The contract with the daemon and the tuner.
for l in 'Type=notify' 'NotifyAccess=main' 'Restart=on-failure' 'RestartPreventExitStatus=64 78' \
	'User=nipcache' 'Group=nipcache' 'SupplementaryGroups=video' 'CacheDirectory=nipcache' \
	'DevicePolicy=closed' 'DeviceAllow=char-DVB rw' 'CapabilityBoundingSet=' 'AmbientCapabilities=' \
	'NoNewPrivileges=yes' 'Documentation=man:nipcached(8) man:nipcached.conf(5)'; do
	grep -qxF "$l" "$UNIT" || fail "the unit lacks the line '$l'"
done
# No capability at all: nothing grants one back, no root, no other user
# (041-http-security shows the daemon works with every set empty).
! grep -qE '^(CapabilityBoundingSet|AmbientCapabilities)=.' "$UNIT" || fail "the unit grants a capability"
[ "$(grep -c '^User=' "$UNIT")" -eq 1 ] || fail "more than one User= line"
! grep -qE '^(DynamicUser|PermissionsStartOnly)=(yes|true|on|1)' "$UNIT" || fail "the unit changes its user model"
for c in 'User=/DynamicUser=' 'AmbientCapabilities=' 'CapabilityBoundingSet=~CAP_SYS_ADMIN' \
	'CapabilityBoundingSet=~CAP_NET_ADMIN' 'CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)' \
	'CapabilityBoundingSet=~CAP_(DAC_*|FOWNER|IPC_OWNER)' 'NoNewPrivileges='; do
	grep -qF "✓ $c " "$NC_TMP/security.out" || fail "systemd-analyze security does not pass '$c'"
done
grep -q '^WatchdogSec=[1-9]' "$UNIT" || fail "no WatchdogSec"
# PrivateDevices=yes would hide /dev/dvb from the daemon.
! grep -qE '^PrivateDevices=(yes|true|on|1)' "$UNIT" || fail "PrivateDevices hides /dev/dvb"

# expand SET...: the system call names in filter sets, nested sets included.
expand() {
	for g in "$@"; do
		case "$g" in
		@*) systemd-analyze syscall-filter "$g" | awk 'NR > 1 && NF && $1 !~ /^#/ { print $1 }' |
			while read -r n; do expand "$n"; done ;;
		*) echo "$g" ;;
		esac
	done
}
# The unit's own filter lines: an allow list, then "~" deny lists.
allow=$(sed -n 's/^SystemCallFilter=\([^~].*\)/\1/p' "$UNIT")
deny=$(sed -n 's/^SystemCallFilter=~\(.*\)/\1/p' "$UNIT")
[ -n "$allow" ] && [ -n "$deny" ] || fail "the unit has no SystemCallFilter allow and deny lines"
# shellcheck disable=SC2086
expand $allow | sort -u >"$NC_TMP/allow"
# shellcheck disable=SC2086
expand $deny | sort -u >"$NC_TMP/deny"
comm -23 "$NC_TMP/allow" "$NC_TMP/deny" >"$NC_TMP/permitted"
[ "$(wc -l <"$NC_TMP/permitted")" -gt 100 ] || fail "the expanded filter is implausibly small"

# The daemon under strace, through the unicast-repair scenario of 093.
GROUP=239.255.7.1:5000
NGINX_PORT=8107
mkdir -p "$NC_TMP/www"
make_tree "$NC_TMP/www/f" 7
start_nginx "$NGINX_PORT" "$NC_TMP/www"
write_conf "$NC_TMP/c.conf" "[input]" "udp = $GROUP" \
	"[repair]" "base_url = http://127.0.0.1:$NGINX_PORT/" "reception_timeout = 1s" \
	"random_backoff = 100ms"
strace -f -c -o "$NC_TMP/strace.txt" "$NIPCACHED" --config "$NC_TMP/c.conf" >>"$NC_TMP/daemon.log" 2>&1 &
NC_STRACE=$!
NC_PIDS="$NC_PIDS $NC_STRACE"
# strace forks short-lived children of its own to probe ptrace features:
# only the child that is nipcached is the daemon.
daemon_pid() { NC_DAEMON=$(pgrep -x -P "$NC_STRACE" nipcached | head -n 1); [ -n "$NC_DAEMON" ]; }
wait_for 10 daemon_pid || fail "strace did not start nipcached"
NC_PIDS="$NC_DAEMON $NC_PIDS"
wait_for 30 health_ok || fail "nipcached under strace did not become ready"

"$NIPCAST" -g "$GROUP" -i 127.0.0.1 -r 50M -c 1 -v --loss 0.05 --seed 7 \
	--url-base http://dvb.gw/f/ "$NC_TMP/www/f" >"$NC_TMP/nipcast.log" 2>&1 ||
	fail "nipcast failed: $(tail -n 3 "$NC_TMP/nipcast.log")"
wait_for 60 all_served "$NC_TMP/www/f" /f || fail "objects still incomplete after repair"
[ "$(metric_sum nipcache_repair_body_bytes_total)" -gt 0 ] || fail "nothing was repaired: libcurl not exercised"
kill -0 "$NC_DAEMON" 2>/dev/null ||
	fail "nipcached (pid $NC_DAEMON) is gone; strace's children: $(pgrep -P "$NC_STRACE" | tr '\n' ' ')"
kill -HUP "$NC_DAEMON"
wait_for 10 grep -q 'reload: .* applied' "$NC_TMP/daemon.log" || fail "reload not applied"
kill -TERM "$NC_DAEMON"
st=0; wait "$NC_STRACE" || st=$?
[ $st -eq 0 ] || fail "nipcached under strace exited with $st after SIGTERM"

# strace -c: one row per system call, the name last; skip the total.
awk '/^-/ { rows = 1; next } rows && NF >= 5 && $NF != "total" { print $NF }' "$NC_TMP/strace.txt" |
	sort -u >"$NC_TMP/used"
[ "$(wc -l <"$NC_TMP/used")" -gt 20 ] || fail "strace saw too few system calls: $(cat "$NC_TMP/strace.txt")"
bad=$(comm -23 "$NC_TMP/used" "$NC_TMP/permitted" | tr '\n' ' ')
note "nipcached made $(wc -l <"$NC_TMP/used") distinct system calls; the filter permits $(wc -l <"$NC_TMP/permitted")"
[ -z "$bad" ] || fail "system calls the unit's SystemCallFilter refuses: $bad"
