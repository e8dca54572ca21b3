#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check a Grafana dashboard against what nipcached's /metrics exports.

Usage: dashboard_check.py DASHBOARD.json METRICS.txt [--prometheus URL]

Static checks: the JSON parses; panel ids are present and unique (rows'
nested panels included); every panel and target uses the Prometheus data
source through the dashboard's datasource variable; every PromQL
expression (targets and query variables) names only metric families that
METRICS.txt (a scrape of /metrics) has, only labels those families carry
(or the target labels instance and job), in selectors, by/without/on/
ignoring/group_* lists and {{label}} legends; and uses only dashboard
variables that exist.  With --prometheus, each expression is also run
there (Grafana's variables replaced by values Prometheus understands) and
must succeed and return at least one series.  Prints each problem and
exits 1 if there is any.
"""
import json
import re
import sys
import urllib.parse
import urllib.request

TARGET_LABELS = {"instance", "job"}
GRAFANA_VARS = {"__rate_interval", "__interval", "__range", "__interval_ms",
                "__range_s", "__range_ms"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"}


def parse_metrics(path):
    """Family name -> set of label names, from TYPE lines and samples."""
    fams = {}
    sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s')
    for line in open(path, encoding="utf-8"):
        if line.startswith("# TYPE "):
            fams.setdefault(line.split()[2], set())
            continue
        if line.startswith("#"):
            continue
        m = sample.match(line)
        if m:
            labels = re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', m.group(3) or "")
            fams.setdefault(m.group(1), set()).update(labels)
    return fams


def all_panels(panels):
    for p in panels:
        yield p
        yield from all_panels(p.get("panels", []))


class Checker:
    def __init__(self, dash, fams):
        self.dash = dash
        self.fams = fams
        self.problems = []
        tmpl = dash.get("templating", {}).get("list", [])
        self.vars = {v.get("name") for v in tmpl}
        self.ds_vars = {v.get("name") for v in tmpl
                        if v.get("type") == "datasource" and v.get("query") == "prometheus"}

    def bad(self, where, msg):
        self.problems.append(f"{where}: {msg}")

    def check_ds(self, where, ds):
        uid = ds.get("uid", "") if isinstance(ds, dict) else ""
        if not isinstance(ds, dict) or ds.get("type") != "prometheus":
            self.bad(where, f"datasource {ds!r} is not of type prometheus")
        elif not re.fullmatch(r"\$\{?(\w+)\}?", uid or "") or \
                re.fullmatch(r"\$\{?(\w+)\}?", uid).group(1) not in self.ds_vars:
            self.bad(where, f"datasource uid {uid!r} is not the dashboard's datasource variable")

    def check_expr(self, where, expr, legend=""):
        for v in re.findall(r"\$\{?(\w+)", expr + " " + legend):
            if v not in self.vars and v not in GRAFANA_VARS:
                self.bad(where, f"unknown variable ${v}")
        e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
        e = re.sub(r"\$\{?\w+\}?", " ", e)
        e = re.sub(r"\[[^\]]*\]", "", e)
        metrics, labels = [], []
        # Selectors: NAME{l1="..", l2=~".."} or {..} alone.
        for m in re.finditer(r"([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}", e):
            sel = re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", m.group(2))
            if m.group(1) and m.group(1) not in KEYWORDS:
                for lab in sel:
                    if lab not in self.fams.get(m.group(1), set()) | TARGET_LABELS:
                        self.bad(where, f"{m.group(1)} has no label {lab}")
        e = re.sub(r"\{[^}]*\}", " ", e)
        # Grouping lists: by (a, b), on (a), group_left (c) ...
        for m in re.finditer(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", e):
            labels += [x.strip() for x in m.group(2).split(",") if x.strip()]
        e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
        # label_values(metric, label) in query variables.
        lv = re.fullmatch(r"\s*label_values\(\s*([a-zA-Z_:][\w:]*)\s*,\s*(\w+)\s*\)\s*", expr)
        if lv:
            labels.append(lv.group(2))
            e = lv.group(1)
        for m in re.finditer(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", e):
            name = m.group(1)
            if m.group(2) or name in KEYWORDS or re.fullmatch(r"\d.*", name):
                continue
            metrics.append(name)
        if not metrics:
            self.bad(where, f"no metric in {expr!r}")
        for name in metrics:
            if name not in self.fams:
                self.bad(where, f"{name} is not exported by /metrics")
        have = set(TARGET_LABELS)
        for name in metrics:
            have |= self.fams.get(name, set())
        for lab in labels + re.findall(r"\{\{\s*(\w+)\s*\}\}", legend):
            if lab not in have:
                self.bad(where, f"label {lab} is on none of {metrics}")
        return metrics

    def run(self):
        d = self.dash
        if not self.ds_vars:
            self.bad("templating", "no datasource variable of type prometheus")
        for v in d.get("templating", {}).get("list", []):
            if v.get("type") == "query":
                self.check_ds(f"variable {v.get('name')}", v.get("datasource"))
                q = v.get("query")
                q = q.get("query", "") if isinstance(q, dict) else q
                self.check_expr(f"variable {v.get('name')}", q or "")
        ids = {}
        exprs = []
        panels = list(all_panels(d.get("panels", [])))
        if not panels:
            self.bad("dashboard", "no panels")
        for p in panels:
            pid = p.get("id")
            where = f"panel {pid} ({p.get('title')!r})"
            if not isinstance(pid, int):
                self.bad(where, "no integer id")
            elif pid in ids:
                self.bad(where, f"id {pid} also used by {ids[pid]!r}")
            else:
                ids[pid] = p.get("title")
            if p.get("type") == "row":
                continue
            self.check_ds(where, p.get("datasource"))
            targets = p.get("targets", [])
            if not targets:
                self.bad(where, "no targets")
            refs = [t.get("refId") for t in targets]
            if len(set(refs)) != len(refs):
                self.bad(where, f"refIds not unique: {refs}")
            for t in targets:
                tw = f"{where} target {t.get('refId')}"
                if "datasource" in t:
                    self.check_ds(tw, t["datasource"])
                expr = t.get("expr", "")
                self.check_expr(tw, expr, t.get("legendFormat", ""))
                exprs.append((tw, expr))
        return exprs


def grafana_to_promql(expr):
    """Grafana's variables as Prometheus can take them."""
    expr = re.sub(r"\$\{?__(rate_interval|interval|range)\}?", "1m", expr)
    return re.sub(r"\$\{?\w+\}?", ".*", expr)


def run_live(url, exprs, problems):
    for where, expr in exprs:
        q = urllib.parse.urlencode({"query": grafana_to_promql(expr)})
        try:
            with urllib.request.urlopen(f"{url}/api/v1/query?{q}", timeout=10) as r:
                res = json.load(r)
        except Exception as e:  # HTTP 400 (bad PromQL) lands here too
            body = getattr(e, "read", lambda: b"")().decode(errors="replace")
            problems.append(f"{where}: query failed: {e} {body}")
            continue
        if res.get("status") != "success":
            problems.append(f"{where}: {res}")
        elif not res["data"]["result"]:
            problems.append(f"{where}: no series for {expr!r}")


def main(argv):
    if len(argv) not in (3, 5) or (len(argv) == 5 and argv[3] != "--prometheus"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 64
    try:
        dash = json.load(open(argv[1], encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"{argv[1]}: {e}")
        return 1
    c = Checker(dash, parse_metrics(argv[2]))
    exprs = c.run()
    if len(argv) == 5 and not c.problems:
        run_live(argv[4].rstrip("/"), exprs, c.problems)
    for p in c.problems:
        print(p)
    if not c.problems:
        print(f"ok: {len(exprs)} expressions in "
              f"{len(list(all_panels(dash.get('panels', []))))} panels")
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
