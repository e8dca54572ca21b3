# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by every system test.  Each test runs inside its own network
# namespace (run.sh does the unshare), in a private temp dir that is removed,
# with every process it started killed, however the test ends.
set -eu

NC_TMP=$(mktemp -d /tmp/nipcache-test.XXXXXX)
NC_PIDS=""
NIPCACHED="$NC_BUILD/nipcached"
NIPCAST="$NC_BUILD/nipcast"
NC_PORT=8080
NC_URL="http://127.0.0.1:$NC_PORT"

nc_cleanup() {
	rc=$?
	for p in $NC_PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $NC_PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	# A test may define nc_test_cleanup (unmounting, say) to run first.
	if command -v nc_test_cleanup >/dev/null 2>&1; then
		nc_test_cleanup || true
	fi
	if [ $rc -ne 0 ] && [ -f "$NC_TMP/daemon.log" ]; then
		echo "--- daemon log (tail)"; tail -n 40 "$NC_TMP/daemon.log"
	fi
	rm -rf "$NC_TMP"
	exit $rc
}
trap nc_cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
note() { echo "# $*"; }

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds, or fail.
wait_for() {
	limit=$1; shift
	end=$(( $(date +%s) + limit ))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.1
	done
	return 0
}

# write_conf FILE [extra lines...]: a config with the temp cache and port.
write_conf() {
	f=$1; shift
	mkdir -p "$NC_TMP/cache"
	{
		printf '[log]\nlevel = info\n[input]\ninterface = 127.0.0.1\n'
		printf '[cache]\ndir = %s\nmin_free = 0\nmax_bytes = 1G\n' "$NC_TMP/cache"
		printf '[http]\nlisten = 127.0.0.1:%s\n' "$NC_PORT"
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$f"
}

health_ok() { curl -fsS "$NC_URL/health" >/dev/null; }

# start_daemon CONF: start nipcached, wait until /health says ready.
start_daemon() {
	"$NIPCACHED" --config "$1" >>"$NC_TMP/daemon.log" 2>&1 &
	NC_DAEMON=$!
	NC_PIDS="$NC_PIDS $NC_DAEMON"
	wait_for 30 health_ok || fail "nipcached did not become ready"
}

# stop_daemon: SIGTERM, and the exit status must be 0.
stop_daemon() {
	kill -TERM "$NC_DAEMON"
	st=0; wait "$NC_DAEMON" || st=$?
	[ $st -eq 0 ] || fail "nipcached exited with $st after SIGTERM"
}

# metric NAME[{labels}]: the value from /metrics (0 if absent).
metric() {
	curl -fsS "$NC_URL/metrics" | awk -v m="$1" '$1 == m { print $2; f = 1 } END { if (!f) print 0 }'
}

md5() { md5sum "$1" | cut -d' ' -f1; }

# served_equal URLPATH FILE: the object served equals FILE.
served_equal() {
	curl -fsS -o "$NC_TMP/got" "$NC_URL$1" || return 1
	cmp -s "$NC_TMP/got" "$2"
}

# all_served DIR PREFIX: every file under DIR is served at PREFIX/relpath.
all_served() {
	(cd "$1" && find . -type f | sed 's|^\./||') | while read -r rel; do
		served_equal "$2/$rel" "$1/$rel" || return 1
	done
}

# make_tree DIR SEED: a folder of files of awkward sizes, some nested.
make_tree() {
	d=$1; s=$2
	mkdir -p "$d/sub/deeper"
	for sz in 0 1 1427 1428 1429 65536 100000 2000000; do
		head -c "$sz" /dev/urandom >"$d/f$sz.bin"
	done
	head -c 300000 /dev/urandom >"$d/sub/seg1.ts"
	head -c 5000 /dev/urandom >"$d/sub/deeper/init.mp4"
	printf '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nsub/seg1.ts\n' >"$d/index.m3u8"
	: "$s"
}

# start_live GROUP: ffmpeg's live HLS muxer writes into $NC_TMP/hls and
# nipcast --live sends it to GROUP as http://dvb.gw/tv/...; returns once the
# box serves a playlist of three segments at $NC_LIVE_PL.
start_live() {
	command -v ffmpeg >/dev/null || skip "ffmpeg is not installed (make deps installs it)"
	mkdir -p "$NC_TMP/hls"
	"$NC_TOP/tools/hls-source.sh" "$NC_TMP/hls" >"$NC_TMP/source.log" 2>&1 &
	NC_PIDS="$NC_PIDS $!"
	"$NIPCAST" -g "$1" -i 127.0.0.1 --url-base http://dvb.gw/tv/ --live "$NC_TMP/hls" \
		>"$NC_TMP/nipcast.log" 2>&1 &
	NC_PIDS="$NC_PIDS $!"
	NC_LIVE_PL="$NC_URL/tv/live.m3u8"
	wait_for 60 live_three_segments || fail "the live playlist never listed 3 segments"
}
live_three_segments() { [ "$(curl -fsS "$NC_LIVE_PL" | grep -c '^seg')" -ge 3 ]; }

# send_object I SIZE GROUP: a new SIZE-byte object obj$I.bin on TSI I,
# sent in two cycles; returns once it is served identical.
send_object() {
	mkdir -p "$NC_TMP/o$1"
	head -c "$2" /dev/urandom >"$NC_TMP/o$1/obj$1.bin"
	"$NIPCAST" -g "$3" -i 127.0.0.1 -t "$1" -r 200M -c 2 "$NC_TMP/o$1" || fail "nipcast obj$1"
	wait_for 20 served_equal "/obj$1.bin" "$NC_TMP/o$1/obj$1.bin" || fail "obj$1 not served"
}
