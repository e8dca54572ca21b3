#!/bin/sh
# The [nip] settings without a DVB-I list: the headend's gateway
# configuration as a local file (two services on groups of their own),
# join = list (only one of them is received), then join = on-demand after a
# SIGHUP (a player's request joins a service, idle_leave leaves it), and
# hostile signalling on the announcement channel (a wrong namespace, an
# entity bomb) counted and refused while the good version stays in force.
. "$NC_SYS/common.sh"

cat >"$NC_TMP/gateway.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<MulticastGatewayConfiguration xmlns="urn:dvb:metadata:MulticastSessionConfiguration:2024"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <MulticastSession serviceIdentifier="tag:t,2026:a">
  <PresentationManifestLocator manifestId="a" contentType="application/vnd.apple.mpegurl">http://dvb.gw/t/a/index.m3u8</PresentationManifestLocator>
  <MulticastTransportSession id="a1">
   <TransportProtocol protocolIdentifier="urn:dvb:metadata:cs:MulticastTransportProtocolCS:2019:FLUTE" protocolVersion="1"/>
   <EndpointAddress><NetworkDestinationGroupAddress>239.255.71.1</NetworkDestinationGroupAddress>
    <TransportDestinationPort>5001</TransportDestinationPort><MediaTransportSessionIdentifier>1</MediaTransportSessionIdentifier></EndpointAddress>
   <ServiceComponentIdentifier xsi:type="HLSComponentIdentifierType" manifestIdRef="a" mediaPlaylistLocator="http://dvb.gw/t/a/index.m3u8"/>
  </MulticastTransportSession>
 </MulticastSession>
 <MulticastSession serviceIdentifier="tag:t,2026:b">
  <PresentationManifestLocator manifestId="b" contentType="application/vnd.apple.mpegurl">http://dvb.gw/t/b/index.m3u8</PresentationManifestLocator>
  <MulticastTransportSession id="b1">
   <TransportProtocol protocolIdentifier="urn:dvb:metadata:cs:MulticastTransportProtocolCS:2019:FLUTE" protocolVersion="1"/>
   <EndpointAddress><NetworkDestinationGroupAddress>239.255.71.2</NetworkDestinationGroupAddress>
    <TransportDestinationPort>5002</TransportDestinationPort><MediaTransportSessionIdentifier>2</MediaTransportSessionIdentifier></EndpointAddress>
  </MulticastTransportSession>
 </MulticastSession>
</MulticastGatewayConfiguration>
EOF
for s in a b; do
	mkdir -p "$NC_TMP/$s"
	head -c 200000 /dev/urandom >"$NC_TMP/$s/seg1.ts"
	printf '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg1.ts\n#EXT-X-ENDLIST\n' >"$NC_TMP/$s/index.m3u8"
done
# send SERVICE GROUP TSI: two cycles of the service's folder.
send() {
	"$NIPCAST" -g "$2" -t "$3" -i 127.0.0.1 -r 100M -c 2 --url-base "http://dvb.gw/t/$1/" \
		"$NC_TMP/$1" >>"$NC_TMP/nipcast.log" 2>&1 || fail "nipcast $1"
}
svc() {		# svc ID KEY: a field of a service in /services.json
	curl -fsS "$NC_URL/services.json" | python3 -c '
import json, sys
d = {s["id"]: s for s in json.load(sys.stdin)["services"]}
v = d[sys.argv[1]]
for k in sys.argv[2].split("."):
    v = v[k]
print(json.dumps(v))' "$1" "$2"
}
joined() { [ "$(svc "$1" live.joined)" = "$2" ]; }
code() { curl -s -o /dev/null -w '%{http_code}' "$NC_URL$1"; }

write_conf "$NC_TMP/c.conf" "[nip]" "gateway_config = $NC_TMP/gateway.xml" "join = list" \
	"services = tag:t,2026:a"
start_daemon "$NC_TMP/c.conf"
wait_for 10 joined tag:t,2026:a true || fail "service a not joined with join = list"
joined tag:t,2026:b false || fail "service b joined although not listed"
[ "$(svc tag:t,2026:a play_url)" = "\"$NC_URL/t/a/index.m3u8\"" ] || fail "play_url of a: $(svc tag:t,2026:a play_url)"
[ "$(metric nipcache_nip_channels)" -eq 2 ] || fail "expected 2 channels (announcement + a), got $(metric nipcache_nip_channels)"
send a 239.255.71.1:5001 1
send b 239.255.71.2:5002 2
wait_for 10 served_equal /t/a/index.m3u8 "$NC_TMP/a/index.m3u8" || fail "service a not received"
[ "$(code /t/b/index.m3u8)" = 404 ] || fail "service b was received although not joined"
note "join = list: a received, b left alone"

# A deny list: every service but b.
write_conf "$NC_TMP/c.conf" "[nip]" "gateway_config = $NC_TMP/gateway.xml" "join = list" \
	"services = !tag:t,2026:b"
kill -HUP "$NC_DAEMON"
wait_for 10 joined tag:t,2026:a true || fail "a not joined with a deny list naming b"
joined tag:t,2026:b false || fail "b joined although denied"

# on-demand: nothing joined until a player asks; a miss meanwhile is 503.
write_conf "$NC_TMP/c.conf" "[nip]" "gateway_config = $NC_TMP/gateway.xml" "join = on-demand" \
	"idle_leave = 3s"
kill -HUP "$NC_DAEMON"
wait_for 10 joined tag:t,2026:a false || fail "a still joined after switching to on-demand"
[ "$(code /t/b/index.m3u8)" = 503 ] || fail "a request for b's playlist should answer 503 while joining"
wait_for 10 joined tag:t,2026:b true || fail "b not joined on demand"
send b 239.255.71.2:5002 2
wait_for 10 served_equal /t/b/index.m3u8 "$NC_TMP/b/index.m3u8" || fail "b not received on demand"
wait_for 15 joined tag:t,2026:b false || fail "b not left after idle_leave"
note "on-demand: b joined on request, served, and left after idle_leave"

# Hostile signalling on the announcement channel, then a good bootstrap.
printf '<MulticastGatewayConfiguration xmlns="urn:wrong"/>\n' >"$NC_TMP/bad-ns.xml"
cat >"$NC_TMP/bomb.xml" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<ServiceInformationFile xmlns="urn:dvb:metadata:nativeip:2024"><NIPNetworkProviderName>&c;</NIPNetworkProviderName></ServiceInformationFile>
EOF
BOOT=urn:dvb:metadata:cs:NativeIPMulticastTransportObjectTypeCS:2023:bootstrap
SIF=urn:dvb:metadata:nativeip:ServiceInformationFile
printf '%s %s application/xml+dvb-mabr-session-configuration\n%s %s application/xml+dvb-nip-sif\n' \
	"$NC_TMP/bad-ns.xml" "$BOOT" "$NC_TMP/bomb.xml" "$SIF" >"$NC_TMP/bad.list"
"$NIPCAST" -g 224.0.23.14:3937 -t 0 -i 127.0.0.1 -c 2 --objects "$NC_TMP/bad.list" \
	>>"$NC_TMP/nipcast.log" 2>&1 || fail "nipcast --objects (bad)"
bad_counted() {
	[ "$(metric 'nipcache_nip_document_errors_total{doc="bootstrap"}')" -ge 1 ] &&
	[ "$(metric 'nipcache_nip_document_errors_total{doc="sif"}')" -ge 1 ]
}
wait_for 10 bad_counted || fail "hostile bootstrap and SIF not counted"
health_ok || fail "daemon unhealthy after hostile signalling"
[ "$(svc tag:t,2026:a name)" = '"tag:t,2026:a"' ] || fail "services changed by refused signalling"

cat >"$NC_TMP/boot.xml" <<'EOF'
<MulticastGatewayConfiguration xmlns="urn:dvb:metadata:MulticastSessionConfiguration:2024">
 <MulticastGatewayConfigurationTransportSession>
  <TransportProtocol protocolIdentifier="urn:dvb:metadata:cs:MulticastTransportProtocolCS:2019:FLUTE" protocolVersion="1"/>
  <EndpointAddress><NetworkDestinationGroupAddress>239.255.71.9</NetworkDestinationGroupAddress>
   <TransportDestinationPort>5009</TransportDestinationPort><MediaTransportSessionIdentifier>9</MediaTransportSessionIdentifier></EndpointAddress>
 </MulticastGatewayConfigurationTransportSession>
</MulticastGatewayConfiguration>
EOF
printf '%s %s application/xml+dvb-mabr-session-configuration\n' "$NC_TMP/boot.xml" "$BOOT" >"$NC_TMP/good.list"
ch0=$(metric nipcache_nip_channels)
"$NIPCAST" -g 224.0.23.14:3937 -t 0 -i 127.0.0.1 -c 2 --objects "$NC_TMP/good.list" \
	>>"$NC_TMP/nipcast.log" 2>&1 || fail "nipcast --objects (good)"
more_channels() { [ "$(metric nipcache_nip_channels)" -eq $((ch0 + 1)) ]; }
wait_for 10 more_channels || fail "the good bootstrap's session was not joined ($ch0 -> $(metric nipcache_nip_channels))"
curl -fsS "$NC_URL/nip/bootstrap.xml" | grep -q 239.255.71.9 || fail "/nip/bootstrap.xml is not the good version"
note "hostile bootstrap and SIF refused and counted; the good bootstrap applied"
stop_daemon
