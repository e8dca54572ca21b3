#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/mkchroot.sh BUILD_DIR CHROOT_DIR: make chroot, run by make check
# and make check-long before the system tests.  A clean Debian system with systemd as its
# init, for the long package tests (tests/system/102-long-deb-lifecycle.sh
# installs, upgrades, removes and purges the .deb in a throwaway copy of
# it; 098-nspawn-boot.sh boots a copy in systemd-nspawn).  Those tests
# run without network, so the libraries the programs link to are installed
# here, together with everything the .deb depends on: the tests then only
# dpkg -i the package.
#
# debootstrap --variant=minbase of SUITE (default bookworm) from the
# machine's configured Debian mirror (the first "deb" source for that suite
# in /etc/apt/sources.list*, or MIRROR=URL), into CHROOT_DIR.new, which
# becomes CHROOT_DIR once complete; CHROOT_DIR.stamp then records the
# package list.  A later run with the same list does nothing and touches no
# network; a changed list (a new library) or a missing stamp builds the
# folder again.  About 45 s and 250 MB the first time (2 cores).
set -eu
umask 022

build=$1
dir=${2%/}
suite=${SUITE:-bookworm}
stamp=$dir.stamp

# The packages of the libraries the programs link to (libc is in any
# system), as the host's dpkg names them: the package's shlibs Depends.
libpkgs() {
	for f in "$build/nipcached" "$build/nipcast"; do
		[ -x "$f" ] || { echo "chroot: $f is missing (make all first)" >&2; exit 1; }
		objdump -p "$f" | awk '$1 == "NEEDED" { print $2 }'
	done | sort -u | while read -r lib; do
		case "$lib" in libc.so.*) continue ;; esac
		path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
		[ -n "$path" ] || { echo "chroot: cannot find $lib" >&2; exit 1; }
		pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(realpath "$path")" 2>/dev/null) ||
			{ echo "chroot: no package owns $path" >&2; exit 1; }
		echo "${pkg%%:*}"
	done
}

# systemd as init (systemd-sysv), dbus for systemctl's bus, procps for the
# unit's ExecReload=/bin/kill, and the libraries; sorted, one per line.
want=$( { printf '%s\n' systemd systemd-sysv dbus procps; libpkgs; } | sort -u)
[ -n "$want" ] || exit 1

if [ -d "$dir" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	echo "chroot: $dir is there ($suite, $(echo "$want" | wc -l) packages asked for)"
	exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "chroot: debootstrap needs root (run make chroot as root)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "chroot: debootstrap is missing (make deps installs it)" >&2; exit 1; }

# The first deb source for SUITE: one-line ("deb [opts] URI suite ...")
# and deb822 (Types/URIs/Suites paragraphs) files.
mirror_of() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed 's/\[[^]]*\]//' "$f" | awk -v s="$suite" '$1 == "deb" && $3 == s { print $2; exit }'
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v s="$suite" '
			function done_para() {
				if (t ~ /(^| )deb( |$)/ && (" " su " ") ~ (" " s " ") && u != "") {
					split(u, a, " "); print a[1]; exit
				}
				t = ""; u = ""; su = ""
			}
			/^[ \t]*$/ { done_para(); next }
			/^#/ { next }
			tolower($1) == "types:" { $1 = ""; t = $0 }
			tolower($1) == "uris:" { $1 = ""; u = $0; sub(/^ +/, "", u) }
			tolower($1) == "suites:" { $1 = ""; su = $0 }
			END { done_para() }' "$f"
	done
}
mirror=${MIRROR:-$(mirror_of | head -n 1)}
[ -n "$mirror" ] || {
	echo "chroot: no 'deb' source for $suite in /etc/apt/sources.list*; set MIRROR=URL" >&2
	exit 1
}

incl=$(echo "$want" | paste -sd, -)
echo "chroot: debootstrap $suite from $mirror into $dir (about a minute)"
echo "chroot: with $incl"
start=$(date +%s)
rm -rf "$dir.new" "$stamp"
mkdir -p "$(dirname "$dir")"
if ! debootstrap --variant=minbase --include="$incl" "$suite" "$dir.new" "$mirror" \
    >"$dir.log" 2>&1; then
	tail -n 20 "$dir.log" >&2
	echo "chroot: debootstrap failed; log: $dir.log" >&2
	rm -rf "$dir.new"
	exit 1
fi
# Every package asked for is installed (debootstrap leaves out nothing it
# was told to include, but a silently missing library would only show as
# an unsatisfied Depends in the tests).
for p in $want; do
	st=$(dpkg-query --admindir="$dir.new/var/lib/dpkg" -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in
	ii*) ;;
	*) echo "chroot: $p is not installed in $dir.new" >&2; exit 1 ;;
	esac
done
# The downloaded .debs are not needed: a copy per test stays small.
rm -f "$dir.new"/var/cache/apt/archives/*.deb
rm -rf "$dir"
mv "$dir.new" "$dir"
echo "$want" >"$stamp"
echo "chroot: $dir made in $(( $(date +%s) - start )) s ($(du -sh "$dir" | cut -f1))"
