#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/mkdist.sh OUT_DIR: the release tarball of HEAD,
# OUT_DIR/nipcache-VERSION.tar.gz (one folder nipcache-VERSION/), and the
# OpenEmbedded recipe for it, OUT_DIR/nipcache_VERSION.bb, made from
# packaging/oe/nipcache.bb.in with the tarball's sha256 and the licence's
# md5 filled in.  Run by make dist.
#
# The tarball is git archive of the commit, so uncommitted changes are not
# in it (a warning says so).  Its bytes depend only on the commit: git
# archive stamps every file with the commit's time, and gzip -n stores no
# name or time.
#
# The status page's player, hls.js, is not ours and not in the tarball: the
# recipe fetches the npm package itself, at the version and with the
# sha256 of tests/player/package-lock.json's tarball (taken from npm's
# cache, which make deps fills; its sha512 is checked against the lock).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

die() { echo "mkdist: $*" >&2; exit 1; }

git -C "$top" rev-parse --verify -q HEAD >/dev/null 2>&1 ||
	die "$top is not a git work tree with a commit; a release tarball is made from one"
if [ -n "$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	echo "mkdist: warning: uncommitted changes are not in the tarball (it holds HEAD," \
		"$(git -C "$top" rev-parse --short HEAD))" >&2
fi
# Everything is taken from HEAD, so the recipe matches the tarball.
version=$(git -C "$top" show HEAD:VERSION)
case "$version" in
'' | *[!0-9A-Za-z.+~-]*) die "bad VERSION '$version' in HEAD" ;;
esac
tmpl=$(git -C "$top" show HEAD:packaging/oe/nipcache.bb.in) ||
	die "HEAD has no packaging/oe/nipcache.bb.in"
git -C "$top" cat-file -e HEAD:LICENSE || die "HEAD has no LICENSE"
licmd5=$(git -C "$top" show HEAD:LICENSE | md5sum | cut -d' ' -f1)
name=nipcache-$version

# hls.js: version and integrity from the lock file of HEAD.
hls=$(git -C "$top" show HEAD:tests/player/package-lock.json | python3 -c '
import json, sys
p = json.load(sys.stdin)["packages"]["node_modules/hls.js"]
print(p["version"], p["integrity"])') || die "HEAD's tests/player/package-lock.json names no hls.js"
hlsver=${hls% *}
hlsint=${hls#* }
command -v npm >/dev/null 2>&1 || die "npm is missing (run make deps): the recipe needs hls.js's checksum"
npmtmp=$(mktemp -d)
trap 'rm -rf "$npmtmp"' EXIT
(cd "$npmtmp" && npm pack --offline --silent "hls.js@$hlsver" >/dev/null 2>&1) ||
	die "hls.js $hlsver is not in npm's cache (run make deps)"
got=sha512-$(python3 -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' \
	"$npmtmp/hls.js-$hlsver.tgz")
[ "$got" = "$hlsint" ] || die "npm's hls.js-$hlsver.tgz is not the one package-lock.json names"
hlssha=$(sha256sum "$npmtmp/hls.js-$hlsver.tgz" | cut -d' ' -f1)
tarball=$out/$name.tar.gz
git -C "$top" archive --format=tar --prefix="$name/" -o "$out/$name.tar.tmp" HEAD ||
	die "git archive failed"
gzip -n9 <"$out/$name.tar.tmp" >"$tarball.tmp"
rm -f "$out/$name.tar.tmp"
mv "$tarball.tmp" "$tarball"

sha=$(sha256sum "$tarball" | cut -d' ' -f1)
printf '%s\n' "$tmpl" |
	sed -e "s/@SHA256@/$sha/g" -e "s/@LICENSE_MD5@/$licmd5/g" \
		-e "s/@HLSJS_VERSION@/$hlsver/g" -e "s/@HLSJS_SHA256@/$hlssha/g" >"$out/nipcache_$version.bb.tmp"
mv "$out/nipcache_$version.bb.tmp" "$out/nipcache_$version.bb"
echo "$tarball"
echo "$out/nipcache_$version.bb"
