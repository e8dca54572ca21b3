#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /etc/init.d/nipcached (packaging/sysvinit), installed by make install
# WITH_SYSVINIT=1 into a scratch root and driven through start, status,
# reload, restart and stop: once under dash with Debian's start-stop-daemon,
# once under busybox ash with busybox's (the Enigma2 case).  Config errors
# are refused with the daemon's message, LSB status codes hold, and stop
# falls back to SIGKILL after its timeout.
. "$NC_SYS/common.sh"

command -v busybox >/dev/null || fail "busybox is not installed (make deps installs it)"
command -v start-stop-daemon >/dev/null || fail "Debian's start-stop-daemon (dpkg) is missing"
start-stop-daemon --version 2>/dev/null | grep -q Debian ||
	fail "start-stop-daemon in PATH is not Debian's: $(command -v start-stop-daemon)"

root=$NC_TMP/root
make -s -C "$NC_TOP" BUILD="$NC_BUILD" install PREFIX=/usr DESTDIR="$root" WITH_SYSVINIT=1 \
	>"$NC_TMP/install.log" 2>&1 || fail "make install: $(tail -n 5 "$NC_TMP/install.log")"
init=$root/etc/init.d/nipcached
defaults=$root/etc/default/nipcache
[ -x "$init" ] || fail "etc/init.d/nipcached not installed executable"
[ -f "$defaults" ] || fail "etc/default/nipcache not installed"
sh -n "$init" || fail "sh -n init script"
busybox sh -n "$init" || fail "busybox sh -n init script"
grep -q '^DAEMON=/usr/sbin/nipcached$' "$init" || fail "DAEMON does not follow SBINDIR"
grep -q '^### BEGIN INIT INFO' "$init" && grep -q '^# Provides: *nipcached$' "$init" ||
	fail "no LSB header"
grep -q '^NIPCACHED_USER=root$' "$defaults" || fail "defaults: not root by default"
grep -q '^NIPCACHED_CONF=/etc/nipcache/nipcached.conf$' "$defaults" || fail "defaults: config path"

# The shipped defaults, then the scratch paths after them.
mkdir -p "$NC_TMP/run"
pidfile=$NC_TMP/run/nipcached.pid
cat >>"$defaults" <<EOF
DAEMON=$root/usr/sbin/nipcached
PIDFILE=$pidfile
NIPCACHED_CONF=$NC_TMP/c.conf
NIPCACHED_LOG=$NC_TMP/daemon.log
EOF
export NIPCACHED_DEFAULTS="$defaults"
good_conf() { write_conf "$NC_TMP/c.conf" "[input]" "udp = 239.255.1.1:5000"; }
bad_conf() { printf '[cache]\nmax_bytes = 12 apples\n' >"$NC_TMP/c.conf"; }
good_conf

# A "daemon" that passes -n and ignores SIGTERM, for stop's SIGKILL path.
mkdir -p "$NC_TMP/stubborn"
cat >"$NC_TMP/stubborn/nipcached" <<'EOF'
#!/bin/sh
[ "$1" = -n ] && exit 0
trap '' TERM HUP
while :; do sleep 1; done
EOF
chmod 755 "$NC_TMP/stubborn/nipcached"
cp "$defaults" "$NC_TMP/stubborn.default"
printf 'DAEMON=%s\nNIPCACHED_STOP_TIMEOUT=1\n' "$NC_TMP/stubborn/nipcached" >>"$NC_TMP/stubborn.default"

# busybox's start-stop-daemon, first in PATH; it notes each call.
mkdir -p "$NC_TMP/bb"
cat >"$NC_TMP/bb/start-stop-daemon" <<EOF
#!/bin/sh
echo "\$*" >>"$NC_TMP/bb.calls"
exec busybox start-stop-daemon "\$@"
EOF
chmod 755 "$NC_TMP/bb/start-stop-daemon"

# svc ACTION: run the init script with this round's shell and PATH; rc is
# its status, $NC_TMP/out its output (copied to the log).
svc() {
	rc=0
	PATH="$rpath" $rsh "$init" "$1" >"$NC_TMP/out" 2>&1 || rc=$?
	sed "s/^/[$round $1 rc=$rc] /" "$NC_TMP/out"
}
out_has() { grep -q -- "$1" "$NC_TMP/out" || fail "$round $2: output lacks '$1': $(cat "$NC_TMP/out")"; }
pid_now() { cat "$pidfile" 2>/dev/null || true; }
# is_daemon PID: PID is a live (not zombie) process named nipcached.
is_daemon() {
	[ -r "/proc/$1/stat" ] || return 1
	case "$(cat "/proc/$1/stat" 2>/dev/null)" in
	*"(nipcached) Z "*) return 1 ;;
	*"(nipcached) "*) return 0 ;;
	esac
	return 1
}
gone() { ! is_daemon "$1"; }
reloads() { grep -c 'reload: .* applied' "$NC_TMP/daemon.log" || true; }
reloaded_since() { [ "$(reloads)" -gt "$1" ]; }

run_round() {
	round=$1
	[ ! -e "$pidfile" ] || fail "$round: stale pidfile before start"

	# A configuration nipcached -n rejects is refused, with its message.
	bad_conf
	svc start
	[ $rc -ne 0 ] || fail "$round: start with a bad config succeeded"
	out_has "configuration check failed" "start, bad config"
	out_has "c.conf:2: \[cache\] max_bytes" "start, bad config"
	[ ! -e "$pidfile" ] || fail "$round: pidfile left by a refused start"
	good_conf

	# Start before the cache folder exists: it is named, and waited for.
	rm -rf "$NC_TMP/cache"
	svc start
	[ $rc -eq 0 ] || fail "$round: start rc $rc"
	out_has "does not exist yet" "start without the cache folder"
	pid=$(pid_now)
	NC_PIDS="$NC_PIDS $pid"
	is_daemon "$pid" || fail "$round: pidfile '$pid' is not a running nipcached"
	mkdir "$NC_TMP/cache"
	wait_for 30 health_ok || fail "$round: not ready after start"

	svc status
	[ $rc -eq 0 ] || fail "$round: status rc $rc while running, want 0"
	out_has "running (pid $pid)" "status"
	svc start
	[ $rc -eq 0 ] && [ "$(pid_now)" = "$pid" ] || fail "$round: second start rc $rc or new pid"
	out_has "already running" "second start"

	# reload: SIGHUP, the daemon logs the reload and stays healthy; a
	# broken file is refused by the script and the daemon keeps running.
	n=$(reloads)
	svc reload
	[ $rc -eq 0 ] || fail "$round: reload rc $rc"
	wait_for 10 reloaded_since "$n" || fail "$round: the daemon logged no reload"
	health_ok || fail "$round: not healthy after reload"
	bad_conf
	svc reload
	[ $rc -ne 0 ] || fail "$round: reload with a bad config succeeded"
	out_has "not reloading" "reload, bad config"
	svc restart
	[ $rc -ne 0 ] || fail "$round: restart with a bad config succeeded"
	out_has "not restarting" "restart, bad config"
	is_daemon "$pid" && [ "$(pid_now)" = "$pid" ] || fail "$round: a refused reload/restart stopped the daemon"
	good_conf

	svc restart
	[ $rc -eq 0 ] || fail "$round: restart rc $rc"
	new=$(pid_now)
	NC_PIDS="$NC_PIDS $new"
	[ -n "$new" ] && [ "$new" != "$pid" ] || fail "$round: restart kept pid $pid"
	gone "$pid" || fail "$round: old pid $pid still runs after restart"
	is_daemon "$new" || fail "$round: new pid $new is not running"
	wait_for 30 health_ok || fail "$round: not ready after restart"

	# Killed behind the script's back: status 1 (dead, pidfile left), and
	# start replaces the stale pidfile.
	kill -KILL "$new"
	wait_for 10 gone "$new" || fail "$round: kill -9 did not end $new"
	svc status
	[ $rc -eq 1 ] || fail "$round: status rc $rc with a stale pidfile, want 1"
	svc start
	[ $rc -eq 0 ] || fail "$round: start over a stale pidfile rc $rc"
	pid=$(pid_now)
	NC_PIDS="$NC_PIDS $pid"
	[ "$pid" != "$new" ] && is_daemon "$pid" || fail "$round: no new daemon after a stale pidfile"
	wait_for 30 health_ok || fail "$round: not ready after the second start"

	svc stop
	[ $rc -eq 0 ] || fail "$round: stop rc $rc"
	gone "$pid" || fail "$round: pid $pid still runs after stop returned"
	[ ! -e "$pidfile" ] || fail "$round: pidfile left after stop"
	! health_ok || fail "$round: /health still answers after stop"
	svc status
	[ $rc -eq 3 ] || fail "$round: status rc $rc after stop, want 3"
	svc stop
	[ $rc -eq 0 ] || fail "$round: stop when stopped rc $rc, want 0"

	# A daemon that ignores SIGTERM is killed once the timeout passes.
	NIPCACHED_DEFAULTS=$NC_TMP/stubborn.default
	svc start
	[ $rc -eq 0 ] || fail "$round: stubborn start rc $rc"
	pid=$(pid_now)
	NC_PIDS="$NC_PIDS $pid"
	svc stop
	[ $rc -eq 0 ] || fail "$round: stop of a SIGTERM-deaf daemon rc $rc"
	out_has "sending SIGKILL" "stop, SIGTERM ignored"
	gone "$pid" && [ ! -e "$pidfile" ] || fail "$round: SIGTERM-deaf daemon survived stop"
	NIPCACHED_DEFAULTS=$defaults

	svc bogus
	[ $rc -eq 2 ] || fail "$round: unknown action rc $rc, want 2"
}

t0=$(date +%s)
rpath=$PATH rsh=dash
run_round debian
t1=$(date +%s)
rpath=$NC_TMP/bb:$PATH rsh="busybox sh"
run_round busybox
t2=$(date +%s)
grep -q '^-S -b -m -p ' "$NC_TMP/bb.calls" && grep -q '^-K ' "$NC_TMP/bb.calls" ||
	fail "busybox's start-stop-daemon was not the one used: $(cat "$NC_TMP/bb.calls" 2>/dev/null)"
grep -q 'stopped' "$NC_TMP/daemon.log" || fail "no clean stop in the daemon log"
note "sysvinit round with Debian's start-stop-daemon $((t1 - t0)) s, with busybox's $((t2 - t1)) s"
