#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make deb: build the Debian package offline from a copy of the working
# tree, with packaging/debian as its debian/ (the repository keeps no
# debian/ at the top), then lintian it.  Usage: deb.sh BUILD_DIR
# Out: BUILD_DIR/deb/*.deb, *.changes, build.log, lintian.txt.  Fails on
# any lintian error or warning.  The build dependencies come from
# `make deps` (tools/deps.sh); nothing here touches the network.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)/deb
src=$out/src

# The package version's upstream part must be the one the Makefile uses.
ver=$(sed -n '1s/^nipcache (\([^-)]*\)-[^)]*).*/\1/p' "$top/packaging/debian/changelog")
[ "$ver" = "$(cat "$top/VERSION")" ] || {
	echo "deb: debian/changelog says $ver, VERSION says $(cat "$top/VERSION")" >&2
	exit 1
}

rm -rf "$out"
mkdir -p "$src"
# Tracked and new files as they are now, without build output or ignored
# files; from a tree without git (a release tarball), all but build dirs.
cd "$top"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -c -o --exclude-standard | while IFS= read -r f; do
		[ -e "$f" ] && printf '%s\n' "$f"
	done | tar -cf - -T - | tar -C "$src" -xf -
else
	tar --exclude=./build --exclude='./build-*' --exclude=node_modules -cf - . |
		tar -C "$src" -xf -
fi
rm -rf "$src/debian"
cp -R "$top/packaging/debian" "$src/debian"
# The status page's player: hls.js from the npm package make deps installs
# (node_modules is not part of the copy above); the package ships it.
hlsjs=tests/player/node_modules/hls.js/dist/hls.min.js
[ -f "$top/$hlsjs" ] || {
	echo "deb: $hlsjs is missing (run make deps): the status page needs it" >&2
	exit 1
}
mkdir -p "$src/${hlsjs%/*}"
cp "$top/$hlsjs" "$src/$hlsjs"

# The package build is a make of its own: nothing of a calling make (its
# command-line variables such as BUILD=, its -j or -s) may leak into it.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
start=$(date +%s)
cd "$src"
if ! DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (missing build dependencies? run make deps); log: $out/build.log" >&2
	exit 1
fi
echo "deb: built in $(( $(date +%s) - start )) s:"
ls "$out"/*.deb
# The source copy and its objects are not needed any more.
cd "$out"
rm -rf "$src"

# Errors and warnings fail; info and pedantic tags are shown, and kept.
st=0
lintian --fail-on error,warning --display-info --pedantic \
	"$out"/nipcache_*.changes >"$out/lintian.txt" 2>&1 || st=$?
cat "$out/lintian.txt"
if [ $st -ne 0 ]; then
	echo "deb: lintian found errors or warnings (rc $st)" >&2
	exit 1
fi
echo "deb: lintian: no error or warning"
