"""Benchmarks of mock-flowservice against a minimal Flask "floor" (issues 8 and 13).

    .venv/bin/python benchmarks/run.py [--quick | --smoke] [--duration S] [--out PATH]

See benchmarks/README.md for what each number means and the targets. Timings never change the
exit status: it is 0 unless a server failed to start, a request errored (2) or the script
crashed (1); Ctrl-C stops every started process and exits 130.
"""

from __future__ import annotations

import argparse
import compileall
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
from typing import Any

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
BASIC = (POST, GET_ID, LIST)
# The pipeline's routes (#13). Flows are created in a sandbox of their own, so the runs
# listing (which materialises the due runs of its tenant's flows) keeps its one flow.
RUNS = "GET /runs?property=flowId==…&limit=10"
PREVIEW = "GET /connections/{id}/explore (table preview)"
FLOW_POST = "POST /flows"
PIPELINE = (RUNS, PREVIEW, FLOW_POST)
KINDS = (*BASIC, *PIPELINE)
WRITE_SANDBOX = "bench-writes"
CRM_TO_AEP = "14518937-270c-4525-bdec-c2ba7cce3860"
DATALAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
DYNAMICS = "38ad80fe-8b06-4938-94f4-d4ee80266b07"
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
    seeded_sizes: tuple[int, ...]
    startup_samples: int
    listing_samples: int
    inproc_calls: int
    loadgen: str  # "wrk" or "python"
    out: Path | None


@dataclass(frozen=True)
class Preset:
    duration: int
    concurrencies: tuple[int, ...]
    sizes: tuple[int, ...]  # stored connections at which memory and listing are measured
    seeded_sizes: tuple[int, ...]  # the same for targets filled through `POST /__mock__/seed`
    startup_samples: int
    listing_samples: int
    inproc_calls: int


#: Issue 13's scale target: a listing page and the memory per connection at this many.
SCALE_TARGET = 1_000_000

PRESETS = {
    # The floors are filled by concurrent creates (~1,800/s), so they stop at 100,000; the mock
    # targets are seeded (~15,000/s) on to issue 13's 1,000,000.
    "full": Preset(10, (1, 16), (10_000, 100_000), (10_000, 100_000, SCALE_TARGET), 3, 50, 2_000),
    "quick": Preset(2, (1, 16), (10_000,), (10_000,), 1, 50, 1_000),
    # CI: keeps the script working in ~25 s; one concurrency level, 1,000 connections.
    "smoke": Preset(1, (16,), (1_000,), (1_000,), 1, 20, 200),
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
            # The worker `serve --workers` runs: gunicorn's processes, each serving with
            # waitress, so the floor and the mock share the whole server stack.
            "mock_flowservice.server.worker.WaitressWorker",
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
                "gunicorn, 2 workers × 8 threads (waitress worker)",
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
            "gunicorn, 2 workers × 8 threads (waitress worker)",
            floor_gunicorn,
            "/__health",
        )
    )
    return targets, note


# -- HTTP helpers ---------------------------------------------------------------------------------


def _request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers=headers or HEADERS)
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


@dataclass(frozen=True)
class Call:
    """What one request type sends: method, the paths it cycles through, body and headers."""

    method: str
    paths: list[str]
    body: str | None = None
    headers: dict[str, str] = field(default_factory=lambda: dict(HEADERS))


Pipeline = dict[str, Call]
Send = Callable[[str, str, dict[str, Any], dict[str, str]], dict[str, Any]]


def _call(kind: str, ids: Sequence[str], pipeline: Pipeline) -> Call:
    if kind == POST:
        return Call("POST", [f"{BASE_PATH}/connections"], BODY)
    if kind == GET_ID:
        return Call("GET", [f"{BASE_PATH}/connections/{cid}" for cid in ids])
    if kind == LIST:
        return Call("GET", [LIST_PATH])
    return pipeline[kind]


def _chain(send: Send, headers: dict[str, str]) -> tuple[str, str, str]:
    """A base connection, a source connection (the Dynamics contact table), a Data Lake target."""
    base = send("POST", "/connections", dynamics_basic_body(), headers)["id"]
    source = send(
        "POST",
        "/sourceConnections",
        {
            "name": "contacts",
            "baseConnectionId": base,
            "data": {"format": "tabular"},
            "params": {"tableName": "contact"},
            "connectionSpec": {"id": DYNAMICS, "version": "1.0"},
        },
        headers,
    )["id"]
    target = send(
        "POST",
        "/targetConnections",
        {
            "name": "lake",
            "data": {"schema": {"id": "https://ns.adobe.com/acme/schemas/x", "version": "1"}},
            "params": {"dataSetId": "6889f4f89b982b2b90bc1207"},
            "connectionSpec": {"id": DATALAKE, "version": "1.0"},
        },
        headers,
    )["id"]
    return base, source, target


def _flow_body(source: str, target: str) -> dict[str, Any]:
    """The crm.md dataflow, run daily from ten days ago (ten runs to list)."""
    start = int(time.time()) - 10 * 86_400
    return {
        "name": "ACME Contact Dataflow",
        "description": "A dataflow for ACME contact data",
        "flowSpec": {"id": CRM_TO_AEP, "version": "1.0"},
        "sourceConnectionIds": [source],
        "targetConnectionIds": [target],
        "transformations": [
            {
                "name": "Copy",
                "params": {
                    "deltaColumn": {
                        "name": "modifiedon",
                        "dateFormat": "YYYY-MM-DD",
                        "timezone": "UTC",
                    }
                },
            },
            {
                "name": "Mapping",
                "params": {"mappingId": "93ddfa69c4864d978832b1e5ef6ec3b9", "mappingVersion": 0},
            },
        ],
        "scheduleParams": {"startTime": str(start), "frequency": "day", "interval": "1"},
    }


def pipeline_setup(send: Send) -> Pipeline:
    """One flow to list the runs of, a connection to preview, a sandbox to create flows in."""
    base, source, target = _chain(send, HEADERS)
    flow_id = send("POST", "/flows", _flow_body(source, target), HEADERS)["id"]
    writes = {**HEADERS, "x-sandbox-name": WRITE_SANDBOX}
    _, source_w, target_w = _chain(send, writes)
    preview = f"/connections/{base}/explore?objectType=table&object=contact&preview=true"
    return {
        RUNS: Call("GET", [f"{BASE_PATH}/runs?property=flowId=={flow_id}&limit=10"]),
        PREVIEW: Call("GET", [BASE_PATH + preview]),
        FLOW_POST: Call(
            "POST", [f"{BASE_PATH}/flows"], json.dumps(_flow_body(source_w, target_w)), writes
        ),
    }


def http_sender(server: Server) -> Send:
    def send(method: str, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
        try:
            status, payload = _request(conn, method, BASE_PATH + path, json.dumps(body), headers)
        finally:
            conn.close()
        if status != 201:
            raise RequestError(f"{server.name}: {path} answered {status}: {payload[:300]!r}")
        return json.loads(payload)

    return send


def write_canned(path: Path) -> None:
    """The floor's pipeline answers: the mock's own, made in-process (same shape and size)."""
    from mock_flowservice import create_app

    client = create_app().test_client()

    def send(method: str, route: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        answer = client.open(BASE_PATH + route, method=method, json=body, headers=headers)
        if answer.status_code != 201:
            raise RequestError(f"in-process {route} answered {answer.status_code}: {answer.json}")
        return answer.json

    pipeline = pipeline_setup(send)
    canned = {}
    for kind, name in ((RUNS, "runs"), (PREVIEW, "preview")):
        answer = client.get(pipeline[kind].paths[0], headers=HEADERS)
        if answer.status_code != 200:
            raise RequestError(f"in-process {kind} answered {answer.status_code}: {answer.json}")
        canned[name] = answer.json
    path.write_text(json.dumps(canned), "utf-8")


# -- load generators --------------------------------------------------------------------------


def _lua_str(value: str) -> str:
    if "]==]" in value:
        raise ValueError("cannot quote value for Lua")
    return f"[==[{value}]==]"


def _wrk_script(call: Call) -> str:
    lines = [f'wrk.method = "{call.method}"']
    for name, value in call.headers.items():
        lines.append(f"wrk.headers[ {_lua_str(name)} ] = {_lua_str(value)}")
    if call.body is not None:
        lines.append(f"wrk.body = {_lua_str(call.body)}")
    paths = ", ".join(_lua_str(p) for p in call.paths)
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


def wrk_load(server: Server, call: Call, conns: int, duration: int) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(_wrk_script(call))
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


def python_load(server: Server, call: Call, conns: int, duration: int) -> LoadResult:
    processes = max(1, min(conns, os.cpu_count() or 1))
    job = Job(
        host=HOST,
        port=server.port,
        method=call.method,
        paths=call.paths,
        headers=call.headers,
        body=call.body,
        threads=max(1, conns // processes),
        processes=processes,
        duration=float(duration),
    )
    return run_load(job)


def drive(settings: Settings, server: Server, call: Call, conns: int, duration: int) -> LoadResult:
    if settings.loadgen == "wrk":
        return wrk_load(server, call, conns, duration)
    return python_load(server, call, conns, duration)


#: How ``fill`` names the control API's seed route (the report's "filled at" column).
SEEDED_VIA = "`POST /__mock__/seed`"
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
            return seconds, SEEDED_VIA
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
        return python_load(server, Call("GET", [LIST_PATH]), 16, settings.duration).rps
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
    startup_modules: list[str] | None = None
    chart: str | None = None  # the PNG's file name, beside the report
    bytecode: str = ""  # how the mock's modules were compiled for the servers started


def compile_bytecode() -> str:
    """Compile the mock's modules to ``__pycache__`` before any server starts; says how.

    ``pip install`` of the wheel leaves them compiled, and a checkout's first import writes them,
    unless ``PYTHONDONTWRITEBYTECODE`` is set: then every server start would compile every module
    from source again (60-100 ms on a 2-core machine), which no installed copy pays and the floor
    (one file beside installed packages) hardly pays at all.
    """
    import mock_flowservice

    package = Path(mock_flowservice.__file__).parent
    compileall.compile_dir(package, quiet=1)
    unset = os.environ.get("PYTHONDONTWRITEBYTECODE") is None
    why = "" if unset else "; PYTHONDONTWRITEBYTECODE is set here, so servers would not write it"
    return f"compiled before the servers start, as an installed copy has it{why}"


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
    pipelines: dict[str, Pipeline] = {}
    try:
        for target in targets:
            servers[target.key] = _start(target, log_dir, results)
            ids[target.key] = precreate(servers[target.key], PRECREATED)
            pipelines[target.key] = pipeline_setup(http_sender(servers[target.key]))
            warm_up(servers[target.key], ids[target.key])
        for conns in settings.concurrencies:
            for kind in KINDS:
                for target in targets:  # round-robin: the targets take turns per request type
                    server = servers[target.key]
                    call = _call(kind, ids[target.key], pipelines[target.key])
                    result = drive(settings, server, call, conns, settings.duration)
                    results.throughput[(target.key, kind, conns)] = result
                    _log(
                        f"{target.label:<18} {kind:<46} c={conns:<3} {result.rps:9.0f} req/s "
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
            seeded = target.kind == "mock"
            sizes = settings.seeded_sizes if seeded else settings.sizes
            for size in sizes:
                seconds, how = fill(server, size - stored, use_seed=seeded)
                spent += seconds
                results.create_via[target.key] = how
                stored = size
                time.sleep(0.3)
                rss = tree_rss_bytes(server.pid)
                rows.append((stored, rss, listing_latency_ms(server, settings.listing_samples)))
                _log(f"{target.label:<18} {stored:>7} stored: RSS {rss / 2**20:7.1f} MiB")
            results.scale[target.key] = rows
            created = sizes[-1] - rows[0][0]
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


def _ratio_check(
    results: Results, title: str, mock_key: str, floor_key: str, kind: str, conns: int, p99: bool
) -> Check:
    name = f"{title}: {kind} c={conns}"
    mine = results.throughput.get((mock_key, kind, conns))
    floor = results.throughput.get((floor_key, kind, conns))
    if mine is None or floor is None:
        return Check(name, "n/a", "", None)
    rps_ratio = mine.rps / floor.rps if floor.rps else 0.0
    p99_ratio = mine.p99_ms / floor.p99_ms if floor.p99_ms else 0.0
    ok, goal, measured = rps_ratio >= 0.8, "≥ 0.8× floor req/s", f"{rps_ratio:.2f}× req/s"
    if p99:
        ok = ok and p99_ratio <= 1.25
        goal += ", p99 ≤ 1.25× floor"
        measured += f", p99 {p99_ratio:.2f}×"
    return Check(name, measured, goal, ok)


def startup_modules() -> list[str]:
    """Which of ``responses`` and ``jsonschema`` ``import mock_flowservice`` loads (#13)."""
    code = (
        "import sys, mock_flowservice; "
        "print(','.join(m for m in ('responses', 'jsonschema') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return [m for m in done.stdout.strip().split(",") if m]


def evaluate(settings: Settings, targets: list[Target], results: Results) -> list[Check]:
    """The targets of issue 13 (ratios within this run), then those of issue 8 still kept."""
    checks: list[Check] = []
    for kinds, title in ((BASIC, "1 one process"), (PIPELINE, "4 pipeline, one process")):
        for kind in kinds:
            for conns in settings.concurrencies:
                checks.append(_ratio_check(results, title, "mock", "floor", kind, conns, True))
    if 16 in settings.concurrencies:
        for kind in KINDS:
            checks.append(
                _ratio_check(results, "2 workers", "mock-w2", "floor-g2", kind, 16, False)
            )
    inproc = results.inprocess
    for kind in INPROC_KINDS:
        mock_tc = inproc.get("mock app, Flask test client", {}).get(kind)
        floor_tc = inproc.get("floor app, Flask test client", {}).get(kind)
        if mock_tc is not None and floor_tc:
            ratio = mock_tc / floor_tc
            checks.append(
                Check(
                    f"3 test client: {kind}",
                    f"{ratio:.2f}× ({mock_tc:.0f} vs {floor_tc:.0f} µs)",
                    "≤ 1.3× floor test client",
                    ratio <= 1.3,
                )
            )
        cost = inproc.get("intercept (requests)", {}).get(kind)
        stub = inproc.get("responses static stub (requests)", {}).get(kind)
        if cost is None or not stub:
            checks.append(Check(f"3 intercept: {kind}", "n/a", "≤ 2× responses stub", None))
        else:
            ratio = cost / stub
            checks.append(
                Check(
                    f"3 intercept: {kind}",
                    f"{ratio:.2f}× ({cost:.0f} vs {stub:.0f} µs)",
                    "≤ 2× responses static stub",
                    ratio <= 2,
                )
            )
    rows = results.scale.get("mock")
    if rows:
        checks += _scale_checks(rows, results.create_rate.get("mock"), results.create_via)
    loaded = results.startup_modules
    if loaded is not None:
        checks.append(
            Check(
                "6 import mock_flowservice",
                "loads " + (", ".join(loaded) if loaded else "neither"),
                "neither responses nor jsonschema",
                not loaded,
            )
        )
    checks += _ready_checks(results)
    ready = results.ready.get("mock", [])
    if ready:
        median = statistics.median(ready)
        checks.append(
            Check("(8) mock ready (one process)", f"{median:.3f} s", "≤ 0.5 s", median <= 0.5)
        )
    if rows:
        # Issue 8's scale targets are at 100,000 (or the largest size this mode stores).
        first = rows[0]
        last = next((row for row in rows if row[0] >= 100_000), rows[-1])
        ratio, listing, per_conn = _growth(first, last)
        checks.append(
            Check(f"(8) listing page at {last[0]:,} vs {first[0]:,}", listing, "≤ 2×", ratio <= 2)
        )
        checks.append(
            Check(
                f"(8) memory per stored connection (at {last[0]:,})",
                f"{per_conn:,.0f} B",
                "≤ 4 kB (4,000 B)",
                per_conn <= 4000,
            )
        )
    return checks


def _growth(
    first: tuple[int, int, float], last: tuple[int, int, float]
) -> tuple[float, str, float]:
    """Between two scale rows (N, RSS, listing ms): the listing ratio, that ratio as the report
    words it, and the bytes of RSS per connection added."""
    ratio = last[2] / first[2]
    listing = f"{ratio:.2f}× ({_fmt_ms(last[2])} vs {_fmt_ms(first[2])} ms)"
    return ratio, listing, (last[1] - first[1]) / (last[0] - first[0])


def _ready_checks(results: Results) -> list[Check]:
    """Target 6: the median time to the first 200, against the floor under the same server."""
    checks: list[Check] = []
    for key, floor_key, title in (
        ("mock", "floor", "one process"),
        ("mock-w2", "floor-g2", "--workers 2"),
    ):
        mine, floor = results.ready.get(key), results.ready.get(floor_key)
        if not mine or not floor:
            continue
        mine_s, floor_s = statistics.median(mine), statistics.median(floor)
        ratio = mine_s / floor_s
        checks.append(
            Check(
                f"6 ready ({title})",
                f"{ratio:.2f}× ({mine_s:.3f} vs {floor_s:.3f} s)",
                "≤ 1.5× floor ready time",
                ratio <= 1.5,
            )
        )
    return checks


def _scale_checks(
    rows: list[tuple[int, int, float]], rate: float | None, via: dict[str, str]
) -> list[Check]:
    """Target 5 for the one-process mock: verdicts only when the run stored ``SCALE_TARGET``
    (the quick and smoke modes report their own sizes as n/a)."""
    first, last = rows[0], rows[-1]
    at_target = last[0] >= SCALE_TARGET
    ratio, listing, per_conn = _growth(first, last)
    seeded = via.get("mock") == SEEDED_VIA
    return [
        Check(
            f"5 listing page at {last[0]:,} vs {first[0]:,}",
            listing,
            f"≤ 2× at {SCALE_TARGET:,}",
            ratio <= 2 if at_target else None,
        ),
        Check(
            f"5 memory per stored connection, one process (at {last[0]:,})",
            f"{per_conn:,.0f} B",
            f"≤ 2 kB (2,000 B) at {SCALE_TARGET:,}",
            per_conn <= 2000 if at_target else None,
        ),
        Check(
            f"5 seeding {last[0] - first[0]:,} through the control API",
            f"{rate:,.0f}/s" if rate and seeded else "not seeded",
            f"reported as a rate at {SCALE_TARGET:,}",
            bool(rate and seeded) if at_target else None,
        ),
    ]


def write_chart(settings: Settings, targets: list[Target], results: Results, path: Path) -> bool:
    """req/s and p99 per target and request type, one pair of panels per concurrency (PNG).

    False when matplotlib is not installed (the report says so)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rows = len(settings.concurrencies)
    fig, axes = plt.subplots(rows, 2, figsize=(16, 4.5 * rows), squeeze=False)
    width = 0.8 / max(len(targets), 1)
    for row, conns in enumerate(settings.concurrencies):
        for col, (metric, label) in enumerate((("rps", "req/s"), ("p99_ms", "p99 ms"))):
            ax = axes[row][col]
            for n, target in enumerate(targets):
                values = [
                    getattr(results.throughput[(target.key, kind, conns)], metric)
                    if (target.key, kind, conns) in results.throughput
                    else 0.0
                    for kind in KINDS
                ]
                xs = [k + (n - (len(targets) - 1) / 2) * width for k in range(len(KINDS))]
                ax.bar(xs, values, width, label=target.label)
            ax.set_xticks(range(len(KINDS)))
            ax.set_xticklabels([k.split(" (")[0].replace("?", "\n?") for k in KINDS], fontsize=7)
            ax.set_title(f"{label}, {conns} connection{'s' if conns > 1 else ''}")
            ax.grid(axis="y", alpha=0.3)
            if row == 0 and col == 0:
                ax.legend(fontsize=8)
    fig.suptitle(f"mock-flowservice vs floor ({settings.mode} run, {settings.duration} s per cell)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


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
    command = " ".join(["benchmarks/run.py", *sys.argv[1:]])
    w([_row("command", f"`.venv/bin/python {command}`")])
    machine_text = f"nproc {machine['nproc']}, {machine['cpu']}, {machine['memory']} RAM"
    w([_row("machine", f"{machine_text}, {machine['os']}")])
    w([_row("Python", platform.python_version())])
    packages = ", ".join(
        f"{name} {_version(name)}"
        for name in ("mock-flowservice", "flask", "waitress", "gunicorn", "requests", "responses")
    )
    w([_row("packages", packages)])
    if results.bytecode:
        w([_row("mock's bytecode", results.bytecode)])
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
    if results.chart:
        w(["", "## Chart", "", f"![req/s and p99 per target and request type]({results.chart})"])
    w(["", "## Targets (issue 13; issue 8's kept ones marked (8))", ""])
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
        seeded_sizes=preset.seeded_sizes,
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
            canned = log_dir / "floor-canned.json"
            write_canned(canned)
            os.environ["FLOOR_CANNED"] = str(canned)  # the floors' pipeline answers
            results.bytecode = compile_bytecode()
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
            results.startup_modules = startup_modules()
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
    if settings.out is not None:
        chart = settings.out.with_suffix(".png")
        if write_chart(settings, targets, results, chart):
            results.chart = chart.name
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
