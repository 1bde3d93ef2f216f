"""A small HTTP load generator on ``http.client`` (the fallback when ``wrk`` is missing).

``run_load(job)`` starts ``processes`` worker subprocesses (``python loadgen.py worker SPEC``), each
running ``threads`` threads with one keep-alive connection apiece; together they hold
``processes * threads`` connections. A job is bounded by time (``duration``) and optionally by a
request count (``count``, used to create N connections exactly); ``time_cap`` bounds both.

``python loadgen.py static --port N`` serves a trivial fixed response (asyncio, one process), so
``calibrate()`` can report the generator's own ceiling: if it is far above the rates measured
against the real targets, the generator is not the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Job", "LoadResult", "percentile", "run_load"]

HERE = Path(__file__).resolve().parent


@dataclass
class Job:
    """One load run: which requests, how many connections, for how long."""

    host: str
    port: int
    method: str
    paths: list[str]
    headers: dict[str, str]
    body: str | None = None
    threads: int = 1
    processes: int = 1
    duration: float = 10.0
    count: int | None = None
    time_cap: float = 600.0
    ok_statuses: list[int] = field(default_factory=lambda: [200, 201])


@dataclass
class LoadResult:
    """What a load run measured (latencies in milliseconds)."""

    requests: int
    errors: int
    elapsed_s: float
    rps: float
    p50_ms: float
    p99_ms: float
    first_error: str = ""
    tool: str = "python"


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty list)."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


# -- worker side ------------------------------------------------------------------------------


def _thread_loop(job: Job, index: int, quota: int | None, out: dict[str, Any]) -> None:
    deadline = time.perf_counter() + (job.duration if job.count is None else job.time_cap)
    body = job.body.encode() if job.body is not None else None
    ok = set(job.ok_statuses)
    latencies: list[int] = []
    errors = 0
    first_error = ""
    conn = http.client.HTTPConnection(job.host, job.port, timeout=10)
    i = index
    done = 0
    try:
        while time.perf_counter() < deadline and (quota is None or done < quota):
            path = job.paths[i % len(job.paths)]
            i += 1
            started = time.perf_counter()
            try:
                conn.request(job.method, path, body=body, headers=job.headers)
                response = conn.getresponse()
                payload = response.read()
                if response.status not in ok:
                    errors += 1
                    first_error = first_error or f"HTTP {response.status}: {payload[:200]!r}"
            except (OSError, http.client.HTTPException) as exc:
                errors += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection(job.host, job.port, timeout=10)
            latencies.append(int((time.perf_counter() - started) * 1_000_000))
            done += 1
    finally:
        conn.close()
    out[f"t{index}"] = {"latencies_us": latencies, "errors": errors, "first_error": first_error}


def _worker_main(job: Job, quota_per_thread: list[int] | None) -> dict[str, Any]:
    results: dict[str, Any] = {}
    threads = [
        threading.Thread(
            target=_thread_loop,
            args=(job, n, None if quota_per_thread is None else quota_per_thread[n], results),
            daemon=True,
        )
        for n in range(job.threads)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=job.time_cap + 30)
    elapsed = time.perf_counter() - started
    latencies: list[int] = []
    errors = 0
    first_error = ""
    for part in results.values():
        latencies.extend(part["latencies_us"])
        errors += part["errors"]
        first_error = first_error or part["first_error"]
    return {
        "latencies_us": latencies,
        "errors": errors,
        "first_error": first_error,
        "elapsed_s": elapsed,
    }


# -- driver side ------------------------------------------------------------------------------


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


def run_load(job: Job) -> LoadResult:
    """Run ``job`` in ``job.processes`` subprocesses and merge their measurements."""
    per_process = None if job.count is None else _split(job.count, job.processes)
    procs: list[subprocess.Popen[str]] = []
    try:
        for n in range(job.processes):
            quota = None if per_process is None else _split(per_process[n], job.threads)
            spec = {"job": asdict(job), "quota": quota}
            proc = subprocess.Popen(
                [sys.executable, str(HERE / "loadgen.py"), "worker", json.dumps(spec)],
                stdout=subprocess.PIPE,
                text=True,
            )
            procs.append(proc)
        wall = time.perf_counter()
        outputs = []
        limit = (job.duration if job.count is None else job.time_cap) + 60
        for proc in procs:
            assert proc.stdout is not None
            remaining = max(1.0, limit - (time.perf_counter() - wall))
            out, _ = proc.communicate(timeout=remaining)
            if proc.returncode != 0:
                raise RuntimeError(f"load generator worker {proc.pid} failed")
            outputs.append(json.loads(out))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    latencies = sorted(v / 1000 for out in outputs for v in out["latencies_us"])
    elapsed = max(out["elapsed_s"] for out in outputs)
    errors = sum(out["errors"] for out in outputs)
    first_error = next((out["first_error"] for out in outputs if out["first_error"]), "")
    return LoadResult(
        requests=len(latencies),
        errors=errors,
        elapsed_s=elapsed,
        rps=len(latencies) / elapsed if elapsed > 0 else 0.0,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p99_ms=percentile(latencies, 99),
        first_error=first_error,
    )


# -- the trivial static server ---------------------------------------------------------------

_STATIC = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            writer.write(_STATIC)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def _serve_static(host: str, port: int) -> None:
    server = await asyncio.start_server(_handle, host, port)
    bound = server.sockets[0].getsockname()[1]
    print(f"static listening on http://{host}:{bound}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    worker = sub.add_parser("worker", help="run one job given as JSON (internal)")
    worker.add_argument("spec")
    static = sub.add_parser("static", help="serve a trivial fixed response")
    static.add_argument("--host", default="127.0.0.1")
    static.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.command == "worker":
        spec = json.loads(args.spec)
        job = Job(**spec["job"])
        print(json.dumps(_worker_main(job, spec["quota"])))
    else:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve_static(args.host, args.port))


if __name__ == "__main__":
    main()
