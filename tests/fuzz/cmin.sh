#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Minimise the committed corpus of each target: libFuzzer -merge=1 into an
# empty directory keeps the smallest set of inputs that covers every
# feature of the corpus and of the extra directory (make fuzz's new
# inputs), and that set replaces tests/fuzz/corpus/TARGET.  The seed-*
# files always stay (under their names, not also under a hash).  If the
# merge fails, the corpus is left as it was.
# Usage: cmin.sh BINDIR TARGET [EXTRA_DIR]
set -u
dir=$1; t=$2; extra=${3:-}
top=$(cd "$(dirname "$0")" && pwd)
corpus="$top/corpus/$t"
min="$dir/min/$t"
rm -rf "$min"
mkdir -p "$min" "$corpus"
# shellcheck disable=SC2086
if ! nice -n "${FUZZ_NICE:-10}" "$dir/$t" -merge=1 "$min" "$corpus" $extra \
    >"$dir/$t.cmin.log" 2>&1; then
	echo "fuzz: $t: merge failed (see $dir/$t.cmin.log); corpus kept" >&2
	rm -rf "$min"
	exit 1
fi
for s in "$corpus"/seed-*; do
	[ -f "$s" ] || continue
	rm -f "$min/$(sha1sum "$s" | cut -d ' ' -f 1)"
	cp "$s" "$min/"
done
find "$corpus" -type f -exec rm -f {} +
mv "$min"/* "$corpus"/ 2>/dev/null
rm -rf "$min"
