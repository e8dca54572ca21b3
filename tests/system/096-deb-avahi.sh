#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The .deb's Avahi file: packaging/debian/postinst (configure) writes
# /etc/avahi/services/nipcache.service with nipcache-avahi-service only
# when [http] listen has an address that is not loopback, Avahi's services
# folder exists, and the file is absent or its own (marked with an XML
# comment); postrm removes its own file at remove and purge.  The scripts
# run with DPKG_ROOT (as dpkg --root sets it) against temp roots, never the
# real /etc: where a mount namespace is possible, /etc and /var are
# read-only here, so a path that missed DPKG_ROOT fails the test.  Asserts:
#  - the shipped config (127.0.0.1) announces nothing; loopback only
#    (127.x, [::1], several) neither; the wildcard 0.0.0.0 / [::] gives a
#    file for the port with the box's .local name; a LAN address gives its
#    address in the TXT URLs; an interface by name (br-lan:8085, not lo)
#    gives the box's name; the first non-loopback listen counts; section
#    and key names are case-insensitive; listen in another section and
#    commented lines do not count;
#  - the file is valid against Avahi's DTD, mode 0644, carries the marker,
#    and a second configure leaves it as it is (same inode);
#  - back on loopback, our file is removed; an administrator's file (no
#    marker) is never touched; no services folder: nothing is created; a
#    failing generator only warns (exit 0, no file, no temp file);
#  - postrm remove and purge remove our file, keep the administrator's,
#    and upgrade keeps ours; purge removes the cache and config folders.
if [ -z "${NC_AVAHI_MNTNS:-}" ] && unshare -m true 2>/dev/null; then
	NC_AVAHI_MNTNS=1 exec unshare -m sh "$0" "$@"
fi
. "$NC_SYS/common.sh"

PI=$NC_TOP/packaging/debian/postinst
PR=$NC_TOP/packaging/debian/postrm
DTD=/usr/share/avahi/avahi-service.dtd
command -v xmllint >/dev/null || fail "xmllint is missing (make deps installs libxml2-utils)"
[ -f "$DTD" ] || fail "$DTD is missing (make deps installs avahi-daemon)"
host=$(uname -n); host=${host%%.*}.local

if [ -n "${NC_AVAHI_MNTNS:-}" ] && mount --bind /etc /etc 2>/dev/null &&
    mount -o remount,bind,ro /etc 2>/dev/null && mount --bind /var /var 2>/dev/null &&
    mount -o remount,bind,ro /var 2>/dev/null; then
	touch /etc/.nipcache-ro-test 2>/dev/null && fail "/etc is still writable"
	note "/etc and /var are read-only for this test"
else
	note "no private read-only /etc here: the scripts still only see DPKG_ROOT"
fi
real_state=$(ls -li /etc/avahi/services/nipcache.service 2>&1 || true)

n=0
# newroot [listen lines...]: a fresh root $R: the generator, the shipped
# config with its [http] listen replaced by the lines given (none: as
# shipped), Avahi's services folder and the cache folder.
newroot() {
	n=$((n + 1))
	R=$NC_TMP/root$n
	S=$R/etc/avahi/services/nipcache.service
	mkdir -p "$R/usr/sbin" "$R/etc/nipcache" "$R/etc/avahi/services" "$R/var/cache/nipcache"
	install -m 0755 "$NC_TOP/tools/avahi-service.sh" "$R/usr/sbin/nipcache-avahi-service"
	if [ $# -eq 0 ]; then
		cp "$NC_TOP/systemd/nipcached.conf" "$R/etc/nipcache/nipcached.conf"
	else
		setconf "$@"
	fi
}
# setconf LINES...: the shipped config with these lines for its listen.
setconf() {
	printf '%s\n' "$@" >"$NC_TMP/listen"
	awk -v f="$NC_TMP/listen" '
		/^listen *=/ { while ((getline l < f) > 0) print l; next } { print }' \
		"$NC_TOP/systemd/nipcached.conf" >"$R/etc/nipcache/nipcached.conf"
	grep -q '^listen' "$NC_TOP/systemd/nipcached.conf" || fail "the shipped config has no listen line"
}
postinst() {
	DPKG_ROOT=$R sh "$PI" configure >"$NC_TMP/pi.out" 2>&1 ||
		fail "postinst configure (root$n) failed: $(cat "$NC_TMP/pi.out")"
	leftover=$(ls -A "$R/etc/avahi/services" 2>/dev/null | grep -v '^nipcache\.service$' || true)
	[ -z "$leftover" ] || fail "postinst left $leftover in the services folder"
}
postrm() {
	DPKG_ROOT=$R sh "$PR" "$1" >"$NC_TMP/pr.out" 2>&1 ||
		fail "postrm $1 (root$n) failed: $(cat "$NC_TMP/pr.out")"
}
none() { [ ! -e "$S" ] || fail "$1: a service file was made: $(cat "$S")"; }
# announced PORT HOST: our file, valid, for PORT with HOST in its URLs.
announced() {
	[ -f "$S" ] || fail "no service file for port $1 (root$n): $(cat "$NC_TMP/pi.out")"
	xmllint --noout --dtdvalid "$DTD" "$S" 2>"$NC_TMP/xml.err" ||
		fail "the service file is not valid: $(cat "$NC_TMP/xml.err")"
	[ "$(stat -c %a "$S")" = 644 ] || fail "service file mode $(stat -c %a "$S")"
	grep -q '<!-- nipcache-postinst:' "$S" || fail "the service file has no marker"
	[ "$(grep -c "<port>$1</port>" "$S")" = 2 ] || fail "the service file is not for port $1: $(cat "$S")"
	grep -qF "<txt-record>dvbi_sl=http://$2:$1/dvbi/servicelist.xml</txt-record>" "$S" ||
		fail "dvbi_sl is not http://$2:$1/...: $(grep txt-record "$S")"
}

# Loopback only: nothing.
newroot; postinst; none "the shipped config"
grep -q '^listen = 127\.0\.0\.1:' "$R/etc/nipcache/nipcached.conf" || fail "the shipped config is not on loopback"
newroot "listen = 127.0.0.2:8080" "listen = [::1]:8081" "# listen = 0.0.0.0:8082"; postinst; none "loopback"
newroot "listen = 127.0.0.1:8080" "[input]" "listen = 0.0.0.0:8083"; postinst; none "listen in [input]"

# The wildcard: the box's mDNS name.
newroot "listen = 0.0.0.0:8081"; postinst; announced 8081 "$host"
ino=$(stat -c %i "$S")
postinst
[ "$(stat -c %i "$S")" = "$ino" ] || fail "a second configure rewrote an unchanged file"
note "0.0.0.0:8081 -> $(grep -c '<service>' "$S") services, $(grep -o 'dvbi_sl=[^<]*' "$S")"

# The config changes: the first non-loopback listen counts, a LAN address
# is written out; then back on loopback the file goes.
setconf "listen = 127.0.0.1:8080" "listen = 192.168.7.2:9000 ; the LAN" "listen = 0.0.0.0:9001"
postinst; announced 9000 192.168.7.2
setconf "listen = [::1]:8080"
postinst; none "back on loopback"
# Several per line, and interfaces by name: lo is loopback, br-lan the LAN
# (announced under the box's name, as for a wildcard).
setconf "listen = lo:8080 127.0.0.1:8081"
postinst; none "lo and 127.0.0.1 on one line"
setconf "listen = lo:8080 br-lan:8085"
postinst; announced 8085 "$host"
setconf "listen = [::1]:8080"
postinst; none "back on loopback"
printf '[HTTP]\nListen=[::]:8082\n' >>"$R/etc/nipcache/nipcached.conf"
postinst; announced 8082 "$host"

# Postrm: upgrade keeps our file, remove drops it.
postrm upgrade; [ -f "$S" ] || fail "postrm upgrade removed the service file"
postrm remove; none "after postrm remove"
postinst; announced 8082 "$host"
postrm purge; none "after postrm purge"
[ ! -e "$R/etc/nipcache" ] && [ ! -e "$R/var/cache/nipcache" ] ||
	fail "postrm purge kept the config or cache folder"

# An administrator's file is never touched, by postinst nor postrm.
newroot "listen = 0.0.0.0:8084"
printf '<?xml version="1.0"?>\n<!-- mine -->\n<service-group><name>x</name></service-group>\n' >"$S"
cp "$S" "$NC_TMP/mine"
postinst; cmp -s "$S" "$NC_TMP/mine" || fail "postinst changed the administrator's file"
postrm purge; cmp -s "$S" "$NC_TMP/mine" || fail "postrm purge removed the administrator's file"

# No Avahi: nothing is created.
newroot "listen = 0.0.0.0:8085"
rm -r "$R/etc/avahi"
postinst
[ ! -e "$R/etc/avahi" ] || fail "postinst created $(find "$R/etc/avahi")"

# The generator fails: a warning, no file, still exit 0.
newroot "listen = 0.0.0.0:8086"
printf '#!/bin/sh\necho "usage: nope" >&2\nexit 64\n' >"$R/usr/sbin/nipcache-avahi-service"
postinst; none "a failing generator"
grep -q 'no Avahi service file made' "$NC_TMP/pi.out" || fail "no warning: $(cat "$NC_TMP/pi.out")"

[ "$(ls -li /etc/avahi/services/nipcache.service 2>&1 || true)" = "$real_state" ] ||
	fail "this machine's /etc/avahi/services/nipcache.service changed"
note "$n temp roots: loopback, wildcard, LAN address, changes, administrator's file, no Avahi, failing generator, postrm"
