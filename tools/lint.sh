#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make lint: cppcheck and clang-tidy over the C sources; any finding fails.
# Usage: tools/lint.sh BUILD-DIR [FILE.c ...] (default: every daemon/,
# carousel/ and dvb-i/ source).  clang-tidy reads its checks from
# .clang-tidy; BUILD-DIR/gen holds the generated headers (paths.h).
# JOBS (default 2) files are analysed at a time.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${1:?usage: lint.sh BUILD-DIR [FILE.c ...]}
shift
jobs=${JOBS:-2}
[ $# -gt 0 ] || set -- daemon/*.c carousel/*.c dvb-i/*.c

for t in cppcheck clang-tidy; do
	command -v $t >/dev/null 2>&1 ||
		{ echo "lint: $t is missing: make deps" >&2; exit 1; }
done
[ -f "$build/gen/paths.h" ] ||
	{ echo "lint: $build/gen/paths.h is missing: make lint makes it" >&2; exit 1; }

# cppcheck: warning, style, performance and portability.  Not wanted from
# style: variableScope (house style declares at the top of a block) and
# unreachableCode (uthash's fatal out-of-memory exit()s inside its macros).
# uthash.h and utlist.h are included so that it understands HASH_ITER.
rc=0
cppcheck -q --enable=warning,style,portability,performance --std=c11 \
	-D_GNU_SOURCE --include=/usr/include/uthash.h \
	--include=/usr/include/utlist.h --inline-suppr \
	--suppress=variableScope --suppress=unreachableCode \
	--error-exitcode=1 -j"$jobs" "$@" || rc=1

# clang-tidy, JOBS files at a time, with the compiler's flags from a
# compilation database written for it (BUILD-DIR/lint/compile_commands.json).
db="$build/lint"
mkdir -p "$db"
{
	echo '['
	sep=''
	for f in "$@"; do
		printf '%s{"directory": "%s", "file": "%s", "arguments": ["cc", "-c", "-std=c11", "-D_GNU_SOURCE", "-DNIPCACHE_VERSION=\\"lint\\"", "-I%s/gen"' \
			"$sep" "$top" "$f" "$build"
		for a in $(pkg-config --cflags libxml-2.0 libmicrohttpd libcurl \
		    inih zlib nettle libdvbv5); do
			printf ', "%s"' "$a"
		done
		printf ', "%s"]}\n' "$f"
		sep=','
	done
	echo ']'
} >"$db/compile_commands.json"
out="$db/clang-tidy.out"
printf '%s\n' "$@" | xargs -P"$jobs" -n4 clang-tidy -quiet -p "$db" \
	>"$out" 2>&1 || rc=1
# Drop the per-file chatter ("N warnings generated.", "treated as errors").
grep -Ev '^[0-9]+ (warning|error)s? (and [0-9]+ errors? )?generated\.$|^Error: [0-9]+ warnings? treated as errors?\.?$' \
	"$out" || true
[ $rc -eq 0 ] || echo "lint: findings above (cppcheck, clang-tidy: .clang-tidy)" >&2
exit $rc
