#!/bin/sh
# Transport streams that arrive as streams (issue 5): [input] ts = - reads
# MPE from the daemon's standard input (a pipe from a demodulator tool or
# from nipcast --output ts:-), and ts = udp://HOST:PORT from TS-over-UDP
# (7 TS packets per datagram, as SAT>IP and multicast TS gateways send it;
# nipcast --output ts:udp://).  Both at once, no kernel multicast socket:
# every object is served byte-identical, and the stdin input ends cleanly
# (nipcache_input_ended 1) while the daemon goes on serving.
. "$NC_SYS/common.sh"

make_tree "$NC_TMP/src" 63
TSPORT=5063

write_conf "$NC_TMP/c.conf" "[input]" "sockets = no" \
	"udp = 239.255.63.1:5000" "udp = 239.255.63.2:5000" \
	"ts = -" "ts = udp://127.0.0.1:$TSPORT" \
	"[repair]" "enabled = no" "[carousel]" "object_timeout = 2s"
# One cycle, unpaced, through a pipe: a pipe loses nothing.
"$NIPCAST" -g 239.255.63.1:5000 -c 1 -r 0 --url-base http://dvb.gw/pipe/ \
	--output ts:- "$NC_TMP/src" 2>"$NC_TMP/nipcast-pipe.log" |
	daemon_exec --config "$NC_TMP/c.conf" >>"$NC_TMP/daemon.log" 2>&1 &
NC_DAEMON=$!
NC_PIDS="$NC_PIDS $NC_DAEMON"
wait_for 30 health_ok || fail "nipcached did not become ready"
wait_for 30 all_served "$NC_TMP/src" /pipe || fail "stdin: not every object served exact"
stdin_ended() {
	curl -fsS "$NC_URL/metrics" | grep -q '^nipcache_input_ended{input="-",kind="ts"} 1$'
}
wait_for 10 stdin_ended ||
	fail "the stdin input did not end: $(curl -fsS "$NC_URL/metrics" | grep '^nipcache_input_ended')"
note "ts = -: $(find "$NC_TMP/src" -type f | wc -l) objects served exact; the input ended at EOF"

# TS over UDP, paced, three cycles (a datagram lost on loopback under load
# is brought by the next cycle).
"$NIPCAST" -g 239.255.63.2:5000 -c 3 -r 20M --url-base http://dvb.gw/udp/ \
	--output "ts:udp://127.0.0.1:$TSPORT" "$NC_TMP/src" >"$NC_TMP/nipcast-udp.log" 2>&1 ||
	fail "nipcast --output ts:udp://: $(tail -n 3 "$NC_TMP/nipcast-udp.log")"
wait_for 30 all_served "$NC_TMP/src" /udp || fail "ts = udp://: not every object served exact"
n=$(metric "nipcache_input_datagrams_total{input=\"udp://127.0.0.1:$TSPORT\",kind=\"ts\"}")
[ "${n:-0}" -gt 0 ] || fail "no datagrams counted for the udp:// input: $(curl -fsS "$NC_URL/metrics" | grep '^nipcache_input_datagrams')"
note "ts = udp://127.0.0.1:$TSPORT: every object served exact, $n IP datagrams demultiplexed"
health_ok || fail "not healthy after the stdin input ended"
stop_daemon
