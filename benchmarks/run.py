"""Benchmarks of mock-flowservice against a minimal Flask "floor" (issue 8).

    .venv/bin/python benchmarks/run.py [--quick | --smoke] [--duration S] [--out PATH]

See benchmarks/README.md for what each number means and the targets. Timings never change the
exit status: it is 0 unless a server failed to start, a request errored (2) or the script
crashed (1); Ctrl-C stops every started process and exits 130.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import FrameType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from floor_app import SAMPLE, create_floor_app  # noqa: E402
from inprocess import KINDS as INPROC_KINDS  # noqa: E402
from inprocess import InProcessResult, bench_inprocess  # noqa: E402
from loadgen import Job, LoadResult, run_load  # noqa: E402
from procs import HOST, Server, free_port, start_server, stop, stop_all, tree_rss_bytes  # noqa: E402

from tests.support import BASE_PATH, HEADERS, dynamics_basic_body  # noqa: E402

POST, GET_ID, LIST = "POST /connections", "GET /connections/{id}", "GET /connections?limit=10"
KINDS = (POST, GET_ID, LIST)
LIST_PATH = f"{BASE_PATH}/connections?limit=10"
BODY = json.dumps(dynamics_basic_body())
PRECREATED = 100
CREATE_TIME_CAP = 900.0


class RequestError(RuntimeError):
    """A benchmark request failed (non-2xx or socket error)."""


# -- configuration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    mode: str  # "full", "quick" or "smoke"
    duration: int
    concurrencies: tuple[int, ...]
    sizes: tuple[int, ...]
    startup_samples: int
    listing_samples: int
    inproc_calls: int
    loadgen: str  # "wrk" or "python"
    out: Path | None


@dataclass(frozen=True)
class Preset:
    duration: int
    concurrencies: tuple[int, ...]
    sizes: tuple[int, ...]
    startup_samples: int
    listing_samples: int
    inproc_calls: int


PRESETS = {
    "full": Preset(10, (1, 16), (10_000, 100_000), 3, 50, 2_000),
    "quick": Preset(2, (1, 16), (10_000,), 1, 50, 1_000),
    # CI: keeps the script working in ~25 s; one concurrency level, 1,000 connections.
    "smoke": Preset(1, (16,), (1_000,), 1, 20, 200),
}


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    kind: str  # "mock" or "floor"
    server: str
    argv: Callable[[int, Path], list[str]]
    health: str
    floor: str | None = None  # key of the floor it is compared with


def _mock_command() -> list[str]:
    script = Path(sys.executable).parent / "mock-flowservice"
    return [str(script)] if script.exists() else [sys.executable, "-m", "mock_flowservice"]


def _serve_help() -> str:
    done = subprocess.run(
        [*_mock_command(), "serve", "--help"], capture_output=True, text=True, timeout=60
    )
    return done.stdout


def build_targets() -> tuple[list[Target], str]:
    """The four targets (three when the mock has no ``--workers``) and a note about it."""
    mock = _mock_command()
    serve_help = _serve_help()
    has_workers = "--workers" in serve_help

    def mock_one(port: int, tmp: Path) -> list[str]:
        return [*mock, "serve", "--host", HOST, "--port", str(port)]

    def mock_workers(port: int, tmp: Path) -> list[str]:
        # As users run it: without --state the workers share a temporary SQLite file.
        return [*mock, "serve", "--host", HOST, "--port", str(port), "--workers", "2"]

    def floor_waitress(port: int, tmp: Path) -> list[str]:
        return [sys.executable, str(HERE / "floor_app.py"), "--host", HOST, "--port", str(port)]

    def floor_gunicorn(port: int, tmp: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--chdir",
            str(HERE),
            "-k",
            "gthread",
            "-w",
            "2",
            "--threads",
            "8",
            "-b",
            f"{HOST}:{port}",
            "floor_app:app",
        ]

    targets = [
        Target(
            "mock", "mock", "mock", "waitress, 8 threads", mock_one, "/__mock__/health", "floor"
        ),
        Target("floor", "floor", "floor", "waitress, 8 threads", floor_waitress, "/__health"),
    ]
    note = "mock `--workers 2` target present"
    if has_workers:
        targets.append(
            Target(
                "mock-w2",
                "mock --workers 2",
                "mock",
                "gunicorn, 2 workers",
                mock_workers,
                "/__mock__/health",
                "floor-g2",
            )
        )
        note += " (no `--state`: the workers share the temporary SQLite file the CLI makes)"
    else:
        note = "mock has no `--workers` option yet: the several-workers target is n/a"
    targets.append(
        Target(
            "floor-g2",
            "floor (gunicorn)",
            "floor",
            "gunicorn gthread, 2 workers × 8 threads",
            floor_gunicorn,
            "/__health",
        )
    )
    return targets, note


# -- HTTP helpers ---------------------------------------------------------------------------------


def _request(
    conn: http.client.HTTPConnection, method: str, path: str, body: str | None = None
) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers=HEADERS)
    response = conn.getresponse()
    return response.status, response.read()


def precreate(server: Server, count: int) -> list[str]:
    """Create ``count`` connections one by one; their ids."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
    ids: list[str] = []
    try:
        for _ in range(count):
            status, payload = _request(conn, "POST", f"{BASE_PATH}/connections", BODY)
            if status != 201:
                raise RequestError(f"{server.name}: create answered {status}: {payload[:300]!r}")
            ids.append(json.loads(payload)["id"])
    finally:
        conn.close()
    return ids


def warm_up(server: Server, ids: Sequence[str], rounds: int = 30) -> None:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
    try:
        for n in range(rounds):
            for method, path, body in (
                ("GET", f"{BASE_PATH}/connections/{ids[n % len(ids)]}", None),
                ("GET", LIST_PATH, None),
            ):
                status, payload = _request(conn, method, path, body)
                if status != 200:
                    raise RequestError(
                        f"{server.name}: {path} answered {status}: {payload[:300]!r}"
                    )
    finally:
        conn.close()


def listing_latency_ms(server: Server, samples: int) -> float:
    """Median latency of ``GET /connections?limit=10`` over one keep-alive connection."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
    times: list[float] = []
    try:
        for n in range(samples + 20):
            started = time.perf_counter()
            status, payload = _request(conn, "GET", LIST_PATH)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200 or len(json.loads(payload)["items"]) != 10:
                raise RequestError(f"{server.name}: listing answered {status}: {payload[:300]!r}")
            if n >= 20:
                times.append(elapsed)
    finally:
        conn.close()
    return statistics.median(times)


def _paths(kind: str, ids: Sequence[str]) -> list[str]:
    if kind == POST:
        return [f"{BASE_PATH}/connections"]
    if kind == GET_ID:
        return [f"{BASE_PATH}/connections/{cid}" for cid in ids]
    return [LIST_PATH]


# -- load generators --------------------------------------------------------------------------


def _lua_str(value: str) -> str:
    if "]==]" in value:
        raise ValueError("cannot quote value for Lua")
    return f"[==[{value}]==]"


def _wrk_script(kind: str, ids: Sequence[str]) -> str:
    lines = [f'wrk.method = "{"POST" if kind == POST else "GET"}"']
    for name, value in HEADERS.items():
        lines.append(f"wrk.headers[ {_lua_str(name)} ] = {_lua_str(value)}")
    if kind == POST:
        lines.append(f"wrk.body = {_lua_str(BODY)}")
    paths = ", ".join(_lua_str(p) for p in _paths(kind, ids))
    lines += [
        f"local paths = {{{paths}}}",
        "local n = 0",
        "function request()",
        "  n = n + 1",
        "  return wrk.format(nil, paths[(n % #paths) + 1])",
        "end",
        "function done(summary, latency, requests)",
        '  io.write(string.format("WRKRESULT %f %f %f %f %f %f %f %f %f\\n",',
        "    summary.requests, summary.duration, latency:percentile(50),",
        "    latency:percentile(99), summary.errors.connect, summary.errors.read,",
        "    summary.errors.write, summary.errors.status, summary.errors.timeout))",
        "end",
    ]
    return "\n".join(lines) + "\n"


def wrk_load(
    server: Server, kind: str, conns: int, duration: int, ids: Sequence[str]
) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(_wrk_script(kind, ids))
        script = handle.name
    try:
        argv = ["wrk", "-t1", f"-c{conns}", f"-d{duration}s", "--timeout", "5s", "-s", script]
        done = subprocess.run(
            [*argv, server.url], capture_output=True, text=True, timeout=duration + 60
        )
    finally:
        os.unlink(script)
    match = re.search(r"^WRKRESULT (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    requests, duration_us, p50, p99, *errs = (float(v) for v in match.group(1).split())
    errors = int(sum(errs))
    first_error = "" if not errors else f"wrk errors connect/read/write/status/timeout = {errs}"
    return LoadResult(
        requests=int(requests),
        errors=errors,
        elapsed_s=duration_us / 1e6,
        rps=requests / (duration_us / 1e6),
        p50_ms=p50 / 1000,
        p99_ms=p99 / 1000,
        first_error=first_error,
        tool="wrk",
    )


def python_load(
    server: Server, kind: str, conns: int, duration: int, ids: Sequence[str]
) -> LoadResult:
    processes = max(1, min(conns, os.cpu_count() or 1))
    job = Job(
        host=HOST,
        port=server.port,
        method="POST" if kind == POST else "GET",
        paths=_paths(kind, ids),
        headers=HEADERS,
        body=BODY if kind == POST else None,
        threads=max(1, conns // processes),
        processes=processes,
        duration=float(duration),
    )
    return run_load(job)


def drive(
    settings: Settings, server: Server, kind: str, conns: int, duration: int, ids: Sequence[str]
) -> LoadResult:
    if settings.loadgen == "wrk":
        return wrk_load(server, kind, conns, duration, ids)
    return python_load(server, kind, conns, duration, ids)


SEED_CHUNK = 1_000  # ~430 kB per request, under the mock's 1 MiB body limit


def seed_many(server: Server, count: int) -> float | None:
    """Load ``count`` connections through ``POST /__mock__/seed``; seconds taken, or None when
    the target has no seed route (the caller then creates them over the API)."""
    item = {**dynamics_basic_body(), "imsOrgId": HEADERS["x-gw-ims-org-id"], "sandboxName": "prod"}
    conn = http.client.HTTPConnection(HOST, server.port, timeout=120)
    started = time.perf_counter()
    loaded = 0
    try:
        for _ in range(-(-count // SEED_CHUNK)):  # bounded: one request per chunk
            size = min(SEED_CHUNK, count - loaded)
            body = json.dumps({"connections": [item] * size})
            status, payload = _request(conn, "POST", "/__mock__/seed", body)
            if status in (404, 405) and loaded == 0:
                return None
            if status != 200 or json.loads(payload).get("loaded") != size:
                raise RequestError(f"{server.name}: seed answered {status}: {payload[:300]!r}")
            loaded += size
    finally:
        conn.close()
    return time.perf_counter() - started


def fill(server: Server, count: int, use_seed: bool) -> tuple[float, str]:
    """Store ``count`` more connections, fastest way first; (seconds, how)."""
    if count <= 0:
        return 0.0, "none"
    if use_seed:
        seconds = seed_many(server, count)
        if seconds is not None:
            return seconds, "`POST /__mock__/seed`"
    return create_many(server, count), "concurrent creates"


def create_many(server: Server, count: int) -> float:
    """Create ``count`` connections concurrently (16 connections); seconds taken."""
    if count <= 0:
        return 0.0
    processes = max(1, min(2, os.cpu_count() or 1))
    job = Job(
        host=HOST,
        port=server.port,
        method="POST",
        paths=[f"{BASE_PATH}/connections"],
        headers=HEADERS,
        body=BODY,
        threads=16 // processes,
        processes=processes,
        count=count,
        time_cap=CREATE_TIME_CAP,
        ok_statuses=[201],
    )
    result = run_load(job)
    if result.errors or result.requests != count:
        raise RequestError(
            f"{server.name}: {result.requests}/{count} creates, {result.errors} errors: "
            f"{result.first_error}"
        )
    return result.elapsed_s


def calibrate_python(settings: Settings, log_dir: Path) -> float:
    """The Python generator's rate against a trivial static server (16 connections)."""
    port = free_port()
    argv = [sys.executable, str(HERE / "loadgen.py"), "static", "--port", str(port)]
    server = start_server("static", argv, port, "/", log_dir)
    try:
        return python_load(server, LIST, 16, settings.duration, ["x"]).rps
    finally:
        stop(server)


# -- phases ---------------------------------------------------------------------------------------


@dataclass
class Results:
    throughput: dict[tuple[str, str, int], LoadResult] = field(default_factory=dict)
    ready: dict[str, list[float]] = field(default_factory=dict)
    scale: dict[str, list[tuple[int, int, float]]] = field(default_factory=dict)  # N, RSS, ms
    rss_start: dict[str, int] = field(default_factory=dict)
    create_rate: dict[str, float] = field(default_factory=dict)
    create_via: dict[str, str] = field(default_factory=dict)
    inprocess: InProcessResult = field(default_factory=dict)
    calibration_rps: float | None = None
    errors: list[str] = field(default_factory=list)
    loadavg: list[float] = field(default_factory=list)  # 1-minute load average, start and end


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _start(target: Target, log_dir: Path, results: Results) -> Server:
    port = free_port()
    server = start_server(target.key, target.argv(port, log_dir), port, target.health, log_dir)
    assert server.ready_s is not None
    results.ready.setdefault(target.key, []).append(server.ready_s)
    return server


def phase_throughput(
    settings: Settings, targets: list[Target], log_dir: Path, results: Results
) -> None:
    servers: dict[str, Server] = {}
    ids: dict[str, list[str]] = {}
    try:
        for target in targets:
            servers[target.key] = _start(target, log_dir, results)
            ids[target.key] = precreate(servers[target.key], PRECREATED)
            warm_up(servers[target.key], ids[target.key])
        for conns in settings.concurrencies:
            for kind in KINDS:
                for target in targets:  # round-robin: the targets take turns per request type
                    server = servers[target.key]
                    result = drive(
                        settings, server, kind, conns, settings.duration, ids[target.key]
                    )
                    results.throughput[(target.key, kind, conns)] = result
                    _log(
                        f"{target.label:<18} {kind:<28} c={conns:<3} {result.rps:9.0f} req/s "
                        f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms"
                        + (
                            f"  ERRORS {result.errors}: {result.first_error}"
                            if result.errors
                            else ""
                        )
                    )
                    if result.errors:
                        results.errors.append(
                            f"{target.label} {kind} c={conns}: {result.first_error}"
                        )
    finally:
        for server in servers.values():
            stop(server)


def phase_startup(
    settings: Settings, targets: list[Target], log_dir: Path, results: Results
) -> None:
    for _ in range(settings.startup_samples - 1):
        for target in targets:
            server = _start(target, log_dir, results)
            stop(server)


def phase_scale(settings: Settings, targets: list[Target], log_dir: Path, results: Results) -> None:
    for target in targets:
        if target.key == "floor-g2":
            continue  # its workers keep separate dicts: memory and listing say nothing
        server = _start(target, log_dir, results)
        try:
            time.sleep(0.2)
            results.rss_start[target.key] = tree_rss_bytes(server.pid)
            warm_up(server, precreate(server, PRECREATED))
            stored = PRECREATED
            listing = listing_latency_ms(server, settings.listing_samples)
            rows = [(stored, tree_rss_bytes(server.pid), listing)]
            spent = 0.0
            for size in settings.sizes:
                seconds, how = fill(server, size - stored, use_seed=target.kind == "mock")
                spent += seconds
                results.create_via[target.key] = how
                stored = size
                time.sleep(0.3)
                rss = tree_rss_bytes(server.pid)
                rows.append((stored, rss, listing_latency_ms(server, settings.listing_samples)))
                _log(f"{target.label:<18} {stored:>7} stored: RSS {rss / 2**20:7.1f} MiB")
            results.scale[target.key] = rows
            created = settings.sizes[-1] - rows[0][0]
            results.create_rate[target.key] = created / spent if spent else 0.0
        finally:
            stop(server)


def phase_inprocess(settings: Settings, results: Results) -> None:
    results.inprocess = bench_inprocess(
        BASE_PATH,
        HEADERS,
        dynamics_basic_body(),
        SAMPLE,
        create_floor_app(),
        settings.inproc_calls,
    )


# -- report ---------------------------------------------------------------------------------------


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def _machine() -> dict[str, str]:
    cpu = "unknown"
    mem = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, timeout=10).stdout.strip()
    return {"nproc": nproc, "cpu": cpu, "memory": mem, "os": platform.platform()}


def _wrk_version() -> str:
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    return (done.stdout + done.stderr).splitlines()[0].split(" Copyright")[0].strip()


def _fmt_ms(value: float) -> str:
    return f"{value:.2f}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


@dataclass
class Check:
    name: str
    measured: str
    goal: str
    passed: bool | None  # None: not measurable here

    @property
    def verdict(self) -> str:
        return "n/a" if self.passed is None else ("PASS" if self.passed else "MISS")


def evaluate(settings: Settings, targets: list[Target], results: Results) -> list[Check]:
    checks: list[Check] = []
    keys = {t.key for t in targets}
    tp = results.throughput
    for mock_key, floor_key, title in (
        ("mock", "floor", "one process"),
        ("mock-w2", "floor-g2", "2 workers"),
    ):
        for kind in KINDS:
            for conns in settings.concurrencies:
                if mock_key not in keys:
                    checks.append(Check(f"{title}: {kind} c={conns}", "n/a", "", None))
                    continue
                mine, floor = tp[(mock_key, kind, conns)], tp[(floor_key, kind, conns)]
                rps_ratio = mine.rps / floor.rps if floor.rps else 0.0
                p99_ratio = mine.p99_ms / floor.p99_ms if floor.p99_ms else 0.0
                ok = rps_ratio >= 0.8
                goal = "≥ 0.8× floor req/s"
                measured = f"{rps_ratio:.2f}× req/s"
                if mock_key == "mock":
                    ok = ok and p99_ratio <= 1.25
                    goal += ", p99 ≤ 1.25× floor"
                    measured += f", p99 {p99_ratio:.2f}×"
                elif conns == 16:
                    ok = ok and mine.p99_ms < 10
                    goal += ", p99 < 10 ms"
                    measured += f", p99 {mine.p99_ms:.2f} ms"
                checks.append(Check(f"{title}: {kind} c={conns}", measured, goal, ok))
    ready = results.ready.get("mock", [])
    if ready:
        median = statistics.median(ready)
        checks.append(
            Check("mock ready (one process)", f"{median:.3f} s", "≤ 0.5 s", median <= 0.5)
        )
    if "mock-w2" in results.ready:
        median = statistics.median(results.ready["mock-w2"])
        checks.append(Check("mock ready (2 workers)", f"{median:.3f} s", "≤ 0.5 s", median <= 0.5))
    rows = results.scale.get("mock")
    if rows:
        first, last = rows[0], rows[-1]
        ratio = last[2] / first[2]
        checks.append(
            Check(
                f"listing page at {last[0]:,} vs {first[0]:,}",
                f"{ratio:.2f}× ({_fmt_ms(last[2])} vs {_fmt_ms(first[2])} ms)",
                "≤ 2×",
                ratio <= 2,
            )
        )
        per_conn = (last[1] - first[1]) / (last[0] - first[0])
        checks.append(
            Check(
                f"memory per stored connection (at {last[0]:,})",
                f"{per_conn:,.0f} B",
                "≤ 4 kB (4,000 B)",
                per_conn <= 4000,
            )
        )
    inproc = results.inprocess
    for kind in INPROC_KINDS:
        cost = inproc.get("intercept (requests)", {}).get(kind)
        floor_tc = inproc.get("floor app, Flask test client", {}).get(kind)
        if cost is None or not floor_tc:
            checks.append(
                Check(f"intercept: {kind}", "n/a (no intercept())", "≤ 3× floor test client", None)
            )
        else:
            ratio = cost / floor_tc
            checks.append(
                Check(
                    f"intercept: {kind}",
                    f"{ratio:.2f}× ({cost:.0f} µs)",
                    "≤ 3× floor test client",
                    ratio <= 3,
                )
            )
    return checks


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _header(*names: str, align: str) -> list[str]:
    rule = "|" + "|".join("--:" if a == "r" else "---" for a in align) + "|"
    return [_row(*names), rule]


def render(
    settings: Settings,
    targets: list[Target],
    target_note: str,
    results: Results,
    checks: list[Check],
) -> str:
    machine = _machine()
    if settings.loadgen == "wrk":
        gen = f"{_wrk_version()}, one thread, Lua script in benchmarks/run.py"
    else:
        gen = "Python http.client generator (benchmarks/loadgen.py)"
    labels = {t.key: t for t in targets}
    out: list[str] = []
    w = out.extend
    w(["# mock-flowservice benchmark results", ""])
    w([f"`benchmarks/run.py`, {settings.mode} mode, {settings.duration} s per load run.", ""])
    w(_header("", "", align="ll"))
    w([_row("date", dt.datetime.now().astimezone().isoformat(timespec="seconds"))])
    machine_text = f"nproc {machine['nproc']}, {machine['cpu']}, {machine['memory']} RAM"
    w([_row("machine", f"{machine_text}, {machine['os']}")])
    w([_row("Python", platform.python_version())])
    packages = ", ".join(
        f"{name} {_version(name)}"
        for name in ("mock-flowservice", "flask", "waitress", "gunicorn", "requests", "responses")
    )
    w([_row("packages", packages)])
    w([_row("load generator", f"{gen}; server and generator share the machine")])
    if results.calibration_rps is not None:
        ceiling = f"{results.calibration_rps:,.0f} req/s against a trivial static server, c=16"
        w([_row("generator ceiling", ceiling)])
    load = " → ".join(f"{v:.2f}" for v in results.loadavg)
    w([_row("load average (1 min)", f"{load} at start → end (other work adds noise)")])
    w([_row("targets", target_note), ""])

    w(["## Throughput and latency", ""])
    w(
        [
            f"One {settings.duration} s run per cell; the targets take turns per request type. "
            "Ratios are to the floor under the same server.",
            "",
        ]
    )
    w(
        _header(
            "request", "conns", "target", "server", "req/s", "p50 ms", "p99 ms",
            "req/s ÷ floor", "p99 ÷ floor", align="lrllrrrrr",
        )
    )  # fmt: skip
    for conns in settings.concurrencies:
        for kind in KINDS:
            for target in targets:
                res = results.throughput.get((target.key, kind, conns))
                if res is None:
                    continue
                floor = results.throughput.get((target.floor or "", kind, conns))
                rr = res.rps / floor.rps if floor and floor.rps else None
                pr = res.p99_ms / floor.p99_ms if floor and floor.p99_ms else None
                rps = f"{res.rps:,.0f}" + (f" ({res.errors} errors)" if res.errors else "")
                w(
                    [
                        _row(
                            f"`{kind}`", conns, target.label, target.server, rps,
                            _fmt_ms(res.p50_ms), _fmt_ms(res.p99_ms), _ratio(rr), _ratio(pr),
                        )
                    ]
                )  # fmt: skip
    w(["", "## Time to first successful response", ""])
    w(
        [
            "From just before the process is spawned to the first 200 from its health route "
            "(`/__mock__/health`; floor `/__health`).",
            "",
        ]
    )
    w(_header("target", "server", "median s", "min s", "max s", "starts", align="llrrrr"))
    for key, values in results.ready.items():
        t = labels[key]
        w(
            [
                _row(
                    t.label, t.server, f"{statistics.median(values):.3f}",
                    f"{min(values):.3f}", f"{max(values):.3f}", len(values),
                )
            ]
        )  # fmt: skip
    w(["", "## Memory and listing at scale", ""])
    w(
        [
            "A fresh process per target; the mock is filled through `POST /__mock__/seed` (1,000 "
            "per request) when it has that route, the floor by creates over 16 connections. "
            "RSS is VmRSS from /proc (gunicorn: master + workers). The baseline row is after "
            f"{PRECREATED} creates and a warm-up; bytes/connection = (RSS − baseline RSS) ÷ "
            f"(N − baseline N). Listing = median of {settings.listing_samples} sequential "
            "`GET /connections?limit=10` on one keep-alive connection.",
            "",
        ]
    )
    w(
        _header(
            "target", "stored N", "RSS MiB", "bytes / connection", "listing page ms",
            "filled at", align="lrrrrl",
        )
    )  # fmt: skip
    for key, rows in results.scale.items():
        t = labels[key]
        base = rows[0]
        start_mib = f"{results.rss_start.get(key, 0) / 2**20:.1f}"
        w([_row(t.label, "0 (just started)", start_mib, "", "", "")])
        for n, rss, ms in rows:
            per = "(baseline)" if n == base[0] else f"{(rss - base[1]) / (n - base[0]):,.0f}"
            rate = ""
            if n == rows[-1][0]:
                how = results.create_via.get(key, "")
                rate = f"{results.create_rate.get(key, 0):,.0f}/s via {how}"
            w([_row(t.label, f"{n:,}", f"{rss / 2**20:.1f}", per, _fmt_ms(ms), rate)])
    w(["", "## In-process per-call cost", ""])
    w(
        [
            f"Microseconds per call in one Python process: {settings.inproc_calls:,} calls per "
            "variant and request type in 5 rounds (the variants take turns), mean of the best "
            "round; `requests` variants use one `requests.Session`.",
            "",
        ]
    )
    w(_header("variant", *(f"`{k}`" for k in INPROC_KINDS), align="l" + "r" * len(INPROC_KINDS)))
    for variant, per_kind in results.inprocess.items():
        cells = ["n/a" if per_kind[k] is None else f"{per_kind[k]:,.0f}" for k in INPROC_KINDS]
        w([_row(variant, *cells)])
    w(["", "## Targets (issue 8)", ""])
    w(_header("target", "measured", "goal", "verdict", align="llll"))
    for check in checks:
        w([_row(check.name, check.measured, check.goal, check.verdict)])
    if results.errors:
        w(["", "## Request errors", ""])
        w([f"- {line}" for line in results.errors])
    return "\n".join(out) + "\n"


# -- main -----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="2 s runs, 10,000 connections at most")
    mode.add_argument("--smoke", action="store_true", help="CI check: ~30 s, 1,000 connections")
    parser.add_argument("--duration", type=int, help="seconds per load run (whole seconds, ≥ 1)")
    parser.add_argument(
        "--out",
        type=Path,
        help="Markdown output (default benchmarks/RESULTS.md; none with --smoke)",
    )
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args(argv)
    loadgen = args.loadgen
    if loadgen == "auto":
        loadgen = "wrk" if shutil.which("wrk") else "python"
    elif loadgen == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk), use --loadgen python")
    mode_name = "smoke" if args.smoke else "quick" if args.quick else "full"
    preset = PRESETS[mode_name]
    duration = preset.duration
    if args.duration is not None:
        if args.duration < 1:
            parser.error("--duration must be at least 1 (wrk takes whole seconds)")
        duration = args.duration
    out = args.out if args.out is not None else (None if args.smoke else HERE / "RESULTS.md")
    return Settings(
        mode=mode_name,
        duration=duration,
        concurrencies=preset.concurrencies,
        sizes=preset.sizes,
        startup_samples=preset.startup_samples,
        listing_samples=preset.listing_samples,
        inproc_calls=preset.inproc_calls,
        loadgen=loadgen,
        out=out,
    )


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)  # also when started with SIGINT ignored
    results = Results(loadavg=[os.getloadavg()[0]])
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="mockfs-bench-") as tmp:
            log_dir = Path(tmp)
            targets, note = build_targets()
            names = ", ".join(t.label for t in targets)
            _log(f"{settings.mode} run with {settings.loadgen}; targets: {names}")
            if settings.loadgen == "python":
                results.calibration_rps = calibrate_python(settings, log_dir)
                _log(f"python generator ceiling: {results.calibration_rps:,.0f} req/s")
            phase_throughput(settings, targets, log_dir, results)
            phase_startup(settings, targets, log_dir, results)
            phase_scale(settings, targets, log_dir, results)
            _log("in-process per-call cost")
            phase_inprocess(settings, results)
    except KeyboardInterrupt:
        print("interrupted: stopping started processes", file=sys.stderr)
        return 130
    except RequestError as exc:
        print(f"request error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        stop_all()
    results.loadavg.append(os.getloadavg()[0])
    checks = evaluate(settings, targets, results)
    report = render(settings, targets, note, results, checks)
    print()
    print(report)
    for check in checks:
        print(f"{check.verdict:<4}  {check.name}: {check.measured} (goal {check.goal})")
    if settings.out is not None:
        settings.out.write_text(report, "utf-8")
        print(f"\nwrote {settings.out}")
    _log(f"done in {time.perf_counter() - started:.0f} s")
    return 2 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
