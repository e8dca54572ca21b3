#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make deps: install the Debian packages that building, testing, the demo and
# the benchmarks need.  When everything is present it does nothing and
# touches no network (checked with dpkg-query).
set -eu

PKGS="gcc make pkg-config libc6-dev
libxml2-dev libmicrohttpd-dev libcurl4-openssl-dev libinih-dev zlib1g-dev
nettle-dev uthash-dev libdvbv5-dev
curl ffmpeg fonts-dejavu-core iproute2 nftables procps python3 tcpreplay libxml2-utils
nginx-light wrk avahi-daemon"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: these Debian packages are missing; run 'make deps' as root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# nginx-light must not start a system nginx on port 80 during install.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
