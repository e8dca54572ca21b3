#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/mkipk.sh BUILD_DIR OUT_DIR: make OUT_DIR/nipcache_VERSION_ARCH.ipk
# for Enigma2/OpenEmbedded boxes (run by make ipk, after make all).
#
# The layout is the one every opkg reads (../shared/docs/packaging.md §2):
# a gzip'ed tar (GNU format) of ./debian-binary ("2.0"), ./control.tar.gz
# and ./data.tar.gz in that order; all three tars with numeric owner 0/0,
# sorted names and every mtime at SOURCE_DATE_EPOCH, gzip -n, so that the
# same tree gives the same bytes.  The data is make install PREFIX=/usr
# with the busybox start-stop-daemon init script and /etc/default/nipcache
# (WITH_SYSVINIT=1) and without the systemd unit: Enigma2 images boot with
# sysvinit (the OE recipe, packaging/oe, ships both).
#
# Environment: ARCH (opkg's name for the target; by default derived from
# $CC -dumpmachine), SOURCE_DATE_EPOCH (default: the last commit's time),
# STRIP (default strip; "true" keeps the symbols), READELF, MAINTAINER,
# IPK_CACHE_DIR (the cache folder written into the shipped config).
set -eu
umask 022

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
version=$(cat "$top/VERSION")
: "${MAINTAINER:=nipcache developers <dev@nipcache.invalid>}"
: "${IPK_CACHE_DIR:=/media/hdd/nipcache}"
: "${READELF:=readelf}"
: "${STRIP:=strip}"

die() { echo "mkipk: $*" >&2; exit 1; }

# opkg's architecture names are OE tune names (mips32el,
# cortexa15hf-neon-vfpv4, ...).  From the compiler's target: the generic
# name a box of that family also accepts, or the CPU field as it is.
default_arch() {
	t=$(${CC:-cc} -dumpmachine 2>/dev/null || uname -m)
	case "$t" in
	mipsel-* | mips-*-*el*) echo mips32el ;;
	arm*hf) echo armv7ahf ;;
	arm*) echo armv7a ;;
	i?86-*) echo i686 ;;
	*) echo "${t%%-*}" ;;
	esac
}
arch=${ARCH:-$(default_arch)}
case "$arch" in
'' | *[!A-Za-z0-9_.+-]*) die "bad ARCH '$arch'" ;;
esac

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$top" log -1 --format=%ct 2>/dev/null ||
		stat -c %Y "$top/VERSION")
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/nipcache-ipk.XXXXXX")
trap 'rm -rf "$work"' EXIT
data=$work/data
ctl=$work/control
mkdir -p "$data" "$ctl"

${MAKE:-make} -s -C "$top" BUILD="$build" install DESTDIR="$data" PREFIX=/usr WITH_MAN=0 \
	SYSCONFDIR=/etc WITH_SYSVINIT=1 WITH_SYSTEMD=0 WITH_AVAHI=0 >"$work/install.log" 2>&1 ||
	die "make install failed: $(tail -n 5 "$work/install.log")"

# The cache goes on the disk, never on the box's small internal flash; the
# daemon waits for the folder until the disk is mounted.
conf=$data/etc/nipcache/nipcached.conf
sed -i "s|^dir = /var/cache/nipcache\$|dir = $IPK_CACHE_DIR|" "$conf"
grep -q "^dir = $IPK_CACHE_DIR\$" "$conf" || die "no '[cache] dir' line to set in $conf"

elves="$data/usr/sbin/nipcached $data/usr/bin/nipcast"
for f in $elves; do
	$STRIP --strip-unneeded "$f" || die "$STRIP $f failed"
done

# Depends: the OE package of each library the programs link (recipe
# package names; OE's debian renaming keeps these as RPROVIDES).  An
# unknown library stops the build rather than ship a package that installs
# without it.
oe_pkg() {
	case "$1" in
	libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | ld-*) ;;
	libxml2.so.*) echo libxml2 ;;
	libmicrohttpd.so.*) echo libmicrohttpd ;;
	libcurl.so.*) echo libcurl ;;
	libinih.so.*) echo libinih ;;
	libz.so.*) echo zlib ;;
	libnettle.so.* | libhogweed.so.*) echo nettle ;;
	libdvbv5.so.*) echo libv4l ;;
	libudev.so.*) echo libudev ;;
	*) die "no OE package known for $1 (add it to oe_pkg in tools/mkipk.sh)" ;;
	esac
}
needed=$(for f in $elves; do
	$READELF -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
done | sort -u)
[ -n "$needed" ] || die "$READELF found no libraries in $elves"
deps=$(for so in $needed; do oe_pkg "$so"; done | sort -u | paste -sd, - | sed 's/,/, /g')

{
	echo "Package: nipcache"
	echo "Version: $version"
	echo "Architecture: $arch"
	echo "Maintainer: $MAINTAINER"
	echo "Depends: $deps"
	echo "Section: net"
	echo "Priority: optional"
	echo "Source: nipcache-$version.tar.gz"
	echo "License: GPL-2.0-or-later"
	echo "Description: DVB-NIP multicast carousel cache with a local HTTP server"
	echo " nipcached receives DVB-NIP / FLUTE multicast carousels, rebuilds"
	echo " every object into a crash-safe disk cache and serves it to the"
	echo " players on the box and the home network over HTTP (HLS, DASH, DVB-I)."
	echo " nipcast is the matching carousel sender."
} >"$ctl/control"
printf '/etc/nipcache/nipcached.conf\n/etc/default/nipcache\n' >"$ctl/conffiles"
while read -r f; do
	[ -f "$data$f" ] || die "conffile $f is not in the package"
done <"$ctl/conffiles"
for s in postinst prerm postrm; do
	install -m 0755 "$top/packaging/ipk/$s" "$ctl/$s"
done
chmod 0755 "$data" "$ctl"

# mktar DIR OUT: a reproducible gzip'ed GNU tar of DIR's contents.
mktar() {
	tar --format=gnu --numeric-owner --owner=0 --group=0 --sort=name \
		--mtime="@$SOURCE_DATE_EPOCH" -C "$1" -cf - . | gzip -n9 >"$2"
}
mkdir "$work/outer"
mktar "$ctl" "$work/outer/control.tar.gz"
mktar "$data" "$work/outer/data.tar.gz"
printf '2.0\n' >"$work/outer/debian-binary"
ipk=nipcache_${version}_$arch.ipk
tar --format=gnu --numeric-owner --owner=0 --group=0 --mtime="@$SOURCE_DATE_EPOCH" \
	-C "$work/outer" -cf - ./debian-binary ./control.tar.gz ./data.tar.gz |
	gzip -n9 >"$out/$ipk.tmp"
mv "$out/$ipk.tmp" "$out/$ipk"
echo "$out/$ipk"
