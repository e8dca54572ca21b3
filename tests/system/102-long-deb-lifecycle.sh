#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The .deb's whole life in a clean system (make check-long): install,
# upgrade, remove and purge in a throwaway copy of the bookworm chroot that
# `make chroot` made (systemd, the libraries; no network here).  Asserts:
#  - install: the system user nipcache, a member of video, with no login;
#    the unit enabled (the multi-user.target.wants symlink); the cache
#    /var/cache/nipcache 0750 nipcache:nipcache; the config in place, equal
#    to the shipped one and listed as a conffile; nipcached runs there
#    (its libraries are satisfied) and accepts that config;
#  - upgrade to a rebuilt package with a bumped version whose config
#    changed too, over a config the administrator edited: with
#    --force-confold no prompt, the edited file kept, the new default
#    beside it as .dpkg-dist, the same user, the unit still enabled;
#  - remove: programs and unit gone, the edited conffile kept (state
#    config-files), the user kept;
#  - purge: every path of the system, with its mode, owner and link
#    target, is as it was before the install, and /etc/passwd, group,
#    shadow and gshadow differ only by the user nipcache and its group
#    (Debian keeps system users on purge: a uid must not be reused while
#    files it owned may survive somewhere).
. "$NC_SYS/chroot.sh"

ch_copy
start=$(date +%s)

# The second package: the same tree with a new changelog entry (same
# upstream version, next Debian revision) and a changed default config.
mkdir -p "$NC_TMP/src2"
if git -C "$NC_TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$NC_TOP" && git ls-files -c -o --exclude-standard | while IFS= read -r f; do
		[ -e "$f" ] && printf '%s\n' "$f"
	done | tar -cf - -T -) | tar -C "$NC_TMP/src2" -xf -
else
	(cd "$NC_TOP" && tar --exclude=./build --exclude='./build-*' --exclude=node_modules -cf - .) |
		tar -C "$NC_TMP/src2" -xf -
fi
cl="$NC_TMP/src2/packaging/debian/changelog"
v1=$(sed -n '1s/^nipcache (\([^)]*\)).*/\1/p' "$cl")
v2=${v1%-*}-$(( ${v1##*-} + 1 )) || fail "cannot bump the Debian revision of $v1"
{
	printf 'nipcache (%s) unstable; urgency=medium\n\n' "$v2"
	printf '  * Upgrade test package (tests/system/102-long-deb-lifecycle.sh).\n\n'
	printf ' -- nipcache developers <dev@nipcache.invalid>  %s\n\n' "$(date -R -u)"
	cat "$cl"
} >"$cl.new" && mv "$cl.new" "$cl"
printf '# A comment only the upgrade test package has.\n' >>"$NC_TMP/src2/systemd/nipcached.conf"
# The status page's hls.js, which make deps put in the work tree (ignored
# by git, so not copied above).
hlsjs=tests/player/node_modules/hls.js/dist/hls.min.js
[ -f "$NC_TOP/$hlsjs" ] || fail "$hlsjs is missing (make deps installs it)"
mkdir -p "$NC_TMP/src2/${hlsjs%/*}" && cp "$NC_TOP/$hlsjs" "$NC_TMP/src2/$hlsjs"

deb1=$(ch_build_deb "$NC_TOP" "$NC_TMP/b1")
deb2=$(ch_build_deb "$NC_TMP/src2" "$NC_TMP/b2")
[ "$(dpkg-deb -f "$deb1" Version)" = "$v1" ] || fail "the first package is not $v1"
[ "$(dpkg-deb -f "$deb2" Version)" = "$v2" ] || fail "the second package is not $v2"
dpkg --compare-versions "$v2" gt "$v1" || fail "$v2 is not newer than $v1"

# The system before: every path with mode, owner and link target, and the
# user databases.
snapshot() {
	(cd "$CH_ROOT" && find . -xdev -printf '%p %M %U:%G %l\n') | LC_ALL=C sort >"$1"
}
snapshot "$NC_TMP/before.list"
for f in passwd group shadow gshadow; do cp "$CH_ROOT/etc/$f" "$NC_TMP/$f.before"; done

state() { ch_run dpkg-query -W -f='${db:Status-Abbrev} ${Version}' nipcache 2>/dev/null || true; }
conf=/etc/nipcache/nipcached.conf
unit_link=/etc/systemd/system/multi-user.target.wants/nipcached.service

# ---- Install.
ch_dpkg_deb "$deb1" >"$NC_TMP/install.log" 2>&1 || fail "dpkg -i: $(cat "$NC_TMP/install.log")"
[ "$(state)" = "ii  $v1" ] || fail "after install: state '$(state)'"
[ -z "$(ch_run dpkg --audit)" ] || fail "dpkg --audit: $(ch_run dpkg --audit)"
pw=$(ch_run getent passwd nipcache) || fail "no user nipcache"
uid=$(echo "$pw" | cut -d: -f3)
[ "$uid" -lt 1000 ] || fail "nipcache is not a system user: $pw"
case "$pw" in
*:/var/cache/nipcache:/usr/sbin/nologin) ;;
*) fail "nipcache's home or shell: $pw" ;;
esac
ch_run id -nG nipcache | tr ' ' '\n' | grep -qx video || fail "nipcache is not in group video: $(ch_run id nipcache)"
[ "$(readlink "$CH_ROOT$unit_link")" = /lib/systemd/system/nipcached.service ] ||
	fail "the unit is not enabled: $unit_link -> $(readlink "$CH_ROOT$unit_link")"
[ "$(ch_stat /var/cache/nipcache)" = "nipcache:nipcache 750" ] ||
	fail "/var/cache/nipcache is $(ch_stat /var/cache/nipcache)"
cmp -s "$CH_ROOT$conf" "$NC_TOP/systemd/nipcached.conf" || fail "$conf is not the shipped config"
ch_run dpkg-query -W -f='${Conffiles}\n' nipcache | grep -q "^ $conf [0-9a-f]\{32\}\$" ||
	fail "$conf is not a conffile: $(ch_run dpkg-query -W -f='${Conffiles}' nipcache)"
[ -f "$CH_ROOT/usr/lib/sysctl.d/60-nipcache.conf" ] || fail "no sysctl file"
ch_run /usr/sbin/nipcached -n --config "$conf" >"$NC_TMP/n.out" 2>&1 ||
	fail "nipcached -n in the clean system: $(cat "$NC_TMP/n.out")"
ch_run nipcast --help >/dev/null 2>&1 || fail "nipcast --help in the clean system"
note "install: user nipcache uid $uid (video), unit enabled, cache 0750, conffile in place"

# ---- Upgrade over an edited config.
echo '# edited by the administrator' >>"$CH_ROOT$conf"
cp "$CH_ROOT$conf" "$NC_TMP/conf.edited"
ch_dpkg_deb "$deb2" --force-confold >"$NC_TMP/upgrade.log" 2>&1 ||
	fail "dpkg -i --force-confold (upgrade): $(cat "$NC_TMP/upgrade.log")"
[ "$(state)" = "ii  $v2" ] || fail "after upgrade: state '$(state)'"
cmp -s "$CH_ROOT$conf" "$NC_TMP/conf.edited" || fail "the upgrade did not keep the edited $conf"
cmp -s "$CH_ROOT$conf.dpkg-dist" "$NC_TMP/src2/systemd/nipcached.conf" ||
	fail "the new default config is not beside it as $conf.dpkg-dist"
[ "$(ch_run id -u nipcache)" = "$uid" ] || fail "the upgrade changed nipcache's uid"
[ -L "$CH_ROOT$unit_link" ] || fail "the unit is no longer enabled after the upgrade"
note "upgrade $v1 -> $v2: edited conffile kept, new one as .dpkg-dist, no prompt"

# ---- Remove.
ch_run timeout 300 dpkg -r nipcache </dev/null >"$NC_TMP/remove.log" 2>&1 ||
	fail "dpkg -r: $(cat "$NC_TMP/remove.log")"
[ "$(state)" = "rc  $v2" ] || fail "after remove: state '$(state)'"
for f in /usr/sbin/nipcached /usr/bin/nipcast /lib/systemd/system/nipcached.service \
	/usr/lib/sysctl.d/60-nipcache.conf /usr/lib/sysusers.d/nipcache.conf; do
	[ ! -e "$CH_ROOT$f" ] || fail "$f is still there after remove"
done
cmp -s "$CH_ROOT$conf" "$NC_TMP/conf.edited" || fail "remove did not keep the edited $conf"
ch_run getent passwd nipcache >/dev/null || fail "remove deleted the user"

# ---- Purge.
ch_run timeout 300 dpkg -P nipcache </dev/null >"$NC_TMP/purge.log" 2>&1 ||
	fail "dpkg -P: $(cat "$NC_TMP/purge.log")"
[ -z "$(state)" ] || [ "$(state)" = "un " ] || fail "after purge: state '$(state)'"
rm -rf "$CH_ROOT/root/debs"
snapshot "$NC_TMP/after.list"
if ! cmp -s "$NC_TMP/before.list" "$NC_TMP/after.list"; then
	diff "$NC_TMP/before.list" "$NC_TMP/after.list" | head -n 40
	fail "the purge left the system different (paths, modes, owners or links above)"
fi

# The user databases: before, plus exactly the user nipcache, its group
# and its video membership.  (The backup files passwd- and the like keep
# their path and mode, as checked above; their content is the tool's.)
strip_user() {
	awk -F: -v OFS=: '
		$1 == "nipcache" { next }
		$1 == "video" {
			n = split($NF, m, ","); s = ""
			for (i = 1; i <= n; i++)
				if (m[i] != "nipcache")
					s = s (s == "" ? "" : ",") m[i]
			$NF = s
		}
		{ print }' "$1"
}
for f in passwd group shadow gshadow; do
	grep -q '^nipcache:' "$CH_ROOT/etc/$f" || fail "purge removed nipcache from /etc/$f (Debian keeps it)"
	strip_user "$CH_ROOT/etc/$f" | cmp -s - "$NC_TMP/$f.before" ||
		fail "/etc/$f differs by more than the user nipcache: $(strip_user "$CH_ROOT/etc/$f" | diff "$NC_TMP/$f.before" -)"
done
grep -q '^video:[^:]*:[^:]*:\(.*,\)\?nipcache\(,.*\)\?$' "$CH_ROOT/etc/group" || fail "nipcache left video"
note "purge: $(wc -l <"$NC_TMP/after.list") paths as before the install; only the user nipcache remains"
note "lifecycle took $(( $(date +%s) - start )) s in all"
