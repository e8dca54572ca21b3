#!/bin/sh
# make install honours PREFIX and DESTDIR (what packaging recipes pass), and
# the installed default configuration is valid; the man pages are installed
# (plain, packagers compress them), and so is the status page with hls.js,
# in the folder nipcached looks in (its compiled-in default follows
# PREFIX); uninstall removes them.
. "$NC_SYS/common.sh"

make -s -C "$NC_TOP" BUILD="$NC_BUILD" install PREFIX=/usr DESTDIR="$NC_TMP/root" WITH_SYSTEMD=1 \
	WITH_AVAHI=1 AVAHI_HOST=box.local AVAHI_PORT=8081 \
	>"$NC_TMP/install.log" 2>&1 || fail "make install: $(tail -n 5 "$NC_TMP/install.log")"
for f in usr/sbin/nipcached usr/bin/nipcast etc/nipcache/nipcached.conf \
	usr/lib/systemd/system/nipcached.service etc/avahi/services/nipcache.service \
	usr/sbin/nipcache-avahi-service usr/share/man/man8/nipcached.8 \
	usr/share/man/man5/nipcached.conf.5 usr/share/man/man1/nipcast.1 \
	usr/share/nipcache/ui/index.html usr/share/nipcache/ui/status.js \
	usr/share/nipcache/ui/status.css usr/share/nipcache/ui/hls.min.js; do
	[ -f "$NC_TMP/root/$f" ] || fail "$f not installed"
done
cmp -s "$NC_TMP/root/usr/share/nipcache/ui/hls.min.js" \
	"$NC_TOP/tests/player/node_modules/hls.js/dist/hls.min.js" || fail "hls.min.js is not npm's"
grep -qaF /usr/share/nipcache/ui "$NC_TMP/root/usr/sbin/nipcached" ||
	fail "the installed nipcached does not look in /usr/share/nipcache/ui"
[ -x "$NC_TMP/root/usr/sbin/nipcached" ] || fail "nipcached not executable"
"$NC_TMP/root/usr/sbin/nipcached" -n --config "$NC_TMP/root/etc/nipcache/nipcached.conf" \
	| grep -q 'configuration OK' || fail "installed configuration does not pass -n"
grep -q '^ExecStart=/usr/sbin/nipcached' "$NC_TMP/root/usr/lib/systemd/system/nipcached.service" \
	|| fail "unit ExecStart"
grep -q 'dvbi_sl=http://box.local:8081/dvbi/servicelist.xml' \
	"$NC_TMP/root/etc/avahi/services/nipcache.service" || fail "avahi service file TXT dvbi_sl"
make -s -C "$NC_TOP" BUILD="$NC_BUILD" uninstall PREFIX=/usr DESTDIR="$NC_TMP/root" >/dev/null 2>&1
[ ! -e "$NC_TMP/root/usr/sbin/nipcached" ] || fail "uninstall left nipcached"
for f in man8/nipcached.8 man5/nipcached.conf.5 man1/nipcast.1 man8/nipcache-avahi-service.8; do
	[ ! -e "$NC_TMP/root/usr/share/man/$f" ] || fail "uninstall left $f"
done
[ ! -e "$NC_TMP/root/usr/share/nipcache" ] || fail "uninstall left usr/share/nipcache"
