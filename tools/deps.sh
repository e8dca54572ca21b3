#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make deps: install the Debian packages that building, testing, the demo and
# the benchmarks need, then the browser test client's npm packages from the
# committed lock file.  When everything is present it does nothing and
# touches no network (checked with dpkg-query and file dates).  With the
# argument "fuzz" (make fuzz) only what fuzzing needs.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
PKGS="gcc make pkg-config libc6-dev
libxml2-dev libmicrohttpd-dev libcurl4-openssl-dev libinih-dev zlib1g-dev
nettle-dev uthash-dev libdvbv5-dev libudev-dev liblcrq0.0
curl ffmpeg fonts-dejavu-core iproute2 nftables procps python3 tcpreplay libxml2-utils
nginx-light wrk avahi-daemon chromium
scdoc groff-base man-db busybox git cppcheck clang clang-tidy
debhelper dpkg-dev lintian systemd strace valgrind
prometheus debootstrap systemd-container"

# make fuzz: clang, its libFuzzer/sanitizer runtimes (libclang-rt-dev,
# only recommended by clang) and GNU time (CPU seconds per run) besides
# what building needs.
if [ "${1:-}" = fuzz ]; then
	PKGS="$PKGS clang libclang-rt-dev time"
fi

# Node.js is usually there already (a newer one than Debian's); only ask
# Debian for it when there is none at all.
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"

deps_apt() {
	missing=""
	for p in $PKGS; do
		st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		case "$st" in
		ii*) ;;
		*) missing="$missing $p" ;;
		esac
	done
	[ -z "$missing" ] && return 0

	echo "deps: installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: these Debian packages are missing; run 'make deps' as root" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# nginx-light must not start a system nginx on port 80 during install,
	# nor prometheus (promtool, and the server 095-promtool runs on its
	# own) a system Prometheus on port 9090.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
}

# The player test client (tests/player): hls.js and playwright-core, exactly
# as locked.  npm ci runs only when node_modules is missing or older than
# the lock file; no browser is downloaded (Debian's chromium is used).
deps_npm() {
	d="$top/tests/player"
	stamp="$d/node_modules/.package-lock.json"
	if [ -f "$stamp" ] &&
	    [ -z "$(find "$d/package-lock.json" -newer "$stamp")" ]; then
		return 0
	fi
	echo "deps: npm ci in tests/player"
	(cd "$d" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts \
		--no-audit --no-fund --loglevel=error)
}

deps_apt
[ "${1:-}" = fuzz ] || deps_npm
