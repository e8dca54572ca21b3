#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /metrics passes `promtool check metrics` (Debian's prometheus package),
# and the shipped Grafana dashboard (packaging/grafana/nipcache.json) asks
# only for what /metrics has.  Traffic first, so that the families carry
# real series: two one-cycle carousels with --fec rs and nipcast's own
# seeded loss (8%), one with 30% overhead (FEC rebuilds blocks) and one
# with 2% (FEC cannot: unicast repair from nginx on loopback fetches the
# rest); plus an empty TS file input and a tuner on an adapter this
# machine lacks, so the input and tuner families are there too.  Asserts:
#  - every object is served identical; FEC decoded blocks and rebuilt
#    symbols, repair sent requests and fetched bytes (non-zero counters);
#  - /metrics is text/plain version 0.0.4 and promtool prints nothing and
#    exits 0 (lint included: _total counters, base units, no duplicates);
#    a known-bad exposition makes it complain (the check is live);
#  - the dashboard parses, its panel ids are unique, every expression
#    names only metric families and labels of this /metrics, through the
#    datasource variable (tests/system/dashboard_check.py); broken copies
#    (an unknown metric, a duplicate id, an unknown label) are refused;
#  - a real Prometheus scraping this daemon runs every expression of the
#    dashboard without an error and gets at least one series for each.
. "$NC_SYS/common.sh"

command -v promtool >/dev/null || fail "promtool is missing (make deps installs prometheus)"
command -v prometheus >/dev/null || fail "prometheus is missing (make deps installs it)"
command -v python3 >/dev/null || fail "python3 is missing (make deps installs it)"
DASH=$NC_TOP/packaging/grafana/nipcache.json
CHECK=$NC_SYS/dashboard_check.py
GROUP=239.255.95.1:5000
NGINX_PORT=8195
PROM=127.0.0.1:9095

mkdir -p "$NC_TMP/www"
make_tree "$NC_TMP/www/fec" 95
make_tree "$NC_TMP/www/rep" 96
start_nginx "$NGINX_PORT" "$NC_TMP/www"
# An input whose name has a control, a quote and a backslash: its label must
# still parse (Prometheus knows only \\, \" and \n).
odd="$NC_TMP/$(printf 'empty\001"q\\.ts')"
: >"$odd"
set -- "[input]" "udp = $GROUP" "sockets = yes" "ts = $odd"
if [ -e /dev/dvb/adapter97 ]; then
	note "adapter 97 exists here: no tuner families in this run"
else
	set -- "$@" "dvb = 97" "[tuner]" "frequency = 11141 MHz" "polarisation = h" \
		"symbol_rate = 23500 ks/s"
fi
write_conf "$NC_TMP/c.conf" "$@" \
	"[repair]" "base_url = http://127.0.0.1:$NGINX_PORT/" "reception_timeout = 1s" \
	"random_backoff = 200ms"
start_daemon "$NC_TMP/c.conf"

# send DIR TSI OVERHEAD: one cycle of DIR, RS-encoded, 8% of it dropped.
send() {
	"$NIPCAST" -g "$GROUP" -i 127.0.0.1 -t "$2" -r 50M -c 1 -v --loss 0.08 --seed "$2" \
		--fec rs --overhead "$3" --url-base "http://dvb.gw/${1##*/}/" "$1" \
		>>"$NC_TMP/nipcast.log" 2>&1 || fail "nipcast: $(tail -n 3 "$NC_TMP/nipcast.log")"
}
send "$NC_TMP/www/fec" 1 30
send "$NC_TMP/www/rep" 2 2
wait_for 60 all_served "$NC_TMP/www/fec" /fec || fail "the 30% overhead objects are incomplete"
wait_for 60 all_served "$NC_TMP/www/rep" /rep || fail "the 2% overhead objects are incomplete"
for m in fec_blocks_decoded_total fec_symbols_recovered_total repair_requests_total \
	repair_body_bytes_total lost_symbols_total packets_total; do
	[ "$(metric "nipcache_$m")" -gt 0 ] || fail "nipcache_$m is 0 after the lossy FEC carousels"
done
note "FEC decoded $(metric nipcache_fec_blocks_decoded_total) blocks," \
	"rebuilt $(metric nipcache_fec_symbols_recovered_total) symbols;" \
	"repair: $(metric nipcache_repair_requests_total) requests, $(metric nipcache_repair_body_bytes_total) B"

# ---- promtool ------------------------------------------------------------
curl -fsS -D "$NC_TMP/headers" -o "$NC_TMP/metrics" "$NC_URL/metrics" || fail "GET /metrics"
grep -qi '^content-type: text/plain; version=0\.0\.4' "$NC_TMP/headers" ||
	fail "/metrics Content-Type: $(grep -i '^content-type' "$NC_TMP/headers")"
fams="input_bytes_total repair_results_total build_info"
[ -e /dev/dvb/adapter97 ] || fams="$fams tuner_open_failures_total"
for f in $fams; do
	grep -q "^nipcache_$f{" "$NC_TMP/metrics" || fail "no nipcache_$f series in /metrics"
done
grep -qF 'input="'"$NC_TMP"'/empty?\"q\\.ts"' "$NC_TMP/metrics" ||
	fail "the odd input's label is not escaped as Prometheus wants: $(grep -m 1 'input=' "$NC_TMP/metrics")"
st=0
promtool check metrics <"$NC_TMP/metrics" >"$NC_TMP/promtool.out" 2>&1 || st=$?
[ $st -eq 0 ] && [ ! -s "$NC_TMP/promtool.out" ] ||
	fail "promtool check metrics (rc $st): $(cat "$NC_TMP/promtool.out")"
note "promtool: $(grep -c '^# TYPE' "$NC_TMP/metrics") families," \
	"$(grep -vc '^#' "$NC_TMP/metrics") series, no problem"
printf '# HELP x_seconds_ms A.\n# TYPE x_seconds_ms counter\nx_seconds_ms 1\n' >"$NC_TMP/bad"
st=0
promtool check metrics <"$NC_TMP/bad" >"$NC_TMP/promtool.out" 2>&1 || st=$?
[ $st -ne 0 ] && grep -q _total "$NC_TMP/promtool.out" ||
	fail "promtool did not flag a counter without _total (rc $st): $(cat "$NC_TMP/promtool.out")"

# ---- the Grafana dashboard ----------------------------------------------
python3 "$CHECK" "$DASH" "$NC_TMP/metrics" >"$NC_TMP/dash.out" 2>&1 ||
	fail "dashboard: $(cat "$NC_TMP/dash.out")"
# Broken copies: each must be refused, naming the fault.
python3 - "$DASH" "$NC_TMP" <<'PY' || fail "cannot write the broken dashboards"
import copy, json, sys
d = json.load(open(sys.argv[1]))
def expr_panel(x):
    return next(p for p in x["panels"] if p.get("targets"))
a = copy.deepcopy(d)
t = expr_panel(a)["targets"][0]
t["expr"] = t["expr"].replace("nipcache_", "nipcache_no_such_", 1)
json.dump(a, open(sys.argv[2] + "/bad-metric.json", "w"))
a = copy.deepcopy(d)
a["panels"][-1]["id"] = a["panels"][0]["id"]
json.dump(a, open(sys.argv[2] + "/bad-id.json", "w"))
a = copy.deepcopy(d)
t = expr_panel(a)["targets"][0]
t["expr"] = "sum by (no_such_label) (" + t["expr"] + ")"
json.dump(a, open(sys.argv[2] + "/bad-label.json", "w"))
PY
for b in bad-metric:nipcache_no_such_ bad-id:'also used by' bad-label:no_such_label; do
	! python3 "$CHECK" "$NC_TMP/${b%%:*}.json" "$NC_TMP/metrics" >"$NC_TMP/dash.out" 2>&1 &&
		grep -q "${b#*:}" "$NC_TMP/dash.out" ||
		fail "the checker let ${b%%:*}.json through: $(cat "$NC_TMP/dash.out")"
done

# ---- A real Prometheus runs every expression ---------------------------
cat >"$NC_TMP/prom.yml" <<EOF
global:
  scrape_interval: 500ms
  evaluation_interval: 500ms
scrape_configs:
  - job_name: nipcache
    static_configs:
      - targets: ['127.0.0.1:$NC_PORT']
EOF
prometheus --config.file="$NC_TMP/prom.yml" --storage.tsdb.path="$NC_TMP/prom" \
	--web.listen-address="$PROM" --log.level=warn >"$NC_TMP/prometheus.log" 2>&1 &
NC_PIDS="$NC_PIDS $!"
# Three scrapes, so that rate() has two points whatever the timing.
prom_scraped() {
	curl -fsS --data-urlencode 'query=count_over_time(nipcache_up[1m]) >= 3' \
		"http://$PROM/api/v1/query" | grep -q '"result":\[{'
}
wait_for 30 prom_scraped ||
	fail "Prometheus did not scrape /metrics three times: $(tail -n 5 "$NC_TMP/prometheus.log")"
python3 "$CHECK" "$DASH" "$NC_TMP/metrics" --prometheus "http://$PROM" >"$NC_TMP/dash.out" 2>&1 ||
	fail "dashboard against Prometheus: $(cat "$NC_TMP/dash.out")"
note "dashboard $(cat "$NC_TMP/dash.out"), each answered by Prometheus $(prometheus --version 2>&1 | awk 'NR == 1 { print $3 }')"
stop_daemon
