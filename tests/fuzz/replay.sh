#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Replay every committed corpus file and crasher through its fuzz target
# as built by $(CC) with replay.c (make check-unit, plain and under
# ASan/UBSan): a crash or a broken invariant fails.
# Usage: replay.sh BINDIR TARGET...
dir=$1; shift
top=$(cd "$(dirname "$0")" && pwd)
fail=0
start=$(date +%s)
for t in "$@"; do
	log="$dir/$t.replay.log"
	n=0
	bad=0
	: >"$log"
	for sub in corpus crashers; do
		d="$top/$sub/$t"
		[ -d "$d" ] || continue
		k=$(find "$d" -type f ! -name '.*' | wc -l)
		[ "$k" -gt 0 ] || continue
		if ! find "$d" -type f ! -name '.*' -exec "$dir/$t" {} + \
		    >>"$log" 2>&1; then
			echo "FAIL fuzz-replay $t ($sub)"
			tail -n 40 "$log"
			bad=1
		fi
		n=$((n + k))
	done
	if [ "$n" -eq 0 ]; then
		echo "FAIL fuzz-replay $t: no corpus in $top/corpus/$t"
		bad=1
	fi
	if [ $bad -eq 0 ]; then
		echo "PASS fuzz-replay $t ($n inputs)"
	else
		fail=1
	fi
done
echo "fuzz-replay: $# targets in $(($(date +%s) - start)) s"
exit $fail
