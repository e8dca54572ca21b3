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
# NC_VALGRIND=1 (run.sh VALGRIND=1, make check-valgrind): start_daemon runs
# nipcached under memcheck, every wait_for bound is NC_SLOW (8) times
# longer, and a daemon that valgrind found at fault fails the test.
if [ "${NC_VALGRIND:-0}" = 1 ]; then
	: "${NC_SLOW:=8}"
else
	NC_SLOW=1
fi

nc_cleanup() {
	rc=$?
	for p in $NC_PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $NC_PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt $((50 * NC_SLOW)) ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	vg_check || rc=1
	# A test may define nc_test_cleanup (unmounting, say) to run first.
	if command -v nc_test_cleanup >/dev/null 2>&1; then
		nc_test_cleanup || true
	fi
	if [ $rc -ne 0 ] && [ -f "$NC_TMP/daemon.log" ]; then
		echo "--- daemon log (tail)"; tail -n 40 "$NC_TMP/daemon.log"
		# NC_KEEP_LOGS=DIR keeps the whole log of a failed run.
		[ -z "${NC_KEEP_LOGS:-}" ] ||
			cp "$NC_TMP/daemon.log" "$NC_KEEP_LOGS/daemon-$$.log" || true
	fi
	rm -rf "$NC_TMP"
	exit $rc
}
trap nc_cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
note() { echo "# $*"; }

# vg_check: 0 unless a memcheck log of this test reports an error (each
# is shown).  Leaks count as errors: definite and indirect ones.
vg_check() {
	[ "${NC_VALGRIND:-0}" = 1 ] || return 0
	vg_bad=0
	for l in "$NC_TMP"/valgrind.*.log; do
		[ -f "$l" ] || continue
		if ! grep -q 'ERROR SUMMARY:' "$l"; then
			echo "FAIL: valgrind: $l has no summary (the daemon was killed?)" >&2
			vg_bad=1
		elif grep -q 'ERROR SUMMARY: [1-9]' "$l"; then
			echo "FAIL: valgrind: errors in the daemon ($l):" >&2
			sed 's/^/    /' "$l" | head -n 120 >&2
			vg_bad=1
		else
			note "valgrind: pid $(basename "$l" .log | cut -d. -f2):" \
			    "$(grep -o 'ERROR SUMMARY: [0-9]* errors' "$l");" \
			    "$(grep -o 'in use at exit: .*' "$l")"
		fi
	done
	return $vg_bad
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds, or fail.
# Under valgrind, SECONDS is NC_SLOW times longer.
wait_for() {
	limit=$(( $1 * NC_SLOW )); shift
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
		printf '[log]\nlevel = %s\n' "${NC_LOG_LEVEL:-info}"
		printf '[input]\ninterface = 127.0.0.1\n'
		printf '[cache]\ndir = %s\nmin_free = 0\nmax_bytes = 1G\n' "$NC_TMP/cache"
		printf '[http]\nlisten = 127.0.0.1:%s\n' "$NC_PORT"
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$f"
}

health_ok() { curl -fsS "$NC_URL/health" >/dev/null; }

# daemon_exec ARGS...: become nipcached ARGS, under memcheck with
# NC_VALGRIND=1.  Only in the background ("daemon_exec ... &"): it execs.
daemon_exec() {
	if [ "${NC_VALGRIND:-0}" = 1 ]; then
		exec valgrind --tool=memcheck --error-exitcode=99 \
		    --leak-check=full --show-leak-kinds=definite,indirect \
		    --errors-for-leak-kinds=definite,indirect \
		    --suppressions="$NC_SYS/valgrind.supp" \
		    --log-file="$NC_TMP/valgrind.%p.log" "$NIPCACHED" "$@"
	fi
	exec "$NIPCACHED" "$@"
}

# start_daemon CONF: start nipcached, wait until /health says ready.
start_daemon() {
	daemon_exec --config "$1" >>"$NC_TMP/daemon.log" 2>&1 &
	NC_DAEMON=$!
	NC_PIDS="$NC_PIDS $NC_DAEMON"
	wait_for 30 health_ok || fail "nipcached did not become ready"
}

# stop_daemon: SIGTERM, and the exit status must be 0.
stop_daemon() {
	kill -TERM "$NC_DAEMON"
	st=0; wait "$NC_DAEMON" || st=$?
	[ $st -ne 99 ] || [ "${NC_VALGRIND:-0}" != 1 ] ||
		fail "valgrind found errors in nipcached (below)"
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

# ---- Second host, packet loss, an HTTP origin and a browser player --------
# (the unicast-repair tests 090 and 091 use these).

NC_SND_IF=ncsnd
NC_RCV_IF=ncrcv
NC_SND_ADDR=10.78.0.1
NC_RCV_ADDR=10.78.0.2
NC_PLAYER_DIR="${NC_TOP:-.}/tests/player"

sender_ns_ready() {
	[ "$(readlink "/proc/$NC_SENDER/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

# on_sender CMD...: run CMD in the sender's namespace.
on_sender() { nsenter -t "$NC_SENDER" -n "$@"; }

# make_sender_ns GROUP: a second host, a child network namespace, joined to
# this one by a veth pair: $NC_SND_IF ($NC_SND_ADDR) over there and
# $NC_RCV_IF ($NC_RCV_ADDR) here.  Multicast to GROUP (IPv4) leaves the
# sender through the veth; the receiver should join on $NC_RCV_IF.  The
# namespace (and with it the pair) goes away when cleanup kills its holder.
make_sender_ns() {
	unshare -n sleep 3600 &
	NC_SENDER=$!
	NC_PIDS="$NC_PIDS $NC_SENDER"
	wait_for 5 sender_ns_ready || fail "the sender namespace did not appear"
	ip link add "$NC_SND_IF" type veth peer name "$NC_RCV_IF" ||
		skip "cannot create a veth pair here"
	ip link set "$NC_SND_IF" netns "$NC_SENDER"
	on_sender ip link set lo up
	on_sender ip addr add "$NC_SND_ADDR/24" dev "$NC_SND_IF"
	on_sender ip link set "$NC_SND_IF" up
	on_sender ip route add "$1/32" dev "$NC_SND_IF"
	ip addr add "$NC_RCV_ADDR/24" dev "$NC_RCV_IF"
	ip link set "$NC_RCV_IF" up
}

# net_loss_setup PORT: nftables in this namespace sees every UDP packet to
# PORT that arrives on $NC_RCV_IF (named counter "seen") and can drop a
# share of them (net_loss, counter "lossdrop") or all of them (net_outage,
# counter "outdrop").  Loopback traffic, HTTP included, is never matched.
net_loss_setup() {
	command -v nft >/dev/null || fail "nft is not installed (make deps installs nftables)"
	nft -f - <<NFT || skip "cannot load nftables rules in a network namespace here"
table inet nc_loss {
	counter seen { }
	counter lossdrop { }
	counter outdrop { }
	counter fdtdrop { }
	chain outage { }
	chain rand { }
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		iifname "$NC_RCV_IF" udp dport $1 counter name "seen" jump outage
		iifname "$NC_RCV_IF" udp dport $1 jump rand
	}
}
NFT
}

# net_loss PERCENT: drop PERCENT % (0-100) of the matched packets at random.
net_loss() {
	{
		echo "flush chain inet nc_loss rand"
		[ "$1" -gt 0 ] && echo "add rule inet nc_loss rand numgen random mod 100 < $1 counter name \"lossdrop\" drop"
	} | nft -f - || fail "nft: cannot set a $1% loss"
}

# net_fdt_loss PERCENT: also drop PERCENT % of the FDT packets (TOI 0;
# nipcast's LCT header has a 32-bit TSI and TOI, so the TOI is UDP payload
# bytes 12-15), counter "fdtdrop": segments then arrive unannounced.
net_fdt_loss() {
	echo "add rule inet nc_loss rand @th,160,32 0 numgen random mod 100 < $1 counter name \"fdtdrop\" drop" |
		nft -f - || fail "nft: cannot set a $1% FDT loss"
}

# net_outage on|off: drop every matched packet, or stop doing so.
net_outage() {
	case "$1" in
	on) echo 'add rule inet nc_loss outage counter name "outdrop" drop' ;;
	off) echo 'flush chain inet nc_loss outage' ;;
	*) fail "net_outage on|off" ;;
	esac | nft -f - || fail "nft: cannot turn the outage $1"
}

# net_counter NAME: packets counted so far by seen, lossdrop or outdrop.
net_counter() {
	nft list counter inet nc_loss "$1" |
		awk '{ for (i = 1; i < NF; i++) if ($i == "packets") { print $(i + 1); exit } }'
}

# start_nginx PORT DIR: nginx on 127.0.0.1:PORT serves the files of DIR
# (with CORS *, like nipcached), as one foreground process with its own
# config, pid and logs under $NC_TMP/nginx-PORT; killed at cleanup.
nginx_up() { curl -s -o /dev/null "http://127.0.0.1:$1/"; }
start_nginx() {
	command -v nginx >/dev/null || fail "nginx is not installed (make deps installs nginx-light)"
	ngx="$NC_TMP/nginx-$1"
	mkdir -p "$ngx/tmp"
	cat >"$ngx/nginx.conf" <<NGX
daemon off;
master_process off;
# Its temp folders stay ours: in a user namespace (run.sh as non-root)
# nobody's uid is not mapped and chown to it fails.
user root root;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 256; }
http {
	access_log $ngx/access.log;
	client_body_temp_path $ngx/tmp/body;
	proxy_temp_path $ngx/tmp/proxy;
	fastcgi_temp_path $ngx/tmp/fastcgi;
	uwsgi_temp_path $ngx/tmp/uwsgi;
	scgi_temp_path $ngx/tmp/scgi;
	types {
		application/vnd.apple.mpegurl m3u8;
		video/mp2t ts;
		video/mp4 mp4 m4s;
	}
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$1;
		root $2;
		location / {
			add_header Access-Control-Allow-Origin * always;
			add_header Cache-Control no-cache always;
		}
	}
}
NGX
	nginx -p "$ngx" -e "$ngx/error.log" -c "$ngx/nginx.conf" >>"$ngx/stderr" 2>&1 &
	NC_PIDS="$NC_PIDS $!"
	wait_for 10 nginx_up "$1" || fail "nginx did not start: $(tail -n 3 "$ngx/error.log" "$ngx/stderr" 2>/dev/null)"
}

# metric_sum NAME: the sum of every series of NAME in /metrics, whatever
# its labels (0 if absent).
metric_sum() {
	curl -fsS "$NC_URL/metrics" | awk -v m="$1" '
		{ n = $1; sub(/\{.*/, "", n) }
		n == m { s += $2 }
		END { printf "%.0f\n", s }'
}

# metric_series 'NAME{LABELS}': the value of one series of /metrics, 0 if absent.
metric_series() {
	curl -fsS "$NC_URL/metrics" | awk -v s="$1" '
		index($0, s " ") == 1 { v = $2 }
		END { printf "%.0f\n", v }'
}

# need_player: the browser client is installed; its absence after make deps
# is a failure, not a reason to skip.
need_player() {
	command -v node >/dev/null || fail "node is not installed (make deps)"
	[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "chromium is not installed (make deps installs it)"
	for m in hls.js playwright-core; do
		[ -d "$NC_PLAYER_DIR/node_modules/$m" ] ||
			fail "tests/player/node_modules/$m is missing (make deps runs npm ci)"
	done
}

# play_hls_start URL SECONDS [play.js options]: hls.js in headless Chromium
# starts playing URL in the background, for SECONDS after its first
# `playing` (pid $NC_PLAYER, killed at cleanup); play_hls_wait waits for it:
# JSON figures in $NC_TMP/player.json, the readable line on stderr and in
# $NC_TMP/player.err; it returns play.js's status.  play_hls does both.
play_hls_start() {
	pu=$1; ps=$2; shift 2
	timeout -k 4 $((ps + 50)) node "$NC_PLAYER_DIR/play.js" --url "$pu" --seconds "$ps" \
		--json "$@" >"$NC_TMP/player.json" 2>"$NC_TMP/player.err" &
	NC_PLAYER=$!
	NC_PIDS="$NC_PIDS $NC_PLAYER"
}
play_hls_wait() {
	pst=0
	wait "$NC_PLAYER" || pst=$?
	cat "$NC_TMP/player.err" >&2
	return $pst
}
play_hls() {
	play_hls_start "$@"
	play_hls_wait
}

# played_past FILE SECONDS: the --status FILE of a running play.js says it
# has played at least SECONDS.
played_past() {
	pv=$(json_get "$1" played_s)
	pv=${pv%%.*}
	[ -n "$pv" ] && [ "$pv" -ge "$2" ]
}

# json_get FILE KEY: one top-level field of a JSON object (arrays as their
# length), or "" when the file or the field is missing.
json_get() {
	node -e '
		let v = "";
		try {
			const o = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
			v = o[process.argv[2]];
			if (Array.isArray(v)) v = v.length;
			if (v === undefined || v === null) v = "";
		} catch (e) { v = ""; }
		process.stdout.write(String(v) + "\n");' "$1" "$2"
}

# start_repair_live GROUP:PORT NGINXPORT [config lines...]: the unicast
# repair scenario.  ffmpeg writes a live HLS stream (2 s segments) into
# $NC_TMP/www/tv; nginx on 127.0.0.1:NGINXPORT serves $NC_TMP/www as the
# repair origin; a sender namespace runs nipcast --live on the folder to
# GROUP:PORT over the veth (Content-Location http://dvb.gw/tv/...); nftables
# here can drop packets of PORT as they arrive (net_loss, net_outage); and
# nipcached joins GROUP:PORT on $NC_RCV_IF and repairs from nginx, where
# base_url + tv/<file> is the source file (NC_REPAIR_KEY=origin makes nginx
# the fallback origin instead).  Returns once the daemon's
# playlist ($NC_LIVE_PL) lists three segments.
source_has_playlist() { grep -q '^seg' "$NC_TMP/www/tv/live.m3u8"; }
start_repair_live() {
	command -v ffmpeg >/dev/null || fail "ffmpeg is not installed (make deps installs it)"
	rgp=$1; rg=${1%:*}; rp=${1##*:}; rn=$2; shift 2
	make_sender_ns "$rg"
	net_loss_setup "$rp"
	mkdir -p "$NC_TMP/www/tv"
	start_nginx "$rn" "$NC_TMP/www"
	write_conf "$NC_TMP/c.conf" "[input]" "interface = $NC_RCV_IF" "udp = $rgp" \
		"[repair]" "${NC_REPAIR_KEY:-base_url} = http://127.0.0.1:$rn/" "random_backoff = 200ms" \
		"[http]" "hold_timeout = 6s" "$@"
	# The origin has the stream before the daemon can ask it for anything.
	"$NC_TOP/tools/hls-source.sh" "$NC_TMP/www/tv" >"$NC_TMP/source.log" 2>&1 &
	NC_PIDS="$NC_PIDS $!"
	wait_for 30 source_has_playlist ||
		fail "ffmpeg wrote no playlist: $(tail -n 3 "$NC_TMP/source.log")"
	start_daemon "$NC_TMP/c.conf"
	on_sender "$NIPCAST" -g "$rg:$rp" -i "$NC_SND_ADDR" --url-base http://dvb.gw/tv/ \
		--live "$NC_TMP/www/tv" >"$NC_TMP/nipcast.log" 2>&1 &
	NC_PIDS="$NC_PIDS $!"
	NC_LIVE_PL="$NC_URL/tv/live.m3u8"
	wait_for 60 live_three_segments || fail "the live playlist never listed 3 segments"
}
