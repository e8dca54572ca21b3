#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An independent look at a nipcached cache, and the kill loop of
130-crash-kill.sh.

  cache_check.py disk CACHE_DIR MAP [MAX_BYTES]
      Read every file under CACHE_DIR/objects with a reader of its own of the
      layout daemon/cache_fs.h documents (header page: magic, version,
      lengths, body MD5, type, path, CRC-32; the body at 4096) and print
      "files= bytes= largest= bad= dups= torn= tmp= over=": files that fail
      that self-check (bad), older versions of a path still on disk (dups),
      bodies that are not a version the sender sent (torn), entries in tmp/,
      and bytes above MAX_BYTES.  Each problem is named on stderr.
  cache_check.py serve URL MAP
      GET every path of MAP over one keep-alive connection and print
      "ok= missing= bytes= bad=": 200 with exactly the bytes of a version
      that was sent (ok), 404 or 503 (missing: not cached, or announced and
      not complete yet), anything else (bad, named on stderr).
  cache_check.py metrics URL NAME...
      Print the named /metrics series (full names, labels included) as
      "NAME=VALUE ...", NAME without nipcache_ and with anything but letters,
      digits and _ turned into _ (0 when absent).
  cache_check.py kill --nipcached BIN --config FILE --log FILE --cache DIR
                 --url URL --map MAP --cap BYTES --senders PID[,PID]
                 --kills N --seed S --max-delay SECONDS
      Start nipcached, wait for eviction, then N times: let the senders run,
      wait for the first packet and a seeded random delay, SIGKILL the
      daemon, stop the senders (SIGSTOP), inspect the disk, restart, and
      check the restart (see 130-crash-kill.sh).  Every fifth kill comes
      from strace instead, at the Nth call of a system call (INJECT);
      every tenth restart is killed too, within 15 ms of its start (during
      the recovery itself).  Figures go to stdout as "# " lines and the
      last line as KEY=VALUE words; a failure is one "FAIL: " line on
      stderr and exit 1.

MAP holds lines "MD5HEX /path", one per version sent (a path may have
several); it may grow while it is read.
"""
import hashlib, http.client, os, random, re, signal, struct, subprocess, \
    sys, time, urllib.parse, zlib

BODY_OFF = 4096
FIXED = 60


class Fail(Exception):
    pass


def load_map(fn):
    m = {}
    with open(fn) as f:
        for line in f:
            w = line.split()
            if len(w) == 2 and len(w[0]) == 32:
                m.setdefault(w[1], set()).add(w[0])
    return m


def read_header(f, size):
    """(path, md5hex) or a reason string when the file is bad."""
    if size < BODY_OFF:
        return "shorter than the header page"
    page = f.read(BODY_OFF)
    if page[:8] != b"NIPCOBJ\n" or struct.unpack_from("<I", page, 8)[0] != 1:
        return "bad magic or version"
    hl, blen = struct.unpack_from("<IQ", page, 12)
    tl, pl = struct.unpack_from("<HH", page, 56)
    if hl != FIXED + tl + pl + 4 or hl > BODY_OFF:
        return "bad header length"
    if struct.unpack_from("<I", page, hl - 4)[0] != zlib.crc32(page[:hl - 4]):
        return "bad CRC"
    if size != BODY_OFF + blen:
        return "size %d is not 4096 + body %d" % (size, blen)
    return page[FIXED + tl:FIXED + tl + pl].decode("utf-8", "replace"), \
        page[24:40].hex()


def disk_file(full, name, vmap, out, probs):
    """Check one object file; its path, or None when it is bad."""
    try:
        size = os.stat(full).st_size
        with open(full, "rb") as f:
            h = read_header(f, size)
            if isinstance(h, str):
                out["bad"] += 1
                probs.append("bad object %s: %s" % (name, h))
                return None
            body = hashlib.md5()
            for chunk in iter(lambda: f.read(1 << 16), b""):
                body.update(chunk)
    except FileNotFoundError:
        return None
    out["files"] += 1
    out["bytes"] += size
    out["largest"] = max(out["largest"], size)
    path, md5 = h
    got = body.hexdigest()
    if got != md5 or got not in vmap.get(path, ()):
        out["torn"] += 1
        probs.append("torn object %s (%s): body %s, header %s, sent %s" %
                     (name, path, got, md5, sorted(vmap.get(path, ()))))
    return path


def disk(root, vmap, cap, probs):
    out = dict(files=0, bytes=0, largest=0, bad=0, dups=0, torn=0, tmp=0,
               over=0)
    paths = {}
    objs = os.path.join(root, "objects")
    for b in sorted(os.listdir(objs)) if os.path.isdir(objs) else []:
        for n in sorted(os.listdir(os.path.join(objs, b))):
            p = disk_file(os.path.join(objs, b, n), b + "/" + n, vmap, out,
                          probs)
            if p is not None:
                paths[p] = paths.get(p, 0) + 1
    out["dups"] = sum(n - 1 for n in paths.values())
    tmp = os.path.join(root, "tmp")
    out["tmp"] = len(os.listdir(tmp)) if os.path.isdir(tmp) else 0
    out["over"] = max(0, out["bytes"] - cap)
    return out


def conn(url):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=10)


def serve(url, vmap, probs):
    c = conn(url)
    out = dict(ok=0, missing=0, bytes=0, bad=0)
    for path, want in sorted(vmap.items()):
        c.request("GET", urllib.parse.quote(path))
        r = c.getresponse()
        body = r.read()
        got = hashlib.md5(body).hexdigest()
        if r.status in (404, 503):
            out["missing"] += 1
        elif r.status == 200 and got in want:
            out["ok"] += 1
            out["bytes"] += len(body)
        else:
            out["bad"] += 1
            probs.append("%s: %d, %d bytes, md5 %s, sent %s" %
                         (path, r.status, len(body), got, sorted(want)))
    c.close()
    return out


def metric_key(name):
    return re.sub(r"\W+", "_", name[len("nipcache_"):]).strip("_")


def metrics(url, names):
    c = conn(url)
    c.request("GET", "/metrics")
    vals = {}
    for line in c.getresponse().read().decode().splitlines():
        if line and line[0] != "#":
            k, v = line.rsplit(" ", 1)
            vals[k] = int(float(v))
    c.close()
    return {metric_key(n): vals.get(n, 0) for n in names}


def healthy(url):
    try:
        c = conn(url)
        c.request("GET", "/health")
        ok = c.getresponse().status == 200
        c.close()
        return ok
    except OSError:
        return False


def kv(d):
    return " ".join("%s=%d" % item for item in d.items())


def until(seconds, fn, step=0.01):
    end = time.monotonic() + seconds
    while not fn():
        if time.monotonic() > end:
            return False
        time.sleep(step)
    return True


# ---- The kill loop. ----------------------------------------------------

STARTLINE = re.compile(r"cache .*: (\d+) objects, (\d+) bytes, (\d+) bad "
                       r"files and (\d+) staging files dropped")

# Exact moments for every fifth kill: strace makes the Nth call (N from 1
# to the bound) of one system call of the publish path deliver SIGKILL:
# staging and sealing writes, the batch sync, the rename that publishes,
# and the unlinks of what a publish evicts or replaces, the windows a
# random delay almost never hits.
INJECT = (("pwrite64", 100), ("fdatasync", 6), ("renameat", 8),
          ("unlinkat", 8))


def traced(pid):
    """1 when every thread of pid has a tracer."""
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/status" % (pid, t)) as f:
                if re.search(r"^TracerPid:\s+0$", f.read(), re.M):
                    return False
    except OSError:
        return False
    return True


class Loop:
    def __init__(self, a):
        self.a = a
        self.senders = [int(p) for p in a["senders"].split(",") if p]
        self.cap = int(a["cap"])
        self.url = a["url"]
        self.proc = self.tracer = self.armed = None
        self.rng = random.Random(int(a["seed"]))
        self.fig = dict(kills=0, injected=0, recovery_kills=0, published=0,
                        evicted=0, replaced=0, tmp_kills=0, dup_kills=0,
                        over_kills=0, max_over=0, disk_files=0, served=0,
                        served_bytes=0, missing=0, strace=1)
        self.by_call = {}

    def signal_senders(self, sig):
        for p in self.senders:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                raise Fail("sender %d is gone" % p)

    def start(self, wait=True):
        log = open(self.a["log"], "ab")
        self.logoff = log.tell()
        self.proc = subprocess.Popen([self.a["nipcached"], "--config",
                                      self.a["config"]], stdout=log,
                                     stderr=subprocess.STDOUT)
        log.close()
        if wait and not until(30, lambda: healthy(self.url)):
            raise Fail("nipcached did not become ready")

    def dead(self):
        return self.proc.poll() is not None

    def kill(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        if self.tracer is not None:
            try:
                self.tracer.wait(5)
            except subprocess.TimeoutExpired:
                self.tracer.kill()
                self.tracer.wait()
            self.tracer = None

    def arm(self):
        """Make the Nth call of a system call kill the running daemon."""
        call, top = self.rng.choice(INJECT)
        n = self.rng.randint(1, top)
        self.tracer = subprocess.Popen(
            ["strace", "-f", "-qq", "-o", "/dev/null", "-p",
             str(self.proc.pid), "-e", "trace=" + call, "-e",
             "inject=%s:signal=KILL:when=%d" % (call, n)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if until(10, lambda: traced(self.proc.pid) or
                 self.tracer.poll() is not None):
            if self.tracer.poll() is None:
                self.armed = "%s #%d" % (call, n)
                return
        # No ptrace here (a seccomp filter, say): timed kills only.
        self.tracer.kill()
        err = self.tracer.communicate()[1].decode(errors="replace")
        self.tracer = None
        self.fig["strace"] = 0
        print("# strace cannot trace nipcached here (%s): timed kills "
              "only" % " ".join(err.split()))

    def received(self):
        try:
            return metrics(self.url, ["nipcache_packets_total"])[
                "packets_total"] > 0
        except OSError:
            return False

    def startline(self):
        with open(self.a["log"], "rb") as f:
            f.seek(self.logoff)
            m = STARTLINE.findall(f.read().decode("utf-8", "replace"))
        if not m:
            raise Fail("no start-up line in the log")
        return [int(x) for x in m[-1]]

    def check(self, what, before):
        """The restarted daemon against the disk, the senders stopped."""
        a, url, probs = self.a, self.url, []
        names = ["nipcache_cache_objects", "nipcache_cache_bytes",
                 "nipcache_evictions_total",
                 "nipcache_objects_completed_total"]
        for _ in range(5):
            m1 = metrics(url, names)
            vmap = load_map(a["map"])
            after = disk(a["cache"], vmap, self.cap, probs)
            s = serve(url, vmap, probs)
            if metrics(url, names) == m1:
                break
            probs = []
        else:
            raise Fail("%s: the index kept changing with the senders "
                       "stopped" % what)
        lo, lb, lbad, ltmp = self.startline()
        ctx = "%s: before {%s}, after {%s}, index {%s}, served {%s}" % (
            what, kv(before), kv(after), kv(m1), kv(s))
        for p in probs:
            print(p, file=sys.stderr)
        want = [
            (after["tmp"] == 0, "tmp/ not empty once ready"),
            (ltmp == before["tmp"], "start-up purged %d staging files" % ltmp),
            (after["bad"] == 0 and after["torn"] == 0 and lbad == 0,
             "bad or torn object files (%d dropped at start)" % lbad),
            (after["dups"] == 0, "older versions left on disk"),
            (after["over"] == 0, "the byte cap does not hold on disk"),
            (m1["cache_objects"] == after["files"] == lo and
             m1["cache_bytes"] == after["bytes"] == lb,
             "the index is not the files on disk (start-up line %d "
             "objects, %d bytes)" % (lo, lb)),
            (m1["objects_completed_total"] > 0 or
             before["files"] - before["dups"] - m1["evictions_total"] ==
             after["files"], "files before - older - evicted != after"),
            (s["bad"] == 0, "objects served wrong"),
            (s["ok"] == after["files"], "served != indexed"),
        ]
        for ok, why in want:
            if not ok:
                raise Fail("%s: %s" % (ctx, why))
        f = self.fig
        f["evicted"] += m1["evictions_total"]
        f["disk_files"] += after["files"]
        f["served"] += s["ok"]
        f["served_bytes"] += s["bytes"]
        f["missing"] += s["missing"]

    def left(self, what):
        """The disk as a kill left it: nothing bad, at most one over."""
        probs = []
        d = disk(self.a["cache"], load_map(self.a["map"]), self.cap, probs)
        if d["bad"] or d["torn"]:
            raise Fail("%s left bad or torn objects: %s" %
                       (what, "; ".join(probs)))
        # One committer publishes: its new file is renamed in before what
        # it displaces is unlinked, so the disk may hold one object more.
        if d["over"] > d["largest"]:
            raise Fail("%s left %d bytes over the cap on disk, more than "
                       "one object (%d)" % (what, d["over"], d["largest"]))
        return d

    def kill_moment(self, delay):
        """Wait for the moment to kill (or the injection); what it was."""
        f = self.fig
        if self.armed is not None:
            if until(1.5, self.dead, 0.005):
                f["injected"] += 1
                self.by_call[self.armed.split()[0]] = \
                    self.by_call.get(self.armed.split()[0], 0) + 1
                return "killed by strace at %s" % self.armed
            what = "%s not reached in 1.5 s" % self.armed
        else:
            time.sleep(delay)
            what = "%.3f s" % delay
        m = metrics(self.url, ["nipcache_evictions_total",
                               "nipcache_objects_completed_total",
                               "nipcache_cache_replaced_total"])
        f["published"] += m["objects_completed_total"]
        f["evicted"] += m["evictions_total"]
        f["replaced"] += m["cache_replaced_total"]
        return what

    def one(self, i, delay):
        f = self.fig
        if i > 1:
            self.signal_senders(signal.SIGCONT)
            if not until(10, lambda: self.dead() or self.received()):
                raise Fail("kill %d: nothing received after the restart" % i)
        what = "kill %d (%s)" % (i, self.kill_moment(delay))
        self.kill()
        self.armed = None
        self.signal_senders(signal.SIGSTOP)
        f["kills"] += 1
        before = self.left(what)
        f["tmp_kills"] += before["tmp"] > 0
        f["dup_kills"] += before["dups"] > 0
        f["over_kills"] += before["over"] > 0
        f["max_over"] = max(f["max_over"], before["over"])
        if i % 10 == 0:
            # Kill the restart too, early: during the recovery itself.
            self.start(wait=False)
            time.sleep(self.rng.uniform(0, 0.015))
            self.kill()
            f["recovery_kills"] += 1
            before = self.left(what + ", then during the recovery")
        self.start()
        self.check(what, before)
        if i % 5 == 4 and self.fig["strace"]:
            self.arm()

    def run(self):
        delays = [self.rng.uniform(0, float(self.a["max-delay"]))
                  for _ in range(int(self.a["kills"]))]
        self.start()
        if not until(60, lambda: metrics(self.url, [
                "nipcache_evictions_total"])["evictions_total"] > 0, 0.1):
            raise Fail("no eviction within 60 s")
        t0 = time.monotonic()
        for i, d in enumerate(delays, 1):
            self.one(i, d)
        self.signal_senders(signal.SIGCONT)
        if self.tracer is not None:
            self.tracer.kill()
            self.tracer.wait()
            self.tracer = None
        self.proc.terminate()
        if self.proc.wait() != 0:
            raise Fail("nipcached exited %d after SIGTERM" % self.proc.wait())
        self.proc = None
        f = self.fig
        f["seconds"] = int(time.monotonic() - t0)
        print("# %(kills)d kills (%(injected)d at a system call by strace) "
              "and %(recovery_kills)d more during the restart, in "
              "%(seconds)d s: %(published)d objects published, "
              "%(replaced)d replaced and %(evicted)d evicted" % f)
        print("#   strace kills at: %s" % (", ".join(
            "%s %d" % c for c in sorted(self.by_call.items())) or "none"))
        print("#   killed with files in tmp/ %(tmp_kills)d times, with an "
              "older version on disk %(dup_kills)d, over the cap on disk "
              "%(over_kills)d (at most %(max_over)d bytes)" % f)
        print("#   after the restarts: %(disk_files)d object files read, "
              "%(served)d objects served exact (%(served_bytes)d bytes), "
              "%(missing)d 404" % f)
        print(kv(f))


def kill_main(argv):
    a = {}
    for k, v in zip(argv[::2], argv[1::2]):
        a[k.lstrip("-")] = v
    loop = Loop(a)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        loop.run()
    except Fail as e:
        print("FAIL: %s" % e, file=sys.stderr)
        return 1
    finally:
        loop.kill()
        for p in loop.senders:
            try:
                os.kill(p, signal.SIGCONT)
            except ProcessLookupError:
                pass
    return 0


def main(argv):
    probs = []
    if len(argv) >= 3 and argv[0] == "disk":
        cap = int(argv[3]) if len(argv) > 3 else 1 << 62
        print(kv(disk(argv[1], load_map(argv[2]), cap, probs)))
    elif len(argv) == 3 and argv[0] == "serve":
        print(kv(serve(argv[1], load_map(argv[2]), probs)))
    elif len(argv) >= 3 and argv[0] == "metrics":
        print(kv(metrics(argv[1], argv[2:])))
    elif argv and argv[0] == "kill":
        return kill_main(argv[1:])
    else:
        sys.exit(__doc__)
    for p in probs:
        print(p, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
