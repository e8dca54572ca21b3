#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package: `make deb` (with DEB_BUILD_OPTIONS=nocheck, since
# make check runs the unit tests already) builds it into a temp folder and
# lintian reports no error or warning; then the .deb is inspected with
# dpkg-deb.  Asserts:
#  - the files: programs (root-owned, executable, hardened: PIE, BIND_NOW,
#    RELRO), the config as the only conffile, the unit identical to
#    systemd/nipcached.service where bookworm's systemd enables it, the
#    sysctl and sysusers files; nothing under /usr/local or /etc/avahi;
#  - rmem_max in the sysctl file covers the shipped [input] receive_buffer;
#  - the sysusers file makes user nipcache, member of group video;
#  - the maintainer scripts parse (sh -n), create the user, enable the
#    unit, make the cache folder and remove it on purge, and handle the
#    Avahi file (whose logic 096-deb-avahi tests);
#  - Depends names the package of every library the programs link to,
#    procps (ExecReload's kill) and a sysusers provider;
#  - the packaged nipcached accepts the packaged config (-n).
. "$NC_SYS/common.sh"

for t in dpkg-buildpackage dpkg-deb lintian dh objdump readelf; do
	command -v "$t" >/dev/null || fail "$t is missing (make deps installs debhelper, dpkg-dev, lintian)"
done

start=$(date +%s)
DEB_BUILD_OPTIONS=nocheck make -s -C "$NC_TOP" BUILD="$NC_TMP/b" deb >"$NC_TMP/deb.log" 2>&1 ||
	fail "make deb: $(tail -n 30 "$NC_TMP/deb.log")"
note "make deb (nocheck) took $(( $(date +%s) - start )) s"
out="$NC_TMP/b/deb"
[ -f "$out/lintian.txt" ] || fail "no lintian output saved"
! grep -E '^(E|W): ' "$out/lintian.txt" || fail "lintian errors or warnings (above)"
note "lintian: $(grep -c '^[IPX]: ' "$out/lintian.txt") info/pedantic tags, no error or warning"

ver=$(cat "$NC_TOP/VERSION")
arch=$(dpkg --print-architecture)
set -- "$out"/nipcache_"$ver"-*_"$arch".deb
[ $# -eq 1 ] && [ -f "$1" ] || fail "no single nipcache_$ver-*_$arch.deb in $out: $(ls "$out")"
deb=$1

# Fields.
[ "$(dpkg-deb -f "$deb" Package)" = nipcache ] || fail "Package: $(dpkg-deb -f "$deb" Package)"
[ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ] || fail "Architecture"
dpkg-deb -f "$deb" Maintainer | grep -q '<.*@.*>' || fail "Maintainer has no address"
dpkg-deb -f "$deb" Depends | tr ',|' '\n\n' | sed 's/^ *//; s/ .*//' | sort -u >"$NC_TMP/depends"
for p in procps systemd-sysusers; do
	grep -qx "$p" "$NC_TMP/depends" || fail "Depends lacks $p: $(dpkg-deb -f "$deb" Depends)"
done

# Files.
dpkg-deb -c "$deb" >"$NC_TMP/list"
awk '{ sub(/^\.\//, "", $6); print $6 }' "$NC_TMP/list" >"$NC_TMP/paths"
for f in usr/sbin/nipcached usr/bin/nipcast etc/nipcache/nipcached.conf \
	lib/systemd/system/nipcached.service usr/lib/sysctl.d/60-nipcache.conf usr/sbin/nipcache-avahi-service \
	usr/lib/sysusers.d/nipcache.conf usr/share/doc/nipcache/copyright \
	usr/share/nipcache/ui/index.html usr/share/nipcache/ui/status.js \
	usr/share/nipcache/ui/status.css usr/share/nipcache/ui/hls.min.js; do
	grep -qx "$f" "$NC_TMP/paths" || fail "$f is not in the package"
done
! grep -E '^(usr/local|etc/avahi|etc/systemd)/' "$NC_TMP/paths" || fail "files in the wrong place (above)"
awk '$2 != "root/root" { print; bad = 1 } END { exit bad }' "$NC_TMP/list" || fail "files not owned by root (above)"
for f in usr/sbin/nipcached usr/bin/nipcast; do
	grep -q "^-rwxr-xr-x .* \./$f\$" "$NC_TMP/list" || fail "$f is not mode 0755"
done

dpkg-deb -x "$deb" "$NC_TMP/root"
r="$NC_TMP/root"
cmp -s "$r/lib/systemd/system/nipcached.service" "$NC_TOP/systemd/nipcached.service" ||
	fail "the packaged unit differs from systemd/nipcached.service"
for f in usr/sbin/nipcached usr/bin/nipcast; do
	readelf -h "$r/$f" | grep -q 'Type: *DYN' || fail "$f is not PIE"
	readelf -d "$r/$f" | grep -q 'BIND_NOW' || fail "$f lacks BIND_NOW (hardening=+all)"
	readelf -l "$r/$f" | grep -q 'GNU_RELRO' || fail "$f lacks RELRO"
done
"$r/usr/sbin/nipcached" -n --config "$r/etc/nipcache/nipcached.conf" | grep -q 'configuration OK' ||
	fail "the packaged nipcached refuses the packaged config"
# Built with the default PREFIX, installed with /usr: the status page's
# folder compiled in follows the install.
grep -qaF /usr/share/nipcache/ui "$r/usr/sbin/nipcached" &&
	! grep -qaF /usr/local/share/nipcache "$r/usr/sbin/nipcached" ||
	fail "nipcached does not look for the status page in /usr/share/nipcache/ui"

# The sysctl value covers the receive buffer the shipped config asks for.
want=$(sed -n 's/^receive_buffer *= *\([0-9]*\)\([KMG]\?\) *$/\1 \2/p' "$r/etc/nipcache/nipcached.conf" |
	awk '{ m = $2 == "K" ? 1024 : $2 == "M" ? 1048576 : $2 == "G" ? 1073741824 : 1; print $1 * m }')
have=$(sed -n 's/^net\.core\.rmem_max *= *\([0-9]*\) *$/\1/p' "$r/usr/lib/sysctl.d/60-nipcache.conf")
[ -n "$want" ] && [ -n "$have" ] || fail "receive_buffer ($want) or rmem_max ($have) not found"
[ "$have" -ge "$want" ] || fail "rmem_max $have < receive_buffer $want"
note "sysctl net.core.rmem_max = $have for receive_buffer = $want"

# The user.
grep -Eq '^u +nipcache +- ' "$r/usr/lib/sysusers.d/nipcache.conf" || fail "sysusers: no user nipcache"
grep -Eq '^m +nipcache +video *$' "$r/usr/lib/sysusers.d/nipcache.conf" || fail "sysusers: nipcache not in video"

# Every library the programs need comes from a package in Depends.
for f in usr/sbin/nipcached usr/bin/nipcast; do
	objdump -p "$r/$f" | awk '$1 == "NEEDED" { print $2 }'
done | sort -u >"$NC_TMP/needed"
[ -s "$NC_TMP/needed" ] || fail "objdump found no NEEDED libraries"
while read -r lib; do
	path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64|'"$arch"'/ { print $NF; exit }')
	[ -n "$path" ] || path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
	[ -n "$path" ] || fail "cannot find $lib on this machine"
	pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(realpath "$path")" 2>/dev/null ||
		dpkg -S "${path#/usr}" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null) ||
		fail "no package owns $path"
	pkg=${pkg%%:*}
	grep -qx "$pkg" "$NC_TMP/depends" || fail "Depends lacks $pkg (for $lib): $(dpkg-deb -f "$deb" Depends)"
done <"$NC_TMP/needed"
note "Depends covers the $(wc -l <"$NC_TMP/needed") libraries the programs link to"

# Control files: conffiles are exactly the files under /etc.
mkdir -p "$NC_TMP/ctl"
dpkg-deb -e "$deb" "$NC_TMP/ctl"
grep '^etc/' "$NC_TMP/paths" | grep -v '/$' | sed 's|^|/|' | sort >"$NC_TMP/etc"
sort "$NC_TMP/ctl/conffiles" | cmp -s - "$NC_TMP/etc" ||
	fail "conffiles ($(tr '\n' ' ' <"$NC_TMP/ctl/conffiles")) differ from the files under /etc"
for s in preinst postinst prerm postrm; do
	[ -f "$NC_TMP/ctl/$s" ] || continue
	[ -x "$NC_TMP/ctl/$s" ] || fail "$s is not executable"
	sh -n "$NC_TMP/ctl/$s" || fail "$s does not parse"
done
c="$NC_TMP/ctl"
grep -q 'systemd-sysusers .*nipcache\.conf' "$c/postinst" || fail "postinst does not create the user"
grep -q "deb-systemd-helper enable 'nipcached.service'" "$c/postinst" || fail "postinst does not enable the unit"
grep -q 'install -d -o nipcache -g nipcache .*/var/cache/nipcache' "$c/postinst" ||
	fail "postinst does not make the cache folder"
grep -q "deb-systemd-invoke stop 'nipcached.service'" "$c/prerm" || fail "prerm does not stop the unit"
grep -q 'rm -rf "$DPKG_ROOT/var/cache/nipcache"' "$c/postrm" || fail "postrm purge keeps the cache"
# The Avahi file is made on the box (096-deb-avahi runs these scripts).
grep -q 'usr/sbin/nipcache-avahi-service' "$c/postinst" && grep -q 'nipcache-postinst:' "$c/postrm" ||
	fail "the maintainer scripts do not make and remove the Avahi file"
! grep -q '#DEBHELPER#' "$c/postinst" "$c/postrm" || fail "an unexpanded #DEBHELPER# token"
