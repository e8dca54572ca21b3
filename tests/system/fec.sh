# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by 110-fec-rs.sh and 111-fec-raptorq.sh (issue 6), with
# FEC_SCHEME set to rs or raptorq.  nipcast sends ONE carousel cycle (so
# no repeat can hide a loss) from a sender namespace over a veth pair;
# nftables drops data packets (never the FDT: TOI 0) as they arrive;
# nginx on loopback is the repair origin.  Asserts:
#  1. Random (5%) and bursty (6 in every 300) loss below a 30% overhead:
#     every object is served identical to its file, FEC rebuilt symbols,
#     and no unicast repair was asked for.
#  2. Loss above a 5% overhead (2% spread out, plus bursts of 80 in
#     every 3000): FEC rebuilds the blocks it can, unicast repair fetches
#     the rest (trigger "loss"), and every object is identical.
#  3. Packets with a malformed FEC OTI (T = 0, Al = 0, Z = 0, N = 0, T not
#     a multiple of Al, a wrong length, RS E = 0 or B = 0) are counted as
#     rejected, and the daemon stays healthy.
. "$NC_SYS/common.sh"

FEC_IP=239.255.110.1
FEC_PORT=5110
FEC_NGINX=8110
# Data packets only: nipcast's LCT header has a 32-bit TSI and TOI, so
# the TOI is UDP payload bytes 12-15 (@th counts from the UDP header).
FEC_DATA='@th,160,32 != 0'

case "$FEC_SCHEME" in
rs) FEC_FEI=5 ;;
raptorq) FEC_FEI=6 ;;
*) fail "FEC_SCHEME must be rs or raptorq" ;;
esac

make_sender_ns "$FEC_IP"
net_loss_setup "$FEC_PORT"
mkdir -p "$NC_TMP/www/below" "$NC_TMP/www/above"
start_nginx "$FEC_NGINX" "$NC_TMP/www"
write_conf "$NC_TMP/c.conf" "[input]" "interface = $NC_RCV_IF" \
	"udp = $FEC_IP:$FEC_PORT" "receive_buffer = 8M" \
	"[repair]" "base_url = http://127.0.0.1:$FEC_NGINX/" "random_backoff = 200ms"
start_daemon "$NC_TMP/c.conf"

# fec_objects DIR: objects of awkward sizes, from 72 symbols up to
# several RaptorQ blocks (the smallest still has a dozen repair symbols at
# 30%, so a burst of 6 stays below the overhead).
fec_objects() {
	for sz in 100000 300001 2000000 5000000; do
		head -c "$sz" /dev/urandom >"$1/f$sz.bin"
	done
}

# fec_drop RULE...: replace the loss rules by these (data packets only).
fec_drop() {
	{
		echo "flush chain inet nc_loss rand"
		for r in "$@"; do
			echo "add rule inet nc_loss rand $FEC_DATA $r counter name \"lossdrop\" drop"
		done
	} | nft -f - || fail "nft: cannot set the loss rules $*"
}

# fec_send DIR TSI OVERHEAD: one cycle of DIR, FEC-encoded.
fec_send() {
	on_sender "$NIPCAST" -g "$FEC_IP:$FEC_PORT" -i "$NC_SND_ADDR" -t "$2" \
		-r 40M -c 1 --url-base "http://dvb.gw/${1##*/}/" \
		--fec "$FEC_SCHEME" --overhead "$3" "$1" >>"$NC_TMP/nipcast.log" 2>&1 ||
		fail "nipcast --fec $FEC_SCHEME failed: $(tail -n 3 "$NC_TMP/nipcast.log")"
}

# Asking for an object before it is complete would make the daemon fetch
# it for the "player" (trigger player), so wait until the cache holds
# all N new objects before any GET.
fec_cached() { [ "$(metric nipcache_cache_objects)" -ge "$1" ]; }

fec_figures() {
	echo "totals: decoded $(metric nipcache_fec_blocks_decoded_total) blocks," \
		"rebuilt $(metric nipcache_fec_symbols_recovered_total) symbols," \
		"failed decodes $(metric nipcache_fec_decode_failures_total)," \
		"repairs $(metric_sum nipcache_repairs_total)," \
		"lost $(metric nipcache_repair_lost_bytes_total) B," \
		"fetched $(metric nipcache_repair_body_bytes_total) B"
}

# Phase 1: loss below the overhead, FEC alone.
fec_objects "$NC_TMP/www/below"
d0=$(net_counter lossdrop)
fec_drop "numgen random mod 100 < 5" "numgen inc mod 300 < 6"
c0=$(metric nipcache_cache_objects)
fec_send "$NC_TMP/www/below" 1 30
wait_for 60 fec_cached $((c0 + 4)) ||
	fail "below the overhead, objects were not rebuilt: $(fec_figures)"
wait_for 10 all_served "$NC_TMP/www/below" /below ||
	fail "below the overhead, an object served differs from its file"
drop1=$(( $(net_counter lossdrop) - d0 ))
note "$FEC_SCHEME, 30% overhead, $drop1 packets dropped: $(fec_figures)"
[ "$drop1" -gt 0 ] || fail "nftables dropped nothing"
[ "$(metric nipcache_fec_blocks_decoded_total)" -gt 0 ] || fail "no block was FEC-decoded"
[ "$(metric nipcache_fec_symbols_recovered_total)" -gt 0 ] || fail "FEC rebuilt no symbol"
[ "$(metric_sum nipcache_repairs_total)" = 0 ] ||
	fail "unicast repair was asked for below the overhead: $(fec_figures)"
[ "$(metric nipcache_repair_lost_bytes_total)" = 0 ] || fail "bytes were handed to repair"

# Phase 2: loss above the overhead, FEC then repair.
dec1=$(metric nipcache_fec_blocks_decoded_total)
fec_objects "$NC_TMP/www/above"
d0=$(net_counter lossdrop)
fec_drop "numgen inc mod 50 == 0" "numgen inc mod 3000 1500-1579"
c0=$(metric nipcache_cache_objects)
fec_send "$NC_TMP/www/above" 2 5
wait_for 90 fec_cached $((c0 + 4)) ||
	fail "above the overhead, repair did not complete the objects: $(fec_figures)"
wait_for 10 all_served "$NC_TMP/www/above" /above ||
	fail "above the overhead, an object served differs from its file"
drop2=$(( $(net_counter lossdrop) - d0 ))
note "$FEC_SCHEME, 5% overhead, $drop2 packets dropped: $(fec_figures)"
[ "$(metric nipcache_fec_blocks_decoded_total)" -gt "$dec1" ] ||
	fail "FEC decoded no block above the overhead (the spread-out loss is below it)"
[ "$(metric_series 'nipcache_repairs_total{trigger="loss"}')" -gt 0 ] ||
	fail "no repair with trigger loss: $(curl -fsS "$NC_URL/metrics" | grep '^nipcache_repairs_total' | tr '\n' ' ')"
lost=$(metric nipcache_repair_lost_bytes_total)
body=$(metric nipcache_repair_body_bytes_total)
[ "$lost" -gt 0 ] || fail "nothing was handed to repair above the overhead"
awk -v b="$body" -v l="$lost" 'BEGIN { exit !(b <= 1.2 * l) }' ||
	fail "repair fetched $body bytes for $lost lost (> 1.2x)"
[ "$(metric 'nipcache_objects_failed_total{reason="digest"}')" = 0 ] || fail "digest failures"

# Phase 3: malformed OTI, from the sender's side of the wire.
fec_drop
r0=$(metric nipcache_fec_oti_rejected_total)
on_sender python3 - "$FEC_IP" "$FEC_PORT" <<'PY' || fail "cannot send the hostile packets"
import socket, struct, sys
grp, port = sys.argv[1], int(sys.argv[2])

def lct(fei, fti, toi):
    # V=1, S=1 (32-bit TSI), O=1 (32-bit TOI); CCI 0, TSI 9; EXT_FTI; an
    # FEC Payload ID of SBN 0, ESI 0 and 64 bytes of payload.
    hdr_words = (16 + len(fti)) // 4
    h = bytes([0x10, 0xA0, hdr_words, fei]) + struct.pack(">III", 0, 9, toi)
    return h + fti + struct.pack(">I", 0) + bytes(64)

def rq(f, t, z, n, al, hel=4):
    b = bytes([64, hel]) + f.to_bytes(5, "big") + bytes(1) + struct.pack(">HBHB", t, z, n, al) + bytes(2)
    return b if hel == 4 else b[:4 * hel]

def rs(l, e, b, max_n):
    return bytes([64, 3]) + l.to_bytes(6, "big") + struct.pack(">HBB", e, b, max_n)

bad = [
    (6, rq(10000, 0, 1, 1, 1)),      # T = 0
    (6, rq(10000, 64, 1, 1, 0)),     # Al = 0
    (6, rq(10000, 64, 0, 1, 1)),     # Z = 0
    (6, rq(10000, 64, 1, 0, 1)),     # N = 0
    (6, rq(10000, 66, 1, 1, 4)),     # T not a multiple of Al
    (6, rq(10000, 64, 1, 1, 1, 3)),  # HEL 3: too short for RaptorQ
    (5, rs(10000, 0, 10, 20)),       # E = 0
    (5, rs(10000, 64, 0, 10)),       # B = 0
]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i, (fei, fti) in enumerate(bad):
    s.sendto(lct(fei, fti, 100 + i), (grp, port))
PY
nbad=8
got_rejected() { [ "$(metric nipcache_fec_oti_rejected_total)" -ge $((r0 + nbad)) ]; }
wait_for 20 got_rejected ||
	fail "malformed OTI: $(( $(metric nipcache_fec_oti_rejected_total) - r0 )) of $nbad packets counted as rejected"
health_ok || fail "the daemon is not healthy after malformed OTI"
note "malformed OTI: $nbad packets, $(( $(metric nipcache_fec_oti_rejected_total) - r0 )) counted as rejected"
stop_daemon
