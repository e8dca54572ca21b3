# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced (instead of common.sh) by the package tests 098 and 102: a
# throwaway copy of the clean Debian system that `make chroot` made
# (tools/mkchroot.sh: debootstrap minbase with systemd and the programs'
# libraries), and the .deb built from this tree.
#
# The test first runs itself again in a mount namespace of its own, so the
# copy's overlay mount (and anything systemd-nspawn leaves) goes away with
# the test however it ends; its cleanup unmounts as well.  Needs root: the
# mount, chroot and systemd-nspawn all do.
NC_CHROOT=${NC_CHROOT:-/var/cache/nipcache-test/bookworm}
if [ -z "${NC_MNTNS:-}" ]; then
	# Root of the machine, not of a user namespace (run.sh gives a user
	# one of those), where dpkg cannot chown and nspawn cannot boot.
	if [ "$(id -u)" -ne 0 ] ||
	    ! awk '$1 == 0 && $2 == 0 && $3 == 4294967295 { ok = 1 } END { exit !ok }' /proc/self/uid_map; then
		echo "SKIP: needs root (an overlay mount, chroot, dpkg and systemd-nspawn)"
		exit 77
	fi
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "SKIP: cannot make a mount namespace here (unshare -m)"
		exit 77
	fi
	NC_MNTNS=1 exec unshare -m --propagation private sh "$0"
fi
. "$NC_SYS/common.sh"

CH_ROOT=""
CH_OVERLAY=0

# Runs first at cleanup (after the test's processes are killed): the
# test's own hook (ch_test_cleanup), then the copy is unmounted.
nc_test_cleanup() {
	if command -v ch_test_cleanup >/dev/null 2>&1; then
		ch_test_cleanup || true
	fi
	if [ "$CH_OVERLAY" = 1 ]; then
		umount "$CH_ROOT" 2>/dev/null || umount -l "$CH_ROOT" 2>/dev/null || true
	fi
}

# ch_copy: CH_ROOT becomes a writable copy of the chroot: an overlay on it
# (the cached folder itself is never written), or a cp -a where overlayfs
# is missing.  A missing or half-made chroot is a failure: make chroot
# (run by make check-long) makes it.
ch_copy() {
	[ -d "$NC_CHROOT" ] && [ -f "$NC_CHROOT.stamp" ] ||
		fail "no complete chroot at $NC_CHROOT: run 'make chroot' (make check-long does)"
	for t in chroot dpkg-buildpackage lintian; do
		command -v "$t" >/dev/null || fail "$t is missing (make deps)"
	done
	CH_ROOT="$NC_TMP/root"
	mkdir -p "$CH_ROOT" "$NC_TMP/upper" "$NC_TMP/work"
	if mount -t overlay overlay \
	    -o "lowerdir=$NC_CHROOT,upperdir=$NC_TMP/upper,workdir=$NC_TMP/work" "$CH_ROOT" 2>"$NC_TMP/mount.err"; then
		CH_OVERLAY=1
	else
		note "no overlay mount ($(cat "$NC_TMP/mount.err")): copying the chroot"
		cp -a "$NC_CHROOT/." "$CH_ROOT/" || fail "cannot copy $NC_CHROOT"
	fi
}

# ch_run CMD...: CMD inside the copy, with a clean environment.
ch_run() {
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root \
		DEBIAN_FRONTEND=noninteractive chroot "$CH_ROOT" "$@"
}

# ch_build_deb SRCTOP OUTDIR: make deb (without the unit tests, which make
# check runs) of the tree at SRCTOP into OUTDIR/deb; prints the .deb.
ch_build_deb() {
	bs=$(date +%s)
	DEB_BUILD_OPTIONS=nocheck make -s -C "$1" BUILD="$2" deb >"$2.log" 2>&1 ||
		fail "make deb in $1: $(tail -n 30 "$2.log")"
	set -- "$2"/deb/nipcache_*_"$(dpkg --print-architecture)".deb
	[ $# -eq 1 ] && [ -f "$1" ] || fail "no single nipcache .deb: $*"
	note "make deb (nocheck) of $(dpkg-deb -f "$1" Version) took $(( $(date +%s) - bs )) s" >&2
	echo "$1"
}

# ch_dpkg_deb DEB [OPTION...]: dpkg -i [OPTION...] DEB inside the copy;
# no prompt can hang it (stdin is /dev/null, and it is bounded).
ch_dpkg_deb() {
	cd_deb=$1; shift
	mkdir -p "$CH_ROOT/root/debs"
	cp "$cd_deb" "$CH_ROOT/root/debs/"
	ch_run timeout 300 dpkg -i "$@" "/root/debs/${cd_deb##*/}" </dev/null
}

# ch_stat PATH: "user:group mode" of PATH inside the copy, by its names.
ch_stat() { ch_run stat -c '%U:%G %a' "$1"; }
