#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The security of the local server and its limits, over real sockets and
# interfaces (README "Threat model"):
#  - it listens only where configured: "lo:PORT ncrcv:PORT" binds those two
#    interfaces (IPv4 and IPv6), a third network gets connection refused;
#    the default listens on 127.0.0.1 only;
#  - no directory listing, nothing outside the cache: folders of the cache
#    and of the cache directory are 404, traversal in every encoding is
#    400 or 404 and never returns a file; symlinks planted in the cache
#    directory (an object, a bucket, tmp/) are not followed after a restart;
#  - no request makes the box fetch a URL of the client's choosing:
#    absolute-form targets, Host headers, CONNECT and paths that look like
#    URLs reach no other host (a listener that must see no connection), and
#    repair fetches go only under the configured base URL;
#  - diagnostics outside admin_allow are 403;
#  - each limit, from a client on a LAN address (10.77.0.1 on lo, outside
#    limit_exempt), refuses cleanly, is counted in /metrics and logged
#    rate-limited, and the daemon serves normally right after:
#    max_request_rate (429, Retry-After; loopback exempt), slow clients
#    trickling headers (closed at header_timeout while others are served),
#    max_connections_per_client (closed at once), headers larger than the
#    connection's memory (431), max_held_per_client (503 at once);
#  - the daemon needs no capability: as nobody with every capability set
#    empty it serves (root only: a user namespace cannot change uid).
. "$NC_SYS/common.sh"

command -v python3 >/dev/null || fail "python3 is missing (make deps installs it)"
command -v ss >/dev/null || fail "ss is missing (make deps installs iproute2)"
RAW="$NC_SYS/rawhttp.py"
raw() { python3 "$RAW" "$@"; }
GROUP=239.255.41.1:5000
CANARY_PORT=8141
BASE_PORT=8142
LAN1=10.77.0.1
LAN2=10.77.0.2

# conf_listen FILE LISTEN [lines...]: write_conf with another listen line.
conf_listen() {
	cl_f=$1; cl_l=$2; shift 2
	write_conf "$cl_f" "$@"
	sed -i "s|^listen = .*|listen = $cl_l|" "$cl_f"
}

# code URLPATH: the status of a GET (000 when no answer).
code() { curl -s -o "$NC_TMP/body" -w '%{http_code}' --max-time 10 --path-as-is "$NC_URL$1"; }

# listening: the listening sockets on the daemon's port, as ss prints them.
listening() { ss -Hltn | awk -v p=":$NC_PORT" 'substr($4, length($4) - length(p) + 1) == p { print $4 }' | sort | tr '\n' ' '; }

# A second network the daemon must not serve: NC_OTHER's namespace,
# 10.79.0.1 over there, 10.79.0.2 here on ncoth.
other_ready() { [ "$(readlink "/proc/$NC_OTHER/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
make_other_ns() {
	unshare -n sleep 3600 &
	NC_OTHER=$!
	NC_PIDS="$NC_PIDS $NC_OTHER"
	wait_for 5 other_ready || fail "the second namespace did not appear"
	ip link add ncoth type veth peer name ncoth2 || skip "cannot create a veth pair here"
	ip link set ncoth2 netns "$NC_OTHER"
	nsenter -t "$NC_OTHER" -n sh -c 'ip link set lo up && ip addr add 10.79.0.1/24 dev ncoth2 && ip link set ncoth2 up'
	ip addr add 10.79.0.2/24 dev ncoth
	ip link set ncoth up
}

# --- 1. Only where configured ---------------------------------------------
make_sender_ns "${GROUP%:*}"
make_other_ns
ip -6 addr add fd00:78::2/64 dev "$NC_RCV_IF" nodad
on_sender ip -6 addr add fd00:78::1/64 dev "$NC_SND_IF" nodad
conf_listen "$NC_TMP/c.conf" "lo:$NC_PORT $NC_RCV_IF:$NC_PORT" "[input]" "udp = $GROUP"
start_daemon "$NC_TMP/c.conf"
l=$(listening)
[ "$l" = "*%lo:$NC_PORT *%$NC_RCV_IF:$NC_PORT " ] || fail "listening on '$l', expected lo and $NC_RCV_IF only"
grep -q "listening on $NC_RCV_IF:$NC_PORT" "$NC_TMP/daemon.log" || fail "no 'listening on $NC_RCV_IF' in the log"
on_sender curl -fsS --max-time 5 -o /dev/null "http://$NC_RCV_ADDR:$NC_PORT/health" ||
	fail "not served over $NC_RCV_IF (IPv4)"
on_sender curl -fsS --max-time 5 -g -o /dev/null "http://[fd00:78::2]:$NC_PORT/health" ||
	fail "not served over $NC_RCV_IF (IPv6)"
st=0; nsenter -t "$NC_OTHER" -n curl -sS --max-time 5 -o /dev/null "http://10.79.0.2:$NC_PORT/health" \
	2>"$NC_TMP/other.err" || st=$?
[ $st -eq 7 ] || fail "the unlisted interface: curl exit $st (7, refused, expected): $(cat "$NC_TMP/other.err")"
stop_daemon
# The default: loopback only.
write_conf "$NC_TMP/c.conf" "[input]" "udp = $GROUP"
start_daemon "$NC_TMP/c.conf"
l=$(listening)
[ "$l" = "127.0.0.1:$NC_PORT " ] || fail "default listening on '$l'"
st=0; on_sender curl -sS --max-time 5 -o /dev/null "http://$NC_RCV_ADDR:$NC_PORT/health" 2>/dev/null || st=$?
[ $st -eq 7 ] || fail "default: reachable from the LAN (curl exit $st)"
note "listen: lo and $NC_RCV_IF bound by name (IPv4 and IPv6), a third network refused, default loopback only"

# --- 2. No listing, nothing outside the cache ------------------------------
make_tree "$NC_TMP/src" 41
"$NIPCAST" -g "$GROUP" -i 127.0.0.1 -r 200M -c 2 "$NC_TMP/src" >"$NC_TMP/nipcast.log" 2>&1 || fail "nipcast"
wait_for 30 all_served "$NC_TMP/src" "" || fail "objects not served"
[ "$(code /)" = 200 ] || fail "/ is not the status page"
! grep -q 'f1428\|seg1\|init.mp4' "$NC_TMP/body" || fail "/ lists cached objects"
for p in /sub/ /sub /sub/deeper/ /sub/deeper /f1428.bin/ /objects/ /objects /objects/00/ /tmp/ /tmp \
	/FORMAT /LOCK /ui/ /nip/ /nosuch/; do
	c=$(code "$p")
	[ "$c" = 404 ] || fail "folder $p answered $c"
	! grep -q 'f1428\|seg1\|init.mp4\|NIPCOBJ' "$NC_TMP/body" || fail "folder $p lists or leaks objects"
done
n=0
for t in '/../../etc/passwd' '/sub/../../FORMAT' '/%2e%2e/%2e%2e/etc/passwd' '/%2E%2E%2Fetc%2Fpasswd' \
	'/sub%2f..%2fFORMAT' '/sub\..\FORMAT' '/sub%5c..%5cFORMAT' '/f1428.bin%00.ts' '/f1428.bin%00' \
	'/etc/passwd' '//etc/passwd' '/./../etc/passwd' 'http://dvb.gw/../etc/passwd' '/..%2f..%2fetc/passwd' \
	'/%252e%252e/etc/passwd' '/.%2e/.%2e/etc/passwd' 'file:///etc/passwd' '/sub/./../../../etc/passwd' \
	"$NC_TMP/cache/FORMAT" '/proc/self/environ'; do
	c=$(raw req 127.0.0.1 "$NC_PORT" "$t" --body "$NC_TMP/body")
	case "$c" in
	400|404) ;;
	*) fail "traversal $t answered $c" ;;
	esac
	! grep -q 'root:\|NIPCOBJ\|PATH=' "$NC_TMP/body" || fail "traversal $t returned a file"
	n=$((n + 1))
done
note "no listing: 15 folders 404; $n traversal targets 400/404, none returned a file"

# Symlinks planted while the daemon is stopped: an object file, a bucket
# and tmp/ pointing out of the cache.  p1 and p2 are in different
# buckets, p3 in neither.
obj_of() { grep -l -a -F "$1" "$NC_TMP"/cache/objects/*/* | head -n 1; }
set -- /f65536.bin /f100000.bin /f2000000.bin /f1428.bin /f1429.bin /f1427.bin /sub/seg1.ts \
	/sub/deeper/init.mp4 /index.m3u8
p1=$1; o1=$(obj_of "$1"); shift
p2=""; p3=""
for p in "$@"; do
	o=$(obj_of "$p")
	[ -n "$o" ] || fail "cannot find the object file of $p"
	if [ -z "$p2" ] && [ "$(dirname "$o")" != "$(dirname "$o1")" ]; then
		p2=$p; o2=$o
	elif [ -n "$p2" ] && [ -z "$p3" ] && [ "$(dirname "$o")" != "$(dirname "$o1")" ] &&
	    [ "$(dirname "$o")" != "$(dirname "$o2")" ]; then
		p3=$p
	fi
done
[ -n "$o1" ] && [ -n "$p2" ] && [ -n "$p3" ] || fail "no three objects in different buckets"
stop_daemon
mkdir -p "$NC_TMP/outside/tmp"
mv "$o1" "$NC_TMP/outside/obj" && ln -s "$NC_TMP/outside/obj" "$o1"
b2=$(dirname "$o2")
mv "$b2" "$NC_TMP/outside/bucket" && ln -s "$NC_TMP/outside/bucket" "$b2"
echo keep >"$NC_TMP/outside/tmp/keep"
rm -rf "$NC_TMP/cache/tmp" && ln -s "$NC_TMP/outside/tmp" "$NC_TMP/cache/tmp"
start_daemon "$NC_TMP/c.conf"
c=$(code "$p1"); [ "$c" = 404 ] || fail "a symlinked object file is served ($c)"
c=$(code "$p2"); [ "$c" = 404 ] || fail "an object behind a symlinked bucket is served ($c)"
[ -f "$NC_TMP/outside/tmp/keep" ] || fail "the purge of tmp/ followed a symlink and deleted outside files"
[ -f "$NC_TMP/outside/obj" ] && [ -d "$NC_TMP/outside/bucket" ] || fail "files outside the cache were removed"
[ ! -L "$NC_TMP/cache/tmp" ] && [ -d "$NC_TMP/cache/tmp" ] || fail "tmp/ is still a symlink"
[ ! -L "$b2" ] || fail "the symlinked bucket is still there"
[ "$(code "$p3")" = 200 ] || fail "other objects are no longer served"
grep -q 'cache: tmp is not a directory' "$NC_TMP/daemon.log" || fail "the tmp/ symlink was not logged"
note "symlinks: object, bucket and tmp/ pointing out of the cache neither served nor followed"
stop_daemon

# --- 3. No fetch of a client's URL ----------------------------------------
raw listen "$CANARY_PORT" "$NC_TMP/canary.log" &
NC_PIDS="$NC_PIDS $!"
raw listen "$BASE_PORT" "$NC_TMP/base.log" --answer &
NC_PIDS="$NC_PIDS $!"
up() { ss -Hltn | awk '{ print $4 }' | grep -qx "127.0.0.1:$1"; }
wait_for 10 up "$BASE_PORT" || fail "the base listener did not start"
wait_for 10 up "$CANARY_PORT" || fail "the canary listener did not start"
write_conf "$NC_TMP/c.conf" "[input]" "udp = $GROUP" "[repair]" \
	"base_url = http://127.0.0.1:$BASE_PORT/base/" "random_backoff = 0" "request_timeout = 2s" \
	"[http]" "hold_timeout = 1s"
start_daemon "$NC_TMP/c.conf"
canary="127.0.0.1:$CANARY_PORT"
for t in "http://$canary/x.ts" "https://$canary/x.ts" "http://evil.example/x.ts" "//$canary/x.ts" \
	"/http://$canary/y.ts" "/https:/$canary/z.ts" "/%2F%2F$canary/w.ts" "/@$canary/v.ts" \
	"http://dvb.gw@$canary/u.ts" "http://dvb.gw:$CANARY_PORT/t.ts" "$canary/s.ts" "/$canary/r.ts"; do
	raw req 127.0.0.1 "$NC_PORT" "$t" --header "Host: $canary" >/dev/null
done
raw req 127.0.0.1 "$NC_PORT" "$canary" --method CONNECT --header "Host: $canary" >"$NC_TMP/connect.code"
[ "$(cat "$NC_TMP/connect.code")" = 405 ] || fail "CONNECT answered $(cat "$NC_TMP/connect.code")"
raw req 127.0.0.1 "$NC_PORT" "/q.ts" --header "Host: $canary" --header "X-Forwarded-Host: $canary" >/dev/null
# The repairs those paths started have run (or failed) when nothing is active.
repairs_done() { [ "$(metric nipcache_repair_active)" = 0 ] && [ "$(metric nipcache_repair_queued)" = 0 ] &&
	[ "$(metric nipcache_repair_requests_total)" -ge 3 ]; }
wait_for 20 repairs_done || fail "the repairs did not run: $(metric nipcache_repair_requests_total) requests"
[ ! -s "$NC_TMP/canary.log" ] || fail "a request made the box connect elsewhere: $(cat "$NC_TMP/canary.log")"
grep '^request ' "$NC_TMP/base.log" >"$NC_TMP/base.req" || fail "the base saw no request"
bad=$(grep -v '^request GET /base/' "$NC_TMP/base.req" || true)
[ -z "$bad" ] || fail "a repair request left the base URL: $bad"
note "no outgoing fetch: 14 hostile targets and Host headers, canary untouched; $(wc -l <"$NC_TMP/base.req") repair requests all under the base URL"
stop_daemon

# --- 4. Limits, from a LAN address -----------------------------------------
ip addr add "$LAN1/32" dev lo
ip addr add "$LAN2/32" dev lo
conf_listen "$NC_TMP/c.conf" "lo:$NC_PORT" "[input]" "udp = $GROUP" \
	"[repair]" "base_url = http://127.0.0.1:$CANARY_PORT/" "random_backoff = 0" "request_timeout = 5s" \
	"[http]" "max_request_rate = 20" "max_connections_per_client = 4" "header_timeout = 1s" \
	"max_held_per_client = 2" "hold_timeout = 4s" "admin_allow = 127.0.0.0/8"
start_daemon "$NC_TMP/c.conf"
rm -f "$NC_TMP/canary.log"

# admin_allow
for p in /metrics /health /status.json / /ui/status.js; do
	c=$(raw req "$LAN1" "$NC_PORT" "$p" --src "$LAN1")
	[ "$c" = 403 ] || fail "$p from $LAN1 answered $c, not 403"
done
[ "$(raw req "$LAN1" "$NC_PORT" /f1428.bin --src "$LAN1")" = 200 ] || fail "objects refused to $LAN1"
[ "$(metric_series 'nipcache_http_refused_total{reason="admin"}')" -eq 5 ] || fail "403s not counted"
[ "$(code /metrics)" = 200 ] || fail "/metrics refused to loopback"

# max_request_rate: 20/s, bursts of 40; loopback exempt.
raw burst "$LAN1" "$NC_PORT" /f1428.bin 200 --src "$LAN1" >"$NC_TMP/burst"
ok=$(awk '$1 == 200 { print $2 }' "$NC_TMP/burst"); lim=$(awk '$1 == 429 { print $2 }' "$NC_TMP/burst")
ra=$(awk '$1 == "retry-after" { print $2 }' "$NC_TMP/burst")
[ "${lim:-0}" -gt 0 ] && [ "${ok:-0}" -ge 40 ] || fail "rate: $(tr '\n' ' ' <"$NC_TMP/burst")"
[ "$ra" -ge "$lim" ] || fail "429 without Retry-After: $(tr '\n' ' ' <"$NC_TMP/burst")"
[ "$(metric_series 'nipcache_http_refused_total{reason="request_rate"}')" -eq "$lim" ] || fail "429s not counted"
[ "$(metric_series 'nipcache_http_requests_total{code="429"}')" -eq "$lim" ] || fail "429s not counted by code"
lines=$(grep -c 'over max_request_rate' "$NC_TMP/daemon.log" || true)
[ "$lines" -ge 1 ] && [ "$lines" -le 5 ] || fail "$lines log lines for $lim refusals (rate-limited to 5)"
lan_ok() { [ "$(raw req "$LAN1" "$NC_PORT" /f1428.bin --src "$LAN1")" = 200 ]; }
wait_for 3 lan_ok || fail "$LAN1 not served again after its burst"
raw burst 127.0.0.1 "$NC_PORT" /f1428.bin 200 >"$NC_TMP/burst.lo"
[ "$(awk '$1 == 200 { print $2 }' "$NC_TMP/burst.lo")" = 200 ] || fail "loopback limited: $(tr '\n' ' ' <"$NC_TMP/burst.lo")"
note "request rate: $ok served, $lim answered 429 with Retry-After, $lines log lines; loopback 200/200"

# Slow clients: 5 connections from LAN1 trickle headers; 4 are closed at
# header_timeout (1 s, checked each second), the 5th at once (4 per client).
raw slow "$LAN1" "$NC_PORT" 5 --src "$LAN1" --every 0.2 --limit 8 >"$NC_TMP/slow" &
slowpid=$!
NC_PIDS="$NC_PIDS $slowpid"
served=0; i=0
while kill -0 "$slowpid" 2>/dev/null && [ $i -lt 100 ]; do
	[ "$(raw req "$LAN2" "$NC_PORT" /f1428.bin --src "$LAN2")" = 200 ] && served=$((served + 1))
	[ "$(code /f1428.bin)" = 200 ] && served=$((served + 1))
	i=$((i + 1))
done
wait "$slowpid" || fail "the slow client failed"
fast=$(awk '$1 == "closed" && $2 < 0.5' "$NC_TMP/slow" | wc -l)
late=$(awk '$1 == "closed" && $2 >= 0.9 && $2 < 4' "$NC_TMP/slow" | wc -l)
[ "$fast" -eq 1 ] && [ "$late" -eq 4 ] || fail "slow clients: $(tr '\n' ' ' <"$NC_TMP/slow")"
[ "$served" -gt 0 ] || fail "nobody was served while the slow clients held connections"
[ "$(metric_series 'nipcache_http_refused_total{reason="header_timeout"}')" -ge 4 ] || fail "timeouts not counted"
[ "$(metric_series 'nipcache_http_refused_total{reason="client_connections"}')" -ge 1 ] || fail "refusal not counted"
grep -q 'request not received in time' "$NC_TMP/daemon.log" || fail "header timeouts not logged"
wait_for 3 lan_ok || fail "$LAN1 not served again after its slow connections"
note "slow clients: closed after $(awk '$2 >= 0.9 { print $2 }' "$NC_TMP/slow" | tr '\n' ' ')s, the 5th at once; $served requests served meanwhile"

# Headers larger than a connection's memory.
c=$(raw req "$LAN1" "$NC_PORT" /f1428.bin --src "$LAN1" --bigheader 40000)
[ "$c" = 431 ] || fail "a 40 KB header answered $c"
[ "$(metric_series 'nipcache_http_refused_total{reason="header_size"}')" -ge 1 ] || fail "431 not counted"
lan_ok || fail "not served after the big header"

# max_held_per_client: two requests held for objects under repair (the
# repair base never answers), the third is 503 at once.
raw req "$LAN1" "$NC_PORT" /held/a.ts --src "$LAN1" >"$NC_TMP/h1" &
NC_PIDS="$NC_PIDS $!"
raw req "$LAN1" "$NC_PORT" /held/b.ts --src "$LAN1" >"$NC_TMP/h2" &
NC_PIDS="$NC_PIDS $!"
two_held() { [ "$(metric nipcache_held_requests)" -ge 2 ]; }
wait_for 5 two_held || fail "the two requests were not held"
t0=$(date +%s%N)
c=$(raw req "$LAN1" "$NC_PORT" /held/c.ts --src "$LAN1")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$c" = 503 ] && [ "$ms" -lt 1500 ] || fail "the third held request: $c after ${ms}ms"
[ "$(metric_series 'nipcache_http_refused_total{reason="client_held"}')" -ge 1 ] || fail "not counted"
[ "$(raw req "$LAN2" "$NC_PORT" /f1428.bin --src "$LAN2")" = 200 ] || fail "$LAN2 not served"
lan_ok || fail "$LAN1 not served while its requests are held"
note "held: a third held request from one client 503 in ${ms}ms; connections, metrics and log all fine"
health_ok || fail "not healthy after the limits"
stop_daemon

# --- 5. No capability needed ------------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null ||
	! setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	note "SKIP part: cannot change to uid 65534 here (not root, or a user namespace)"
	exit 0
fi
chmod 755 "$NC_TMP"
chown -R 65534:65534 "$NC_TMP/cache"
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs \
	"$NIPCACHED" --config "$NC_TMP/c.conf" >>"$NC_TMP/daemon.log" 2>&1 &
NC_DAEMON=$!
NC_PIDS="$NC_PIDS $NC_DAEMON"
wait_for 30 health_ok || fail "nipcached as nobody without capabilities did not become ready"
for k in CapInh CapPrm CapEff CapBnd CapAmb; do
	v=$(awk -v k="$k:" '$1 == k { print $2 }' "/proc/$NC_DAEMON/status")
	[ "$v" = 0000000000000000 ] || fail "$k is $v"
done
[ "$(awk '$1 == "Uid:" { print $2 }' "/proc/$NC_DAEMON/status")" = 65534 ] || fail "not running as 65534"
[ "$(code /sub/seg1.ts)" = 200 ] || fail "nothing served without capabilities"
on_sender curl -fsS --max-time 5 -o /dev/null "http://$NC_RCV_ADDR:$NC_PORT/f1428.bin" 2>/dev/null &&
	fail "lo:PORT answered on $NC_RCV_IF"
stop_daemon
note "no capability: uid 65534, every capability set empty, SO_BINDTODEVICE and serving work"
