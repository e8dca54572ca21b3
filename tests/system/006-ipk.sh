#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make ipk: the layout every opkg reads (a gzip'ed GNU tar of debian-binary,
# control.tar.gz and data.tar.gz, in that order), root-owned, reproducible,
# with its control fields, conffiles, maintainer scripts and files.  The
# maintainer scripts run against an offline root ($D set, as at OE image
# build) and, in a private mount namespace over a copy of /etc, on a "box":
# once with shadow's useradd, once with only busybox applets in PATH.  The
# OpenWrt procd script and feed Makefile are checked here too.  opkg and
# opkg-utils are not in Debian 12, so no opkg installs the package here.
if [ -z "${NC_IPK_MNTNS:-}" ] && unshare -m true 2>/dev/null; then
	NC_IPK_MNTNS=1 exec unshare -m sh "$0" "$@"
fi
. "$NC_SYS/common.sh"

command -v python3 >/dev/null || fail "python3 is not installed (make deps installs it)"
bb=$(command -v busybox) || fail "busybox is not installed (make deps installs it)"
version=$(cat "$NC_TOP/VERSION")

# mkipk DIR [VAR=value...]: make ipk into DIR; prints the package path.
mkipk() {
	d=$1; shift
	make -s -C "$NC_TOP" BUILD="$NC_BUILD" ipk IPK_DIR="$d" "$@" >/dev/null 2>"$NC_TMP/mkipk.err" ||
		fail "make ipk $*: $(tail -n 5 "$NC_TMP/mkipk.err")"
}

# check_ipk FILE VERSION ARCH EPOCH: structure and contents; unpacks the
# control and data trees into FILE.d/ for the shell checks after it.
check_ipk() {
	python3 - "$@" <<'PY'
import gzip, io, re, sys, tarfile
path, version, arch, epoch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
bad = []
def fail(m): bad.append(m)
GNU = b"ustar  \0"

def open_tar(raw, what):
	data = gzip.decompress(raw)
	if data[257:265] != GNU:
		fail(f"{what}: not a GNU-format tar (magic {data[257:265]!r})")
	return tarfile.open(fileobj=io.BytesIO(data), mode="r:")

def owners_and_times(tf, what):
	for m in tf.getmembers():
		if m.uid != 0 or m.gid != 0:
			fail(f"{what}: {m.name} owned {m.uid}/{m.gid}, not 0/0")
		if m.mtime != epoch:
			fail(f"{what}: {m.name} mtime {m.mtime}, want {epoch}")
		if m.name.startswith("/") or ".." in m.name.split("/"):
			fail(f"{what}: unsafe path {m.name}")

raw = open(path, "rb").read()
if raw[:2] != b"\x1f\x8b":
	fail("outer: not gzip")
outer = open_tar(raw, "outer")
names = [m.name for m in outer.getmembers()]
if names != ["./debian-binary", "./control.tar.gz", "./data.tar.gz"]:
	fail(f"outer members {names}")
owners_and_times(outer, "outer")
for m in outer.getmembers():
	if not m.isreg():
		fail(f"outer: {m.name} is not a regular file")
get = lambda n: outer.extractfile(n).read()
if get("./debian-binary") != b"2.0\n":
	fail(f"debian-binary is {get('./debian-binary')!r}")

ctl = open_tar(get("./control.tar.gz"), "control.tar.gz")
owners_and_times(ctl, "control.tar.gz")
cm = {m.name: m for m in ctl.getmembers()}
for s in ("./postinst", "./prerm", "./postrm"):
	if s not in cm:
		fail(f"control.tar.gz lacks {s}")
	elif cm[s].mode != 0o755:
		fail(f"{s} mode {oct(cm[s].mode)}, want 0755")
control = ctl.extractfile("./control").read().decode()
fields = {}
for line in control.splitlines():
	if line and not line[0].isspace():
		k, _, v = line.partition(":")
		fields[k] = v.strip()
for k in ("Package", "Version", "Architecture", "Maintainer", "Description",
	  "Section", "Priority", "Source", "License", "Depends"):
	if not fields.get(k):
		fail(f"control: no {k}")
if "Filename" in fields:
	fail("control: Filename (opkg-build refuses it)")
if not re.fullmatch(r"[a-z0-9.+-]+", fields.get("Package", "")):
	fail(f"control: package name {fields.get('Package')!r}")
want = {"Package": "nipcache", "Version": version, "Architecture": arch,
	"License": "GPL-2.0-or-later"}
for k, v in want.items():
	if fields.get(k) != v:
		fail(f"control: {k} is {fields.get(k)!r}, want {v!r}")
deps = [d.strip() for d in fields.get("Depends", "").split(",")]
for d in ("libmicrohttpd", "libxml2", "libcurl", "zlib", "nettle", "libinih"):
	if d not in deps:
		fail(f"control: Depends lacks {d}: {deps}")
if any(d.startswith("libc") and d != "libcurl" for d in deps):
	fail(f"control: Depends names the C library: {deps}")
if not control.endswith("\n") or "\n " not in control:
	fail("control: no long description or no final newline")
conffiles = ctl.extractfile("./conffiles").read().decode().splitlines()
if conffiles != ["/etc/nipcache/nipcached.conf", "/etc/default/nipcache"]:
	fail(f"conffiles {conffiles}")

dt = open_tar(get("./data.tar.gz"), "data.tar.gz")
owners_and_times(dt, "data.tar.gz")
dm = {m.name: m for m in dt.getmembers()}
for c in conffiles:
	if "." + c not in dm or not dm["." + c].isreg():
		fail(f"conffile {c} not in data")
files = {"./usr/sbin/nipcached": 0o755, "./usr/bin/nipcast": 0o755,
	 "./etc/init.d/nipcached": 0o755, "./etc/default/nipcache": 0o644,
	 "./etc/nipcache/nipcached.conf": 0o644}
for f, mode in files.items():
	if f not in dm:
		fail(f"data lacks {f}")
	elif dm[f].mode != mode:
		fail(f"data: {f} mode {oct(dm[f].mode)}, want {oct(mode)}")
for f in ("./usr/sbin/nipcached", "./usr/bin/nipcast"):
	if f in dm and dt.extractfile(f).read(4) != b"\x7fELF":
		fail(f"data: {f} is not ELF")
root = dm.get("./", dm.get("."))
if root is None or not root.isdir() or root.mode != 0o755:
	fail("data: ./ missing or not 0755 (it is extracted onto /)")
for n in dm:
	if "systemd" in n:
		fail(f"data ships {n}: the ipk is for sysvinit boxes")
if "./etc/nipcache/nipcached.conf" in dm:
	conf = dt.extractfile("./etc/nipcache/nipcached.conf").read().decode()
	if "\ndir = /media/hdd/nipcache\n" not in conf:
		fail("shipped config: [cache] dir is not /media/hdd/nipcache")
if not bad:
	ctl.extractall(path + ".d/control")
	dt.extractall(path + ".d/data")
for b in bad:
	print("ipk:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# Twice with the defaults: the same bytes.  The name carries the arch.
mkipk "$NC_TMP/a"
mkipk "$NC_TMP/b"
set -- "$NC_TMP"/a/nipcache_"$version"_*.ipk
[ -f "$1" ] || fail "no nipcache_${version}_ARCH.ipk in $NC_TMP/a: $(ls "$NC_TMP/a")"
ipk=$1
arch=${ipk##*/nipcache_"$version"_}
arch=${arch%.ipk}
cmp -s "$ipk" "$NC_TMP/b/${ipk##*/}" || fail "two builds of the ipk differ"
epoch=$(git -C "$NC_TOP" log -1 --format=%ct 2>/dev/null || stat -c %Y "$NC_TOP/VERSION")
check_ipk "$ipk" "$version" "$arch" "$epoch" || fail "ipk structure (see above)"

# ARCH and SOURCE_DATE_EPOCH given; a bad ARCH is refused.
mkipk "$NC_TMP/c" ARCH=mips32el SOURCE_DATE_EPOCH=1700000000
check_ipk "$NC_TMP/c/nipcache_${version}_mips32el.ipk" "$version" mips32el 1700000000 ||
	fail "ARCH=mips32el ipk (see above)"
! make -s -C "$NC_TOP" BUILD="$NC_BUILD" ipk IPK_DIR="$NC_TMP/d" ARCH='a b' >/dev/null 2>&1 ||
	fail "ARCH='a b' accepted"

x=$ipk.d
for s in "$x"/control/postinst "$x"/control/prerm "$x"/control/postrm "$x"/data/etc/init.d/nipcached; do
	sh -n "$s" || fail "sh -n ${s#"$x"/}"
	busybox sh -n "$s" || fail "busybox sh -n ${s#"$x"/}"
done
"$x/data/usr/sbin/nipcached" --version | grep -q "^nipcached $version" ||
	fail "the packaged (stripped) nipcached does not run"
"$NIPCACHED" -n --config "$x/data/etc/nipcache/nipcached.conf" | grep -q 'configuration OK' ||
	fail "the packaged config does not pass nipcached -n"

# A stub update-rc.d notes how the scripts call it.
mkdir -p "$NC_TMP/stub"
cat >"$NC_TMP/stub/update-rc.d" <<EOF
#!/bin/sh
echo "\$*" >>"$NC_TMP/rcd.calls"
EOF
chmod 755 "$NC_TMP/stub/update-rc.d"

# Offline root ($D): rc links in it, nothing started, no user made.
passwd_sum=$(md5 /etc/passwd)
D=$NC_TMP/offline PATH="$NC_TMP/stub:$PATH" sh "$x/control/postinst" >"$NC_TMP/pi.out" 2>&1 ||
	fail "offline postinst failed: $(cat "$NC_TMP/pi.out")"
D=$NC_TMP/offline PATH="$NC_TMP/stub:$PATH" sh "$x/control/prerm" || fail "offline prerm failed"
D=$NC_TMP/offline PATH="$NC_TMP/stub:$PATH" sh "$x/control/postrm" || fail "offline postrm failed"
printf '%s\n' "-r $NC_TMP/offline nipcached defaults 60" "-f -r $NC_TMP/offline nipcached remove" \
	>"$NC_TMP/rcd.want"
cmp -s "$NC_TMP/rcd.calls" "$NC_TMP/rcd.want" ||
	fail "offline update-rc.d calls: $(cat "$NC_TMP/rcd.calls")"
[ "$(md5 /etc/passwd)" = "$passwd_sum" ] || fail "offline postinst changed this machine's /etc/passwd"
! health_ok 2>/dev/null || fail "offline postinst started a daemon"

# ---- On a "box": the scripts in a private mount namespace -------------
nc_test_cleanup() {
	for m in /media/hdd /media /var/log /etc; do
		umount "$m" 2>/dev/null || true
	done
}

# running PID: PID is alive and not a zombie waiting for its reaper.
running() {
	case "$(cat "/proc/$1/stat" 2>/dev/null)" in
	'' | *") Z "*) return 1 ;;
	esac
	return 0
}

# box_round NAME PATH USER: a fresh copy of /etc with the package's /etc
# in it over /etc, /var/log and /media private, a disk mounted at
# /media/hdd; postinst (with NAME's PATH) creates the user nipcache (USER
# yes) or says it could not (no), creates the cache folder and starts
# nipcached with the shipped config; prerm stops it; postrm drops the rc
# links.
box_round() {
	r=$NC_TMP/box-$1
	mkdir -p "$r/log" "$r/media/hdd"
	cp -a /etc "$r/etc"
	cp -a "$x/data/etc/." "$r/etc/"
	# As if this machine had never had the user (a .deb may have made it).
	sed -i -e '/^nipcache:/d' -e '/^video:/{s/:nipcache$/:/;s/,nipcache$//;s/\([:,]\)nipcache,/\1/}' \
		"$r/etc/passwd" "$r/etc/group" "$r/etc/shadow" "$r/etc/gshadow" 2>/dev/null || true
	# Only the daemon's and the pidfile's paths differ from a box.
	printf 'DAEMON=%s\nPIDFILE=%s\n' "$x/data/usr/sbin/nipcached" "$r/nipcached.pid" \
		>>"$r/etc/default/nipcache"
	mount --bind "$r/etc" /etc
	mount --bind "$r/log" /var/log
	mount --bind "$r/media" /media
	mount -t tmpfs -o size=64m box-hdd /media/hdd
	: >"$NC_TMP/rcd.calls"
	st=0
	PATH="$NC_TMP/stub:$2" "$bb" sh "$x/control/postinst" >"$r/pi.out" 2>&1 || st=$?
	pid=$(cat "$r/nipcached.pid" 2>/dev/null || true)
	NC_PIDS="$NC_PIDS $pid"
	sed "s/^/[$1 postinst] /" "$r/pi.out"
	[ $st -eq 0 ] || fail "$1: postinst exit $st"
	if [ "$3" = yes ]; then
		grep -q '^nipcache:' /etc/passwd || fail "$1: postinst made no user nipcache"
		grep -q '^nipcache:' /etc/group || fail "$1: postinst made no group nipcache"
		grep -q '^video:.*nipcache' /etc/group || fail "$1: nipcache is not in group video"
	else
		! grep -q '^nipcache:' /etc/passwd || fail "$1: a user nipcache appeared"
		grep -q 'no user nipcache made' "$r/pi.out" || fail "$1: postinst did not say it made no user"
	fi
	[ -d /media/hdd/nipcache ] || fail "$1: no cache folder on the mounted disk"
	grep -qx 'nipcached defaults 60' "$NC_TMP/rcd.calls" ||
		fail "$1: update-rc.d calls: $(cat "$NC_TMP/rcd.calls")"
	wait_for 30 health_ok || fail "$1: nipcached not ready after postinst"
	running "$pid" || fail "$1: the pidfile names no running nipcached"
	grep -q "nipcached $version started" /var/log/nipcached.log ||
		fail "$1: no start in /var/log/nipcached.log"
	PATH="$NC_TMP/stub:$2" "$bb" sh "$x/control/prerm" >/dev/null 2>&1 || fail "$1: prerm failed"
	[ ! -e "$r/nipcached.pid" ] && ! running "$pid" || fail "$1: prerm left nipcached running"
	PATH="$NC_TMP/stub:$2" "$bb" sh "$x/control/postrm" || fail "$1: postrm failed"
	grep -qx -- '-f nipcached remove' "$NC_TMP/rcd.calls" || fail "$1: postrm did not remove the rc links"
	nc_test_cleanup
}

# real_root: uid 0 of the first user namespace (a user namespace of our
# own could not read /etc/shadow to copy it).
real_root() { [ "$(id -u)" = 0 ] && grep -Eq '^ *0 +0 +4294967295$' /proc/self/uid_map; }
if [ -n "${NC_IPK_MNTNS:-}" ] && [ -d /media ] && [ -d /var/log ] && real_root; then
	command -v useradd >/dev/null || fail "useradd (passwd) is missing"
	box_round useradd "$PATH" yes
	# Only busybox's applets: its start-stop-daemon runs the service.
	# Debian builds busybox without adduser, so here no user can be made;
	# postinst says so and carries on (the daemon runs as root anyway).
	mkdir -p "$NC_TMP/bbonly"
	"$bb" --install -s "$NC_TMP/bbonly"
	if [ -e "$NC_TMP/bbonly/adduser" ]; then
		box_round busybox "$NC_TMP/bbonly" yes
	else
		box_round busybox "$NC_TMP/bbonly" no
		note "this busybox has no adduser applet: postinst's adduser branch not run"
	fi
	[ "$(md5 /etc/passwd)" = "$passwd_sum" ] || fail "the box rounds changed this machine's /etc/passwd"
else
	note "not root, or no private mount namespace or /media here: postinst not run on a box copy"
fi

# ---- OpenWrt (second priority): the procd script and the feed Makefile --
owrt=$NC_TOP/packaging/openwrt
sh -n "$owrt/nipcached.init" || fail "sh -n openwrt nipcached.init"
busybox sh -n "$owrt/nipcached.init" || fail "busybox sh -n openwrt nipcached.init"
# rc.common's procd helpers, as stubs that print their arguments.
cat >"$NC_TMP/procd.sh" <<'EOF'
procd_open_instance() { echo open; }
procd_set_param() { echo "param $*"; }
procd_close_instance() { echo "close"; }
procd_add_reload_trigger() { echo "trigger $*"; }
. "$1"
PROG=$2
CONF=$3
start_service
EOF
write_conf "$NC_TMP/ow.conf"
sh "$NC_TMP/procd.sh" "$owrt/nipcached.init" "$NIPCACHED" "$NC_TMP/ow.conf" >"$NC_TMP/procd.out" 2>&1 ||
	fail "procd start_service failed: $(cat "$NC_TMP/procd.out")"
for l in "open" "param command $NIPCACHED --config $NC_TMP/ow.conf" "param stdout 1" "param stderr 1" \
	"param file $NC_TMP/ow.conf" "close"; do
	grep -qx -- "$l" "$NC_TMP/procd.out" || fail "procd: no '$l' in: $(cat "$NC_TMP/procd.out")"
done
grep -q '^param respawn' "$NC_TMP/procd.out" || fail "procd: no respawn"
grep -q '^USE_PROCD=1$' "$owrt/nipcached.init" && head -n 1 "$owrt/nipcached.init" | grep -qx '#!/bin/sh /etc/rc.common' ||
	fail "procd script header"
printf '[cache]\nmax_bytes = 12 apples\n' >"$NC_TMP/ow.conf"
st=0
sh "$NC_TMP/procd.sh" "$owrt/nipcached.init" "$NIPCACHED" "$NC_TMP/ow.conf" >"$NC_TMP/procd.out" 2>&1 || st=$?
[ $st -ne 0 ] && ! grep -q '^open' "$NC_TMP/procd.out" && grep -q 'max_bytes' "$NC_TMP/procd.out" ||
	fail "procd: a bad config was not refused with its message: $(cat "$NC_TMP/procd.out")"
# The feed Makefile parses (with stub OpenWrt includes) and is in step.
mkdir -p "$NC_TMP/owrt"
: >"$NC_TMP/owrt/rules.mk"
printf 'define BuildPackage\nall: ; @echo built $(1)\nendef\n' >"$NC_TMP/owrt/package.mk"
make -s -f "$owrt/Makefile" TOPDIR="$NC_TMP/owrt" INCLUDE_DIR="$NC_TMP/owrt" >"$NC_TMP/owrt.out" 2>&1 ||
	fail "openwrt Makefile: $(cat "$NC_TMP/owrt.out")"
grep -qx 'built nipcache' "$NC_TMP/owrt.out" || fail "openwrt Makefile: no BuildPackage,nipcache"
grep -q "^PKG_VERSION:=$version\$" "$owrt/Makefile" || fail "openwrt Makefile: PKG_VERSION is not $version"
grep -q '/etc/nipcache/nipcached.conf' "$owrt/Makefile" || fail "openwrt Makefile: no conffile"
note "ipk $(wc -c <"$ipk") bytes, Architecture $arch; opkg/opkg-utils are not in Debian 12: structure checks only"
