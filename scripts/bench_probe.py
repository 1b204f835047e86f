#!/usr/bin/env python3
"""Client side of scripts/bench-read.sh (standard library only; prints one JSON line).

  bench_probe.py get URL N            time N keep-alive GETs of URL (after 3 unmeasured)
  bench_probe.py getcpu URL N PID [ENCODING]
                                      the same, with p50/p99 and the CPU time process PID
                                      (the server) spent per request (/proc/PID/schedstat);
                                      ENCODING is sent as Accept-Encoding (default: none)
  bench_probe.py export BASE BODY PID create an export through BASE (POST /api/exports with
                                      the JSON BODY), poll it to the end, sampling the
                                      resident memory of process PID (the worker) meanwhile
"""
import http.client
import json
import statistics
import sys
import time
import urllib.parse


def connect(url):
    parts = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=600), parts


def request(conn, method, path, body=None, headers=None):
    headers = dict(headers or {})
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status >= 400:
        raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
    return response.status, data


def time_gets(url, n):
    conn, parts = connect(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    for _ in range(3):
        request(conn, "GET", path)
    times, size = [], 0
    for _ in range(n):
        started = time.perf_counter()
        _, data = request(conn, "GET", path)
        times.append((time.perf_counter() - started) * 1000)
        size = len(data)
    points = len(json.loads(data).get("timestamp", []))
    return {
        "mean_ms": statistics.fmean(times),
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "requests": n,
        "response_bytes": size,
        "points": points,
    }


def cpu_ns(pid):
    """Nanoseconds process PID has run on a CPU, all its threads (/proc/PID/task/*/schedstat)."""
    import os
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as stat:
                total += int(stat.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def percentile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def time_gets_cpu(url, n, pid, encoding):
    conn, parts = connect(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    headers = {"Accept-Encoding": encoding} if encoding else {}
    for _ in range(3):
        request(conn, "GET", path, headers=headers)
    times, size = [], 0
    cpu_before = cpu_ns(pid)
    for _ in range(n):
        started = time.perf_counter()
        _, data = request(conn, "GET", path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        size = len(data)
    cpu = cpu_ns(pid) - cpu_before
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p99_ms": percentile(times, 0.99),
        "mean_ms": statistics.fmean(times),
        "server_cpu_ms": cpu / n / 1e6,
        "requests": n,
        "response_bytes": size,
    }


def kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def export(base, body, pid):
    conn, _ = connect(base)
    rss_before = kib(pid, "VmRSS")
    started = time.monotonic()
    _, data = request(conn, "POST", "/api/exports", body.encode())
    export_id = json.loads(data)["id"]
    samples = []  # (progress, rss KiB)
    while True:
        _, data = request(conn, "GET", f"/api/exports/{export_id}")
        state = json.loads(data)
        samples.append((state.get("progress") or 0.0, kib(pid, "VmRSS")))
        if state["state"] in ("succeeded", "failed"):
            break
        time.sleep(0.25)
    elapsed = time.monotonic() - started
    if state["state"] != "succeeded":
        raise SystemExit(f"export failed: {state.get('error')}")
    # Resident memory at each tenth of the progress (the first sample at or past it).
    by_tenth = []
    for tenth in range(1, 11):
        reached = [rss for progress, rss in samples if progress >= tenth / 10 - 1e-9]
        by_tenth.append(round(reached[0] / 1024, 1) if reached else None)
    running = [rss for progress, rss in samples]
    return {
        "id": export_id,
        "rows": state["rows"],
        "bytes": state["bytes"],
        "seconds": elapsed,
        "rows_per_s": state["rows"] / elapsed,
        "rss_before_mib": round(rss_before / 1024, 1),
        "rss_max_sampled_mib": round(max(running) / 1024, 1),
        "rss_by_tenth_mib": by_tenth,
        "samples": len(samples),
    }


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "get":
        result = time_gets(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "getcpu":
        encoding = sys.argv[5] if len(sys.argv) == 6 else ""
        result = time_gets_cpu(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), encoding)
    elif len(sys.argv) == 5 and sys.argv[1] == "export":
        result = export(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
