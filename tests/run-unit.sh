#!/bin/sh
# Run every unit test binary; fail if any fails.  Usage: run-unit.sh DIR NAME...
dir=$1; shift
fail=0
for t in "$@"; do
	if "$dir/$t" >"$dir/$t.log" 2>&1; then
		echo "PASS $t ($(tail -n 1 "$dir/$t.log"))"
	else
		echo "FAIL $t"; cat "$dir/$t.log"; fail=1
	fi
done
exit $fail
