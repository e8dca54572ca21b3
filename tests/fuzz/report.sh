#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Cumulative fuzzing per target from RUNS.tsv (make fuzz appends a line per
# run): runs, wall seconds, CPU seconds (of the runs that logged it; the
# first ones did not), executions, crashes, and the cov/ft/corpus of the
# latest run.  Usage: report.sh [RUNS.tsv]
f=${1:-$(dirname "$0")/RUNS.tsv}
[ -f "$f" ] || { echo "no $f yet: make fuzz writes it"; exit 0; }
awk -F '\t' '
NR == 1 || $1 ~ /^#/ { next }
{
	t = $2
	if (!(t in runs))
		order[n++] = t
	runs[t]++; secs[t] += $3; execs[t] += $4
	if ($9 ~ /^[0-9]+$/) {
		cpu[t] += $9; wcpu[t] += $3
	}
	cov[t] = $5; ft[t] = $6; corp[t] = $7
	if ($8 != "ok")
		bad[t]++
}
END {
	printf "%-14s %5s %8s %8s %15s %14s %7s %7s %7s %7s\n", "target",
	    "runs", "seconds", "minutes", "cpu_s/of_wall", "executions",
	    "crashes", "cov", "ft", "corpus"
	for (i = 0; i < n; i++) {
		t = order[i]
		printf "%-14s %5d %8d %8.1f %7d/%-7d %14.0f %7d %7s %7s %7s\n",
		    t, runs[t], secs[t], secs[t] / 60, cpu[t], wcpu[t],
		    execs[t], bad[t], cov[t], ft[t], corp[t]
	}
}' "$f"
