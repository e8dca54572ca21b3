#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The packaged service under a real systemd (make check): the .deb is
# installed in a throwaway copy of the bookworm chroot (`make chroot`),
# which boots in systemd-nspawn (--private-network: loopback only) with
# the shipped, hardened unit; a drop-in only shortens WatchdogSec to 3 s.
# Driven from here with nsenter into the container (no machined needed).
# Asserts:
#  - boot: nipcached.service active/running (Type=notify: only after
#    READY=1) with a StatusText, as user nipcache with no capabilities,
#    serving /health inside the container;
#  - watchdog: WatchdogTimestamp advances again and again over 2.5 times
#    WatchdogSec, with no restart;
#  - systemctl reload: the daemon logs that it re-read its config, same
#    MainPID, still active;
#  - kill -9 of the main process: Restart=on-failure starts a new one
#    (new MainPID, NRestarts=1, active again);
#  - systemctl stop: inactive, Result=success, exit status 0;
#  - poweroff: the container shuts down cleanly (nspawn exits 0).
. "$NC_SYS/chroot.sh"

[ -f "$NC_CHROOT.stamp" ] ||
	skip "no chroot at $NC_CHROOT: make chroot did not complete (make check runs it first; its output says why)"
command -v systemd-nspawn >/dev/null || fail "systemd-nspawn is missing (make deps installs systemd-container)"
ch_copy
deb=$(ch_build_deb "$NC_TOP" "$NC_TMP/b")
ch_dpkg_deb "$deb" >"$NC_TMP/install.log" 2>&1 || fail "dpkg -i: $(cat "$NC_TMP/install.log")"
WD=3
mkdir -p "$CH_ROOT/etc/systemd/system/nipcached.service.d"
printf '[Service]\nWatchdogSec=%ss\n' "$WD" >"$CH_ROOT/etc/systemd/system/nipcached.service.d/test.conf"

# nspawn keeps its lock and propagation folders under /run/systemd/nspawn:
# a tmpfs of this mount namespace keeps them off the machine.
NSRUN_MADE=0
[ -d /run/systemd/nspawn ] || { mkdir -p /run/systemd/nspawn && NSRUN_MADE=1; }
mount -t tmpfs -o mode=0755 tmpfs /run/systemd/nspawn || fail "cannot mount a tmpfs on /run/systemd/nspawn"

# Without a system bus or machined here, nspawn must neither register the
# machine nor make a scope unit (--register=no --keep-unit).
NSPAWN=""
LEADER=""
boot_start=$(date +%s)
timeout -k 10 600 systemd-nspawn -D "$CH_ROOT" --machine="nctest$$" --register=no --keep-unit \
	--private-network --boot --console=pipe >"$NC_TMP/nspawn.log" 2>&1 </dev/null &
NSPAWN=$!
NC_PIDS="$NC_PIDS $NSPAWN"

# Teardown even on failure: power off, else nspawn is killed (cleanup's
# TERM, then KILL) and, if its PID 1 outlived it, that PID 1 too, which
# takes every process of the container with it.
ch_test_cleanup() {
	if [ -n "$LEADER" ] && kill -0 "$LEADER" 2>/dev/null; then
		kill -KILL "$LEADER" 2>/dev/null
	fi
	umount /run/systemd/nspawn 2>/dev/null || umount -l /run/systemd/nspawn 2>/dev/null
	[ "$NSRUN_MADE" = 0 ] || rmdir /run/systemd/nspawn 2>/dev/null
	if [ -n "$NSPAWN" ] && [ -s "$NC_TMP/nspawn.log" ] && [ "${NC_SHOW_CONSOLE:-1}" = 1 ]; then
		echo "--- container console (tail)"; tail -n 30 "$NC_TMP/nspawn.log"
	fi
}

# The container's PID 1: the child of nspawn (itself timeout's child)
# that is PID 1 of its own PID namespace.
find_leader() {
	kids=$(ps -o pid= --ppid "$NSPAWN" | tr -d ' ' | paste -sd, -)
	[ -n "$kids" ] || return 1
	for p in $(ps -o pid= --ppid "$kids"); do
		if awk '$1 == "NSpid:" && $NF == 1 { f = 1 } END { exit !f }' "/proc/$p/status" 2>/dev/null; then
			LEADER=$p
			return 0
		fi
	done
	return 1
}
# in_ct CMD...: CMD inside the container (all its namespaces and root).
in_ct() { nsenter -t "$LEADER" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
booted() {
	s=$(in_ct systemctl is-system-running 2>/dev/null)
	case "$s" in running | degraded) return 0 ;; esac
	return 1
}
# prop NAME: one property of nipcached.service.
prop() { in_ct systemctl show -p "$1" --value nipcached.service; }

# Only a machine that cannot run a container at all skips: nspawn gives up
# before the container's init starts, with one of these reasons.
if ! wait_for 60 find_leader; then
	kill -0 "$NSPAWN" 2>/dev/null && fail "no container init 60 s after systemd-nspawn started"
	why=$(grep -E -m 1 'cgroup|namespace|Operation not permitted|not supported' "$NC_TMP/nspawn.log" || true)
	[ -n "$why" ] || fail "systemd-nspawn exited before the container's init: $(tail -n 10 "$NC_TMP/nspawn.log")"
	NC_SHOW_CONSOLE=0
	skip "systemd-nspawn cannot start a container here: $why"
fi
wait_for 90 booted || fail "the container did not finish booting: $(in_ct systemctl is-system-running)" \
	"$(in_ct systemctl --failed --no-legend)"
note "container booted in $(( $(date +%s) - boot_start )) s ($(in_ct systemctl is-system-running))"
if [ "$(in_ct systemctl is-system-running)" = degraded ]; then
	note "failed units in the container: $(in_ct systemctl --failed --no-legend --plain | tr '\n' ';')"
fi

# ---- Ready.
[ "$(prop ActiveState)/$(prop SubState)" = active/running ] ||
	fail "nipcached is $(prop ActiveState)/$(prop SubState): $(in_ct journalctl -u nipcached --no-pager | tail -n 20)"
[ -n "$(prop StatusText)" ] || fail "no StatusText (STATUS=)"
in_ct journalctl -u nipcached --no-pager | grep -q 'nipcached\[[0-9]*\]: ready$' || fail "the daemon never logged ready"
pid=$(prop MainPID)
[ "$pid" -gt 0 ] || fail "no MainPID"
[ "$(in_ct ps -o user= -p "$pid")" = nipcache ] || fail "nipcached runs as $(in_ct ps -o user= -p "$pid")"
in_ct grep -q '^CapEff:[[:space:]]*0*$' "/proc/$pid/status" || fail "nipcached has capabilities: $(in_ct grep ^Cap "/proc/$pid/status")"
[ "$(in_ct stat -c '%U %a' /var/cache/nipcache)" = "nipcache 750" ] || fail "cache folder $(in_ct stat -c '%U %a' /var/cache/nipcache)"
nsenter -t "$LEADER" -n curl -fsS -m 5 -o /dev/null http://127.0.0.1:8080/health || fail "no /health inside the container"
note "ready: $(prop StatusText)"

# ---- Watchdog: pings every WatchdogSec / 2, the service stays up.
[ "$(prop WatchdogUSec)" = "${WD}s" ] || fail "WatchdogUSec is $(prop WatchdogUSec), not ${WD}s"
seen=""; n=0
end=$(( $(date +%s) + WD * 5 / 2 ))
while [ "$(date +%s)" -lt "$end" ]; do
	t=$(prop WatchdogTimestampMonotonic)
	if [ "$t" != "${seen##* }" ]; then seen="$seen $t"; n=$((n + 1)); fi
	sleep 0.2
done
[ "$n" -ge 4 ] || fail "only $n WatchdogTimestamp values in $((WD * 5 / 2)) s:$seen"
[ "$(prop MainPID)" = "$pid" ] && [ "$(prop NRestarts)" = 0 ] && [ "$(prop ActiveState)" = active ] ||
	fail "the watchdog restarted or stopped the service: $(prop ActiveState), NRestarts $(prop NRestarts)"
note "watchdog: $n pings seen in $((WD * 5 / 2)) s with WatchdogSec=${WD}s, no restart"

# ---- Reload.
reloads() { in_ct journalctl -u nipcached --no-pager | grep -c 'reload: /etc/nipcache/nipcached.conf applied' || true; }
r0=$(reloads)
in_ct timeout 30 systemctl reload nipcached.service || fail "systemctl reload failed"
reloaded() { [ "$(reloads)" -gt "$r0" ]; }
wait_for 10 reloaded || fail "the daemon did not log a reload"
[ "$(prop MainPID)" = "$pid" ] && [ "$(prop ActiveState)/$(prop SubState)" = active/running ] ||
	fail "after reload: $(prop ActiveState)/$(prop SubState), MainPID $(prop MainPID) (was $pid)"
note "reload: logged, same MainPID $pid"

# ---- kill -9: restarted (RestartSec=2s).
in_ct kill -KILL "$pid"
restarted() {
	p=$(prop MainPID)
	[ "$p" -gt 0 ] && [ "$p" != "$pid" ] && [ "$(prop ActiveState)" = active ] && [ "$(prop SubState)" = running ]
}
wait_for 30 restarted || fail "not restarted after kill -9: $(prop ActiveState)/$(prop SubState), MainPID $(prop MainPID)"
[ "$(prop NRestarts)" = 1 ] || fail "NRestarts is $(prop NRestarts)"
note "kill -9: restarted, MainPID $pid -> $(prop MainPID)"

# ---- Stop.
in_ct timeout 60 systemctl stop nipcached.service || fail "systemctl stop failed"
[ "$(prop ActiveState)" = inactive ] || fail "after stop: $(prop ActiveState)"
[ "$(prop Result)" = success ] || fail "stop Result=$(prop Result)"
[ "$(prop ExecMainCode)/$(prop ExecMainStatus)" = 1/0 ] ||
	fail "stop: exit code/status $(prop ExecMainCode)/$(prop ExecMainStatus) (1/0 is a clean exit)"
note "stop: inactive, Result=success, exit status 0"

# ---- Power off.
in_ct systemctl poweroff --no-block || fail "systemctl poweroff"
gone() { ! kill -0 "$NSPAWN" 2>/dev/null; }
wait_for 60 gone || fail "the container did not power off within 60 s"
st=0; wait "$NSPAWN" || st=$?
[ $st -eq 0 ] || fail "systemd-nspawn exited $st"
NC_SHOW_CONSOLE=0
note "boot to power-off took $(( $(date +%s) - boot_start )) s"
