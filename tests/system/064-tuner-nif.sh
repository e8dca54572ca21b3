#!/bin/sh
# Tuning from the NIF, through the whole daemon.  Two tuners on adapters
# this machine does not have (no /dev/dvb here, so both stay no_device and
# are retried, never fatal): [tuner] has no frequency and follows the NIF,
# [tuner2] has its own and must not move.  The NIF comes from [nip] nif, the
# same path an in-band or cached NIF takes through nip.c, and changes four
# times: the tuner takes the TS stream over a GSE bootstrap, follows a new
# symbol rate on the same carrier, moves when its carrier leaves the NIF
# (to a GSE-Lite stream, with a warning), and stays put when a NIF names
# nothing its LNB can receive.
. "$NC_SYS/common.sh"

# nif FILE MTIME STREAM...: a NIF; each STREAM is LL:CARRIER:FREQ10KHZ:POL:KSPS.
nif() {
	f=$1; t=$2; shift 2
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<NetworkInformationFile xmlns="urn:dvb:metadata:nativeip:2024">'
		echo "<VersionUpdate>2026-11-21T10:00:0${t}Z</VersionUpdate><NIFType>Physical Network</NIFType>"
		echo '<ActualBroadcastNetwork><NetworkType>Satellite</NetworkType><NetworkName>T</NetworkName>'
		echo '<NIPNetworkProviderName>Test</NIPNetworkProviderName><NIPNetworkID>1</NIPNetworkID>'
		for s in "$@"; do
			echo "$s" | awk -F: '{
				printf "<NIPStream><LinkLayerFormat>%s</LinkLayerFormat>", $1
				printf "<NIPStreamProviderName>Test</NIPStreamProviderName><NIPCarrierID>%s</NIPCarrierID>", $2
				printf "<NIPLinkID>1</NIPLinkID><NIPServiceID>0</NIPServiceID>"
				printf "<BootstrapStream><BootstrapType>Physical Network</BootstrapType><Status>Active</Status></BootstrapStream>"
				printf "<DVBS2X_NIPDeliveryParameters><Frequency>%s</Frequency><Polarization>%s</Polarization>", $3, $4
				printf "<Roll_off>0.20</Roll_off><SymbolRate>%s</SymbolRate>", $5
				printf "<input_stream_identifier>0</input_stream_identifier></DVBS2X_NIPDeliveryParameters></NIPStream>\n"
			}'
		done
		echo '</ActualBroadcastNetwork></NetworkInformationFile>'
	} >"$f.new"
	touch -d "@$(( $(date +%s) + t * 10 ))" "$f.new"
	mv "$f.new" "$f"
}

# tuner N KEY: a field of the Nth tuner in /health ("" if absent).
tuner() {
	curl -sS "$NC_URL/health" | python3 -c '
import json, sys
t = json.load(sys.stdin)["tuners"][int(sys.argv[1])]
v = t
for k in sys.argv[2].split("."):
    v = v.get(k, "") if isinstance(v, dict) else ""
print(v)' "$1" "$2"
}
is() { [ "$(tuner "$1" "$2")" = "$3" ]; }

[ -e /dev/dvb/adapter97 ] || [ -e /dev/dvb/adapter98 ] && skip "adapters 97/98 exist here"

nif "$NC_TMP/nif.xml" 1 GSE-Lite:1045:1114100:horizontal:23500 TS:7:1244100:vertical:27500
write_conf "$NC_TMP/c.conf" "[input]" "dvb = 97" "dvb = 98" "[tuner]" "lnb = universal" \
	"[tuner2]" "frequency = 11141 MHz" "polarisation = h" "symbol_rate = 23500 ks/s" \
	"[nip]" "nif = $NC_TMP/nif.xml"
start_daemon "$NC_TMP/c.conf"

wait_for 20 is 0 nif_stream.carrier 7 || fail "tuner 0 did not take the TS stream: $(curl -sS "$NC_URL/health")"
is 0 frequency_khz 12441000 && is 0 polarisation V && is 0 symbol_rate 27500000 ||
	fail "tuner 0 delivery: $(curl -sS "$NC_URL/health")"
is 0 follows_nif True || fail "tuner 0 should follow the NIF"
is 0 state no_device || fail "tuner 0 state: $(tuner 0 state) (no adapter 97 exists)"
[ "$(metric 'nipcache_tuner_frequency_hertz{adapter="97:0"}')" = 12441000000 ] ||
	fail "frequency metric: $(metric 'nipcache_tuner_frequency_hertz{adapter="97:0"}')"
grep -q 'tuner adapter97/frontend0: NIF: NIP stream of Test, network 1, carrier 7' "$NC_TMP/daemon.log" ||
	fail "the choice is not logged"
note "NIF v1: carrier 7 (TS) chosen over the GSE-Lite bootstrap 1045: 12441 MHz V, 27500 ks/s"

# The same carrier with a new symbol rate: retuned in place.
nif "$NC_TMP/nif.xml" 2 GSE-Lite:1045:1114100:horizontal:23500 TS:7:1244100:vertical:30000
wait_for 20 is 0 symbol_rate 30000000 || fail "new symbol rate not taken: $(tuner 0 symbol_rate)"
[ "$(metric 'nipcache_tuner_retargets_total{adapter="97:0"}')" = 2 ] ||
	fail "retargets: $(metric 'nipcache_tuner_retargets_total{adapter="97:0"}')"

# Carrier 7 leaves the NIF: the tuner moves to what is left, a GSE-Lite stream.
nif "$NC_TMP/nif.xml" 3 GSE-Lite:1045:1114100:horizontal:23500
wait_for 20 is 0 nif_stream.carrier 1045 || fail "did not move to carrier 1045"
is 0 frequency_khz 11141000 && is 0 nif_stream.link_layer GSE-Lite || fail "carrier 1045: $(curl -sS "$NC_URL/health")"
grep -q 'adapter97/frontend0: that stream is GSE-Lite' "$NC_TMP/daemon.log" || fail "no warning about a GSE stream"

# A NIF with nothing this LNB receives (13 GHz: IF 2400 MHz): no move, an error shown.
nif "$NC_TMP/nif.xml" 4 TS:9:1300000:horizontal:27500
wait_for 20 is 0 nif_error "none of its 1 NIP stream(s) has DVB-S2 delivery parameters this LNB can receive" ||
	fail "no nif_error: $(curl -sS "$NC_URL/health")"
is 0 frequency_khz 11141000 || fail "tuner moved on an unusable NIF"
[ "$(metric 'nipcache_tuner_retargets_total{adapter="97:0"}')" = 3 ] || fail "retargets after v4"

# [tuner2] has a frequency: it never follows.
is 1 follows_nif False && is 1 frequency_khz 11141000 && is 1 symbol_rate 23500000 ||
	fail "tuner 1 moved: $(curl -sS "$NC_URL/health")"
[ "$(metric 'nipcache_tuner_retargets_total{adapter="98:0"}')" = 0 ] || fail "tuner 1 was retargeted"
health_ok || fail "not healthy"
stop_daemon
note "NIF v2 new symbol rate taken, v3 moved to GSE-Lite 1045 with a warning, v4 unusable: kept; [tuner2] fixed"
