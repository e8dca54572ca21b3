#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make dist: a reproducible release tarball (one folder nipcache-VERSION/,
# every file of the commit) and the OE recipe for it, whose checksums match
# the tarball and its LICENSE.  The recipe's do_compile and do_install then
# run on the unpacked tarball the way bitbake would run them (its variables
# expanded, oe_runmake = make EXTRA_OEMAKE), once for a sysvinit distro
# (Enigma2) and once for a systemd one, and the files its INITSCRIPT_NAME,
# SYSTEMD_SERVICE, CONFFILES and FILES name must be there.
. "$NC_SYS/common.sh"

command -v git >/dev/null || fail "git is not installed (make deps installs it)"
command -v python3 >/dev/null || fail "python3 is not installed (make deps installs it)"
git -C "$NC_TOP" rev-parse --verify -q HEAD >/dev/null 2>&1 ||
	skip "$NC_TOP is not a git work tree (make dist archives a commit)"

# The work tree as it is, committed into a scratch repository, so that
# what make dist archives is what is being tested.
repo=$NC_TMP/repo
mkdir -p "$repo"
(cd "$NC_TOP" && git ls-files -z -co --exclude-standard |
	tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$repo"
git -C "$repo" init -q
git -C "$repo" add -A
GIT_COMMITTER_DATE=@1700000000 git -C "$repo" -c user.name=t -c user.email=t@nipcache.invalid \
	commit -q -m dist --date=@1700000000 || fail "scratch commit"
version=$(cat "$repo/VERSION")
name=nipcache-$version

make -s -C "$repo" dist DIST_DIR="$NC_TMP/d1" >"$NC_TMP/dist.out" 2>&1 ||
	fail "make dist: $(cat "$NC_TMP/dist.out")"
make -s -C "$repo" dist DIST_DIR="$NC_TMP/d2" >/dev/null 2>&1 || fail "second make dist"
tgz=$NC_TMP/d1/$name.tar.gz
bb=$NC_TMP/d1/nipcache_$version.bb
[ -f "$tgz" ] && [ -f "$bb" ] || fail "make dist wrote: $(ls "$NC_TMP/d1")"
cmp -s "$tgz" "$NC_TMP/d2/$name.tar.gz" || fail "two make dist tarballs differ"
cmp -s "$bb" "$NC_TMP/d2/nipcache_$version.bb" || fail "two make dist recipes differ"
! grep -q 'warning' "$NC_TMP/dist.out" || fail "make dist warned on a clean tree: $(cat "$NC_TMP/dist.out")"

# Contents: every file of the commit under nipcache-VERSION/, at its time.
git -C "$repo" ls-files | sed "s|^|$name/|" | sort >"$NC_TMP/want"
python3 - "$tgz" "$name" 1700000000 >"$NC_TMP/have" <<'PY' || fail "tarball layout (see above)"
import sys, tarfile
path, name, epoch = sys.argv[1], sys.argv[2], int(sys.argv[3])
bad = 0
for m in tarfile.open(path, "r:gz").getmembers():
	if m.name != name and not m.name.startswith(name + "/"):
		print("outside", name + "/:", m.name, file=sys.stderr); bad = 1
	if m.mtime != epoch:
		print(m.name, "mtime", m.mtime, file=sys.stderr); bad = 1
	if m.isreg():
		print(m.name)
sys.exit(bad)
PY
sort -o "$NC_TMP/have" "$NC_TMP/have"
cmp -s "$NC_TMP/want" "$NC_TMP/have" ||
	fail "tarball files differ from the commit: $(diff "$NC_TMP/want" "$NC_TMP/have" | head -n 10)"
mkdir -p "$NC_TMP/src"
tar -xzf "$tgz" -C "$NC_TMP/src"
S=$NC_TMP/src/$name

# The recipe: nothing left unfilled, checksums of this tarball and licence.
! grep -n '@[A-Z0-9_]*@' "$bb" || fail "placeholders left in the recipe"
grep -qx "SRC_URI\[sha256sum\] = \"$(sha256sum "$tgz" | cut -d' ' -f1)\"" "$bb" ||
	fail "recipe sha256 is not the tarball's"
lic=$(sed -n 's|^LIC_FILES_CHKSUM = "file://\([^;]*\);md5=\([0-9a-f]*\)"$|\1 \2|p' "$bb")
[ -n "$lic" ] || fail "no LIC_FILES_CHKSUM file://FILE;md5= line"
[ -f "$S/${lic% *}" ] || fail "licence file ${lic% *} is not in the tarball"
[ "$(md5 "$S/${lic% *}")" = "${lic#* }" ] || fail "LIC_FILES_CHKSUM md5 is not ${lic% *}'s"

# bbmock.py get|script RECIPE S D FEATURES [VAR]: a recipe variable, or the
# shell bitbake would run for do_compile and do_install, with the usual
# OE paths and DISTRO_FEATURES = FEATURES.
cat >"$NC_TMP/bbmock.py" <<'PY'
import re, sys
mode, recipe, S, D, features = sys.argv[1:6]
ver = re.search(r"nipcache_(.*)\.bb$", recipe).group(1)
V = {"PN": "nipcache", "PV": ver, "BP": "nipcache-" + ver, "prefix": "/usr",
     "bindir": "/usr/bin", "sbindir": "/usr/sbin", "sysconfdir": "/etc",
     "localstatedir": "/var", "mandir": "/usr/share/man",
     "systemd_system_unitdir": "/lib/systemd/system", "S": S, "D": D,
     "CC": "cc", "CFLAGS": "-O2 -g", "CPPFLAGS": "", "LDFLAGS": "",
     "DISTRO_FEATURES": features, "WORKDIR": S.rsplit("/", 1)[0]}

class Utils:
	@staticmethod
	def contains(var, item, t, f, d):
		return t if item in d.getVar(var).split() else f
class BB:
	utils = Utils
class Data:
	def getVar(self, n):
		return expand(V.get(n, ""))

def expand(s):
	for _ in range(20):
		n = re.sub(r"\$\{([A-Za-z0-9_:\[\]-]+)\}",
			   lambda m: V[m.group(1)] if m.group(1) in V else m.group(0), s)
		n = re.sub(r"\$\{@(.+?, d\))\}",
			   lambda m: str(eval(m.group(1), {"bb": BB, "d": Data()})), n)
		if n == s:
			return s
		s = n
	sys.exit("expansion does not end: " + s)

text = re.sub(r"\\\n", " ", open(recipe).read())
funcs = dict(re.findall(r"^(\w+)\(\) \{\n(.*?)\n\}$", text, re.M | re.S))
for line in text.splitlines():
	m = re.match(r'^([A-Za-z0-9_:${}\[\]-]+)\s*(\?\?=|\?=|:=|\+=|=)\s*"(.*)"\s*$', line)
	if not m:
		continue
	k, op, v = expand(m.group(1)), m.group(2), m.group(3)
	if op in ("??=", "?=") and k in V:
		continue
	V[k] = (V.get(k, "") + " " + v) if op == "+=" else v
if mode == "get":
	print(expand(V.get(sys.argv[6], "")).strip())
else:
	print("set -e")
	print("oe_runmake() { make -j2 -C %s %s \"$@\"; }" % (S, expand(V["EXTRA_OEMAKE"])))
	for f in ("do_compile", "do_install"):
		print("%s() {\n%s\n}" % (f, expand(funcs[f])))
	print("do_compile\ndo_install")
PY
get() { python3 "$NC_TMP/bbmock.py" get "$bb" "$S" "$1" "$2" "$3"; }
src=$(get "$NC_TMP/D" sysvinit SRC_URI)
set -- $src
[ "${1##*/}" = "$name.tar.gz" ] || fail "SRC_URI $1 does not name $name.tar.gz"

# The second SRC_URI is hls.js from npm: bitbake would fetch it and check
# its sha256; here it comes from npm's cache (make deps), is checked the
# same way and unpacked where the recipe's subdir= puts it.
hlsver=$(get "$NC_TMP/D" sysvinit HLSJS_PV)
[ "$2" = "https://registry.npmjs.org/hls.js/-/hls.js-$hlsver.tgz;name=hlsjs;subdir=hlsjs" ] ||
	fail "SRC_URI's second entry is not hls.js $hlsver from npm: $2"
command -v npm >/dev/null || fail "npm is not installed (make deps installs it)"
(cd "$NC_TMP" && npm pack --offline --silent "hls.js@$hlsver" >/dev/null 2>&1) ||
	fail "hls.js $hlsver is not in npm's cache (make deps)"
grep -qx "SRC_URI\[hlsjs.sha256sum\] = \"$(sha256sum "$NC_TMP/hls.js-$hlsver.tgz" | cut -d' ' -f1)\"" "$bb" ||
	fail "recipe's hls.js sha256 is not the npm tarball's"
mkdir -p "$NC_TMP/src/hlsjs"
tar -xzf "$NC_TMP/hls.js-$hlsver.tgz" -C "$NC_TMP/src/hlsjs"

# distro_round NAME FEATURES: do_compile + do_install into $NC_TMP/D-NAME;
# the files the recipe's variables name are there.
distro_round() {
	D=$NC_TMP/D-$1
	python3 "$NC_TMP/bbmock.py" script "$bb" "$S" "$D" "$2" >"$NC_TMP/tasks-$1.sh" ||
		fail "$1: cannot expand the recipe"
	sh "$NC_TMP/tasks-$1.sh" >"$NC_TMP/tasks-$1.log" 2>&1 ||
		fail "$1: do_compile/do_install from the tarball: $(tail -n 15 "$NC_TMP/tasks-$1.log")"
	for f in $(get "$D" "$2" CONFFILES:nipcache) $(get "$D" "$2" FILES:nipcast) /usr/sbin/nipcached; do
		[ -f "$D$f" ] || fail "$1: $f (CONFFILES/FILES) not installed"
	done
	cmp -s "$D/usr/share/nipcache/ui/hls.min.js" "$NC_TMP/src/hlsjs/package/dist/hls.min.js" ||
		fail "$1: the status page's hls.min.js is not installed from the fetched npm package"
	[ -x "$D/etc/init.d/$(get "$D" "$2" INITSCRIPT_NAME)" ] || fail "$1: no init script INITSCRIPT_NAME"
	"$D/usr/sbin/nipcached" --version | grep -q "^nipcached $version\$" || fail "$1: the built nipcached --version"
	"$D/usr/sbin/nipcached" -n --config "$D/etc/nipcache/nipcached.conf" >/dev/null ||
		fail "$1: the installed config does not pass -n"
}
distro_round sysvinit "sysvinit"
grep -qx 'dir = /media/hdd/nipcache' "$NC_TMP/D-sysvinit/etc/nipcache/nipcached.conf" ||
	fail "sysvinit distro: the cache is not on /media/hdd"
[ ! -e "$NC_TMP/D-sysvinit/lib/systemd" ] || fail "sysvinit distro: a systemd unit was installed"
distro_round systemd "systemd sysvinit"
unit=$(get "$NC_TMP/D-systemd" "systemd" SYSTEMD_SERVICE:nipcache)
[ -f "$NC_TMP/D-systemd/lib/systemd/system/$unit" ] || fail "systemd distro: $unit not installed"
grep -qx 'dir = /var/cache/nipcache' "$NC_TMP/D-systemd/etc/nipcache/nipcached.conf" ||
	fail "systemd distro: the cache moved from /var/cache/nipcache"
get "$NC_TMP/D" sysvinit USERADD_PARAM:nipcache | grep -q -- '--system .* nipcache$' ||
	fail "USERADD_PARAM does not make the system user nipcache"
note "tarball $(wc -c <"$tgz") bytes; recipe tasks built it from the tarball in $(grep -c . "$NC_TMP/tasks-sysvinit.log") log lines"
