#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Raw HTTP clients and listeners for the system tests (041-http-security):
requests with exact targets and headers that curl would rewrite, slow
clients that trickle their headers, and listeners that record whatever
connects to them.

  rawhttp.py req HOST PORT TARGET [--src ADDR] [--method M]
                 [--header 'Name: value']... [--bigheader BYTES] [--body FILE]
      one request; prints the status code, or "closed" if the server
      closed the connection without an answer
  rawhttp.py slow HOST PORT N [--src ADDR] [--every SEC] [--limit SEC]
      N connections that send a request line, then one header byte every
      SEC seconds; prints one line per connection: "closed SECONDS" (the
      server closed it that long after it opened) or "open" (still open
      after --limit seconds)
  rawhttp.py burst HOST PORT TARGET N [--src ADDR]
      N requests one after the other as fast as they go, each on its own
      connection; prints "CODE COUNT" per status and "retry-after COUNT"
      (answers that carried Retry-After)
  rawhttp.py listen PORT LOG [--answer]
      accept connections on 127.0.0.1:PORT forever and append one line per
      connection to LOG ("connect", then the request line once it came);
      never answers (a black hole) unless --answer (then 404)
"""
import argparse
import socket
import sys
import threading
import time


def connect(host, port, src, timeout=5.0):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                      socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src:
        s.bind((src, 0))
    s.connect((host, port))
    return s


def read_status(s):
    """The status code of the answer on s, or "closed"."""
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    if not data.startswith(b"HTTP/1."):
        return "closed", data
    try:
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return data.split(b" ", 2)[1].decode(), data


def cmd_req(a):
    headers = list(a.header)
    if not any(h.lower().startswith("host:") for h in headers):
        headers.insert(0, "Host: %s:%d" % (a.host, a.port))
    if a.bigheader:
        headers.append("X-Big: " + "a" * a.bigheader)
    req = "%s %s HTTP/1.1\r\n" % (a.method, a.target)
    req += "".join(h + "\r\n" for h in headers) + "Connection: close\r\n\r\n"
    s = connect(a.host, a.port, a.src)
    try:
        s.sendall(req.encode("latin-1"))
    except (BrokenPipeError, ConnectionResetError):
        pass
    code, data = read_status(s)
    if a.body:
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        with open(a.body, "wb") as f:
            f.write(data.split(b"\r\n\r\n", 1)[-1])
    s.close()
    print(code)


def cmd_burst(a):
    counts = {}
    retry = 0
    req = ("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" %
           (a.target, a.host)).encode()
    for _ in range(a.n):
        s = connect(a.host, a.port, a.src)
        s.sendall(req)
        code, data = read_status(s)
        # To the end: the server has closed its side before the next one.
        try:
            while s.recv(65536):
                pass
        except (ConnectionResetError, socket.timeout):
            pass
        s.close()
        counts[code] = counts.get(code, 0) + 1
        retry += b"\r\nretry-after:" in data.lower()
    for code in sorted(counts):
        print(code, counts[code])
    print("retry-after", retry)


def slow_one(a, i, out):
    t0 = time.monotonic()
    try:
        s = connect(a.host, a.port, a.src)
        s.settimeout(a.every)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: slow\r\n")
        while time.monotonic() - t0 < a.limit:
            try:
                if s.recv(4096) == b"":
                    break
            except socket.timeout:
                s.sendall(b"X")
            except ConnectionResetError:
                break
        else:
            out[i] = "open"
            s.close()
            return
        s.close()
    except (BrokenPipeError, ConnectionResetError, ConnectionRefusedError):
        pass
    out[i] = "closed %.2f" % (time.monotonic() - t0)


def cmd_slow(a):
    out = ["?"] * a.n
    th = [threading.Thread(target=slow_one, args=(a, i, out))
          for i in range(a.n)]
    for t in th:
        t.start()
        time.sleep(0.05)
    for t in th:
        t.join()
    print("\n".join(out))


def listen_one(conn, log, answer):
    data = b""
    conn.settimeout(10)
    try:
        while b"\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    with open(log, "a") as f:
        f.write("request %s\n" % data.split(b"\r\n", 1)[0].decode("latin-1"))
    if answer:
        conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                     b"Connection: close\r\n\r\n")
        conn.close()
    else:
        time.sleep(30)
        conn.close()


def cmd_listen(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", a.port))
    s.listen(64)
    while True:
        conn, peer = s.accept()
        with open(a.log, "a") as f:
            f.write("connect %s\n" % peer[0])
        threading.Thread(target=listen_one, args=(conn, a.log, a.answer),
                         daemon=True).start()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("req")
    r.add_argument("host")
    r.add_argument("port", type=int)
    r.add_argument("target")
    r.add_argument("--src")
    r.add_argument("--method", default="GET")
    r.add_argument("--header", action="append", default=[])
    r.add_argument("--bigheader", type=int, default=0)
    r.add_argument("--body")
    s = sub.add_parser("slow")
    s.add_argument("host")
    s.add_argument("port", type=int)
    s.add_argument("n", type=int)
    s.add_argument("--src")
    s.add_argument("--every", type=float, default=0.2)
    s.add_argument("--limit", type=float, default=8.0)
    b = sub.add_parser("burst")
    b.add_argument("host")
    b.add_argument("port", type=int)
    b.add_argument("target")
    b.add_argument("n", type=int)
    b.add_argument("--src")
    li = sub.add_parser("listen")
    li.add_argument("port", type=int)
    li.add_argument("log")
    li.add_argument("--answer", action="store_true")
    a = p.parse_args()
    {"req": cmd_req, "slow": cmd_slow, "burst": cmd_burst,
     "listen": cmd_listen}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
