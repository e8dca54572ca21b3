#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make fuzz: run each libFuzzer target for SECONDS, one at a time at nice
# $FUZZ_NICE (default 10: one core; the other stays free).  New inputs go to a scratch
# directory; then the corpus and they are merged (-merge=1, cmin.sh) into
# the smallest set that covers both, which replaces
# tests/fuzz/corpus/TARGET; crashers are written to
# tests/fuzz/crashers/TARGET.  Prints and appends to tests/fuzz/RUNS.tsv
# the wall time, executions, final cov/ft and CPU seconds of each run (on
# a busy machine the CPU time is what the target really had).
# Usage: run.sh BINDIR SECONDS TARGET...
set -u
dir=$1; secs=$2; shift 2
top=$(cd "$(dirname "$0")" && pwd)
runs="$top/RUNS.tsv"
fail=0
nice=${FUZZ_NICE:-10}
[ -f "$runs" ] || printf '# date\ttarget\tseconds\texecs\tcov\tft\tcorpus\tresult\tcpu\n' >"$runs"

# The last "cov: N ft: M" of a libFuzzer log: "N M", or "- -".
covft() {
	sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/\1 \2/p' "$1" | tail -n 1 |
	    grep . || echo "- -"
}

for t in "$@"; do
	bin="$dir/$t"
	corpus="$top/corpus/$t"
	crash="$top/crashers/$t"
	work="$dir/work/$t"
	log="$dir/$t.fuzz.log"
	mkdir -p "$corpus" "$crash" "$work"
	rm -f "$work"/*
	before=$(find "$crash" -type f | wc -l)
	t0=$(date +%s)
	/usr/bin/time -f '%U %S' -o "$log.cpu" nice -n "$nice" "$bin" \
	    -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
	    -artifact_prefix="$crash/" "$work" "$corpus" >"$log" 2>&1
	rc=$?
	cpu=$(awk 'NF == 2 && $1 ~ /^[0-9.]+$/ { printf "%d", $1 + $2 }' \
	    "$log.cpu" 2>/dev/null)
	el=$(($(date +%s) - t0))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cf=$(covft "$log")
	cov=${cf% *}
	ft=${cf#* }
	# The corpus becomes the smallest set covering it and the new inputs.
	sh "$top/cmin.sh" "$dir" "$t" "$work" ||
	    nice -n "$nice" "$bin" -merge=1 "$corpus" "$work" >"$log.merge" 2>&1
	rm -rf "$work"
	after=$(find "$crash" -type f | wc -l)
	result=ok
	if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
		result=crash
		fail=1
	fi
	n=$(find "$corpus" -type f | wc -l)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
	    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$t" "$el" "${execs:-0}" "$cov" \
	    "$ft" "$n" "$result" "${cpu:--}" >>"$runs"
	printf 'fuzz %-13s %5ss %12s execs  cov %6s  ft %6s  corpus %5s  cpu %5ss  %s\n' \
	    "$t" "$el" "${execs:-0}" "$cov" "$ft" "$n" "${cpu:--}" "$result"
	if [ "$result" != ok ]; then
		echo "fuzz: $t: see $log; crashers in $crash:" >&2
		grep -m 3 'ERROR\|invariant broken\|SUMMARY' "$log" >&2
	fi
done
exit $fail
