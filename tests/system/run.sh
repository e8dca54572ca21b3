#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the system tests, each in its own network namespace (loopback only),
# so that runs cannot hear each other.  Usage: run.sh BUILD_DIR [TEST...]
# LONG=1 also runs the long real-time tests (make check-long); SOAK=1 the
# soak test (make soak, never make check); VALGRIND=1 runs the daemon of
# each test under memcheck (make check-valgrind, in make check-long).
set -u
build=$(cd "$1" && pwd); shift
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export NC_BUILD="$build" NC_TOP="$top" NC_SYS="$here"
if [ "${VALGRIND:-0}" = 1 ]; then
	command -v valgrind >/dev/null 2>&1 || {
		echo "FAIL: VALGRIND=1 but no valgrind (make deps installs it)"; exit 1; }
	export NC_VALGRIND=1
fi

# Root makes plain network namespaces; anyone else gets one inside a user
# namespace of their own (where nftables and veth pairs work too).
if unshare -n true 2>/dev/null; then
	ns="unshare -n"
elif unshare -rn true 2>/dev/null; then
	ns="unshare -rn"
	echo "# not root: each test runs in a user and network namespace of its own"
else
	echo "SKIP system tests: cannot create a network namespace (unshare -n needs root or user namespaces)"
	exit 0
fi

tests=${*:-$(cd "$here" && ls [0-9][0-9][0-9]-*.sh)}
pass=0; fail=0; skip=0; failed=""
for t in $tests; do
	case "$t" in
	*-long-*) [ "${LONG:-0}" = 1 ] || continue ;;
	*-soak.sh) [ "${SOAK:-0}" = 1 ] || continue ;;
	esac
	log="$build/system-${t%.sh}.log"
	start=$(date +%s)
	$ns sh -c 'ip link set lo up && exec sh "$0"' "$here/$t" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS $t (${secs}s)"
		# The figures a test reports (note lines) are shown on a pass too.
		grep '^# ' "$log" | sed 's/^/    /'
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIP $t: $(grep '^SKIP' "$log" | tail -n 1)"
	else
		fail=$((fail + 1)); failed="$failed $t"; echo "FAIL $t (${secs}s, rc $rc)"
		sed 's/^/    /' "$log" | tail -n 60
	fi
done
echo "system tests: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
