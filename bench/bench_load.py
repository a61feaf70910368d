"""Loopback load benchmark (issue 16, item 14): requests per second and p50/p95/p99 latency of
one page at 1, 8 and 32 concurrent keep-alive connections, against `tumbuh serve`.

    .venv/bin/python bench/bench_load.py                       # demo in /tmp, SQLite, 1 worker
    BENCH_WORKERS=3 DATABASE_URL=postgres://... .venv/bin/python bench/bench_load.py
    BENCH_URL=http://127.0.0.1:8000 .venv/bin/python bench/bench_load.py   # a running server

Bounded: BENCH_REQUESTS requests per level (default 200) or BENCH_SECONDS (default 20) per
level, whichever ends first; loopback only (a non-loopback BENCH_URL is refused). Without
BENCH_URL it builds a small synthetic demo (BENCH_CHILDREN, default 2000) in /tmp, serves it on
port 8199 with BENCH_WORKERS processes, logs in as tpps.bontang and requests BENCH_PATH
(default /analytics/). Target (issue 16): >= 50 req/s at 8 connections with p95 < 500 ms.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TUMBUH = [sys.executable, "-m", "tumbuh.cli"]
LEVELS = (1, 8, 32)


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))] if s else float("nan")


def loopback_only(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    addr = socket.gethostbyname(host)
    if not ipaddress.ip_address(addr).is_loopback:
        raise SystemExit(f"refusing to load-test {host}: loopback only")
    return host, parts.port or 80


async def request(reader, writer, host, path, cookie, method="GET", body=b"", extra=""):
    head = (f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
            f"Content-Length: {len(body)}\r\n{extra}Connection: keep-alive\r\n\r\n")
    writer.write(head.encode() + body)
    await writer.drain()
    status_line = await reader.readline()
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.decode("latin-1").partition(":")
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    length = int(headers.get("content-length", ["0"])[0])
    payload = await reader.readexactly(length) if length else b""
    return int(status_line.split()[1]), headers, payload


async def login(host, port, username, password) -> str:
    reader, writer = await asyncio.open_connection(host, port)
    status, headers, body = await request(reader, writer, host, "/accounts/login/", "")
    csrf = next(c.split(";")[0] for c in headers.get("set-cookie", []) if c.startswith("csrftoken="))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrfmiddlewaretoken": token}).encode()
    status, headers, _ = await request(
        reader, writer, host, "/accounts/login/", csrf, "POST", form,
        "Content-Type: application/x-www-form-urlencoded\r\n",
    )
    writer.close()
    session = [c.split(";")[0] for c in headers.get("set-cookie", []) if c.startswith("sessionid=")]
    if status != 302 or not session:
        raise SystemExit(f"login as {username} failed ({status})")
    return f"{csrf}; {session[0]}"


async def level(host, port, path, cookie, connections, budget, seconds):
    latencies, errors = [], 0
    remaining = [budget]
    deadline = time.perf_counter() + seconds

    async def client():
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        while remaining[0] > 0 and time.perf_counter() < deadline:
            remaining[0] -= 1
            started = time.perf_counter()
            status, _, _ = await request(reader, writer, host, path, cookie)
            latencies.append(time.perf_counter() - started)
            errors += status != 200
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, errors


def wait_for(host, port, timeout=120):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("server did not start")


def main():
    path = os.environ.get("BENCH_PATH", "/analytics/")
    budget = int(os.environ.get("BENCH_REQUESTS", "200"))
    seconds = float(os.environ.get("BENCH_SECONDS", "20"))
    server = None
    url = os.environ.get("BENCH_URL")
    username = os.environ.get("BENCH_USER", "tpps.bontang")
    password = os.environ.get("BENCH_PASSWORD", "tumbuh-demo")
    if url:
        host, port = loopback_only(url)
    else:
        host, port = "127.0.0.1", 8199
        var = Path(os.environ.get("BENCH_VAR_DIR", "/tmp/tumbuh-bench-load"))
        env = {**os.environ, "TUMBUH_VAR_DIR": str(var), "TUMBUH_DEMO": "1"}
        if not (var / "tumbuh.sqlite3").exists() or "DATABASE_URL" in os.environ:
            subprocess.run([*TUMBUH, "demo", "--children", os.environ.get("BENCH_CHILDREN", "2000")],
                           env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        workers = os.environ.get("BENCH_WORKERS", "1")
        server = subprocess.Popen([*TUMBUH, "serve", "--port", str(port), "--workers", workers],
                                  env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(host, port)
        print(f"server: tumbuh serve --workers {workers} ({'PostgreSQL' if 'DATABASE_URL' in os.environ else 'SQLite'})")
    try:
        cookie = asyncio.run(login(host, port, username, password))
        asyncio.run(level(host, port, path, cookie, 1, 3, 10))  # warm-up, not counted
        print(f"GET {path} as {username}, {budget} requests or {seconds:.0f} s per level")
        print(f"{'connections':>11} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'non-200':>8}")
        for connections in LEVELS:
            rate, lat, errors = asyncio.run(level(host, port, path, cookie, connections, budget, seconds))
            ms = [x * 1000 for x in lat]
            print(f"{connections:>11} {rate:>8.1f} {percentile(ms, 50):>8.0f} {percentile(ms, 95):>8.0f} "
                  f"{percentile(ms, 99):>8.0f} {errors:>8}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
