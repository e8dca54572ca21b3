#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# DVB-I local discovery by DNS-SD: tools/avahi-service.sh writes the Avahi
# static service file, a real avahi-daemon publishes it, and an mDNS client
# written here finds the gateway the way a DVB-I client does: PTR for
# _dvbservdsc._tcp.local, then the instance's SRV (port) and TXT (dvbi_sl,
# dvbi_sep), and the host's A record.  The daemon is private to this test: it
# runs in this test's network namespace on a veth interface of its own, and in
# a mount namespace of its own where a temp dir hides /etc/avahi/services (the
# only place avahi-daemon reads static services from; it has no option for
# another) and a tmpfs hides /run (its pid file), so the host is never touched.
. "$NC_SYS/common.sh"
command -v avahi-daemon >/dev/null || skip "avahi-daemon is not installed (make deps installs it)"
GEN="$NC_TOP/tools/avahi-service.sh"

# Bad arguments: usage on stderr, exit 64, no file on stdout.
for args in "--port 0" "--port 65536" "--port 080" "--port 8x" "--port 1234567" "--port" \
	"--host a<b" "--host -x" "--host a..b" "--host" "--name" "--bogus"; do
	st=0
	# shellcheck disable=SC2086
	sh "$GEN" $args >"$NC_TMP/out" 2>"$NC_TMP/err" || st=$?
	[ $st -eq 64 ] || fail "avahi-service.sh $args: exit $st, expected 64"
	[ ! -s "$NC_TMP/out" ] || fail "avahi-service.sh $args printed a service file"
	grep -q '^usage:' "$NC_TMP/err" || fail "avahi-service.sh $args printed no usage"
done

# A name with XML specials is escaped: the file parses and keeps the name.
sh "$GEN" --host 10.0.0.5 --port 1 --name 'TV & <radio>' >"$NC_TMP/odd.service" ||
	fail "avahi-service.sh with an odd name"
python3 - "$NC_TMP/odd.service" <<'EOF' || fail "the odd-name service file is wrong"
import sys, xml.dom.minidom
d = xml.dom.minidom.parse(sys.argv[1])
assert d.getElementsByTagName("name")[0].firstChild.data == "TV & <radio>"
txt = [t.firstChild.data for t in d.getElementsByTagName("txt-record")]
assert "dvbi_sl=http://10.0.0.5:1/dvbi/servicelist.xml" in txt, txt
EOF

mkdir -p "$NC_TMP/services"
sh "$GEN" --host nipcache-test.local --port 8080 >"$NC_TMP/services/nipcache.service" ||
	fail "avahi-service.sh failed"

# One end of a veth pair is the "home network" (the kernel has no dummy
# driver everywhere); multicast is on for veth.
ip link add ncdns type veth peer name ncdns-peer || fail "cannot create a veth pair"
ip link set ncdns multicast on
ip addr add 10.77.0.1/24 dev ncdns
ip link set ncdns-peer up
ip link set ncdns up

cat >"$NC_TMP/avahi.conf" <<'EOF'
[server]
host-name=nipcache-test
domain-name=local
use-ipv4=yes
use-ipv6=no
allow-interfaces=ncdns
enable-dbus=no
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
[reflector]
enable-reflector=no
EOF

# unshare and sh exec in turn, so $! is avahi-daemon itself.  Its log is
# daemon.log so that common.sh prints it when the test fails.
# shellcheck disable=SC2016
unshare -m --propagation private sh -c '
	mount -t tmpfs -o mode=0755 nipcache-run /run &&
	mkdir /run/avahi-daemon &&
	mount --bind "$1" /etc/avahi/services &&
	exec avahi-daemon --no-drop-root --no-chroot --no-rlimits --no-proc-title -f "$2"' \
	sh "$NC_TMP/services" "$NC_TMP/avahi.conf" >"$NC_TMP/daemon.log" 2>&1 &
NC_PIDS="$NC_PIDS $!"
established() { grep -q 'Service "nipcache on nipcache-test" (.*) successfully established' "$NC_TMP/daemon.log"; }
wait_for 15 established || fail "avahi-daemon did not establish the service"

# The client: legacy unicast queries (RFC 6762 section 6.7, from a port other
# than 5353, so the answer comes back by unicast to this socket), with the QU
# bit set as well, repeated every 0.5 s for at most 10 s per question.
python3 - 10.77.0.1 <<'EOF' || fail "DNS-SD answers are wrong"
import socket, struct, sys, time

PTR, A, TXT, SRV = 12, 1, 16, 33
src = sys.argv[1]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((src, 0))
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src))
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
qid = 0x4e43

def check(cond, msg):
    if not cond:
        sys.exit("FAIL: " + msg)

def encode(labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"

def name_at(msg, off):
    # Returns (labels, offset after the name); follows compression pointers
    # at most 32 times so that a pointer loop cannot hang the test.
    labels, end, hops = [], None, 0
    while True:
        n = msg[off]
        if n & 0xC0 == 0xC0:
            hops += 1
            check(hops < 32, "compression loop")
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
        elif n == 0:
            return tuple(labels), (end if end is not None else off + 1)
        else:
            labels.append(msg[off + 1:off + 1 + n])
            off += 1 + n

def parse(msg):
    rid, flags, qd, an, ns, ar = struct.unpack_from("!6H", msg)
    off = 12
    for _ in range(qd):
        off = name_at(msg, off)[1] + 4
    rrs = []
    for _ in range(an + ns + ar):
        owner, off = name_at(msg, off)
        rtype, rclass, ttl, rdlen = struct.unpack_from("!HHIH", msg, off)
        off += 10
        rd = msg[off:off + rdlen]
        if rtype == PTR:
            val = name_at(msg, off)[0]
        elif rtype == SRV:
            val = struct.unpack_from("!3H", msg, off) + (name_at(msg, off + 6)[0],)
        elif rtype == TXT:
            val, i = [], 0
            while i < len(rd):
                val.append(rd[i + 1:i + 1 + rd[i]].decode()); i += 1 + rd[i]
        elif rtype == A:
            val = socket.inet_ntoa(rd)
        else:
            val = rd
        rrs.append((tuple(l.lower() for l in owner), rtype, val))
        off += rdlen
    return rid, flags, rrs

def ask(labels, qtype):
    global qid
    qid += 1
    key = tuple(l.lower() for l in labels)
    pkt = struct.pack("!6H", qid, 0, 1, 0, 0, 0) + encode(labels) + struct.pack("!HH", qtype, 0x8001)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        sock.sendto(pkt, ("224.0.0.251", 5353))
        until = min(deadline, time.monotonic() + 0.5)
        while time.monotonic() < until:
            sock.settimeout(max(0.01, until - time.monotonic()))
            try:
                msg = sock.recv(9000)
            except socket.timeout:
                break
            try:
                rid, flags, rrs = parse(msg)
            except (IndexError, struct.error, UnicodeDecodeError):
                continue
            if rid == qid and flags & 0x8000 and any(r[0] == key and r[1] == qtype for r in rrs):
                return rrs
    sys.exit("FAIL: no answer for %s type %d" % (b".".join(labels), qtype))

def one(rrs, labels, qtype):
    key = tuple(l.lower() for l in labels)
    got = [r[2] for r in rrs if r[0] == key and r[1] == qtype]
    if not got:
        got = [r[2] for r in ask(labels, qtype) if r[0] == key and r[1] == qtype]
    check(len(got) == 1, "%s type %d: %r" % (b".".join(labels), qtype, got))
    return got[0]

host = (b"nipcache-test", b"local")
url = "http://nipcache-test.local:8080"
for svc in ((b"_dvbservdsc", b"_tcp", b"local"), (b"_http", b"_tcp", b"local")):
    rrs = ask(svc, PTR)
    inst = [r[2] for r in rrs if r[0] == svc and r[1] == PTR]
    check(inst == [(b"nipcache on nipcache-test",) + svc], "PTR %r" % inst)
    inst = inst[0]
    srv = one(rrs, inst, SRV)
    check(srv[2] == 8080, "SRV port %r" % (srv,))
    check(tuple(l.lower() for l in srv[3]) == host, "SRV target %r" % (srv,))
    txt = one(rrs, inst, TXT)
    print("# %s: SRV %r TXT %r" % (b".".join(inst).decode(), srv, txt))
    if svc[0] == b"_http":
        check(txt == ["path=/"], "http TXT %r" % txt)
        continue
    sl = [t for t in txt if t.startswith("dvbi_sl=")]
    sep = [t for t in txt if t.startswith("dvbi_sep=")]
    check(sl == ["dvbi_sl=" + url + "/dvbi/servicelist.xml"], "dvbi_sl %r" % txt)
    check(sep == ["dvbi_sep=" + url + "/dvbi/"], "dvbi_sep %r" % txt)
addr = one(ask(host, A), host, A)
check(addr == "10.77.0.1", "A %r" % addr)
print("# nipcache-test.local A %s" % addr)
EOF
kill -0 "${NC_PIDS##* }" || fail "avahi-daemon died"
