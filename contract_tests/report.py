"""The contract report: every request per operation, the statuses seen, and each failure.

:class:`ContractAdapter` is mounted on the client's ``requests.Session`` (over the adapter the
client mounted, keeping its retry policy), so it sees each request the suite sends through the
client, through ``client.session`` (raw requests) and through schemathesis. Before sending it
enforces the request budget and rate; after, it counts the exchange under its operation
(``METHOD /path/template``). :class:`ReportPlugin` ties failed tests to their last exchanges and
writes ``contract-<target>.json`` and ``.md`` into ``$FLOWSERVICE_REPORT_DIR`` (default
``<rootdir>/reports``) at the end of every run, merging xdist workers.

When the run goes through ``mock-flowservice proxy`` (``$FLOWSERVICE_PROXY_URL`` names it, and
``FLOWSERVICE_BASE_URL`` points at it), the proxy's drift report is read from
``GET <proxy>/__proxy__/report`` at the end: its summary goes into the run report (``drift``),
the whole of it into ``contract-<target>-drift.json``.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from .redaction import Redactor

__all__ = [
    "BudgetExceeded",
    "ContractAdapter",
    "Recorder",
    "ReportPlugin",
    "operation_of",
    "resolve_target",
]

SUITE_DIR = Path(__file__).resolve().parent
REPORT_DIR_ENV = "FLOWSERVICE_REPORT_DIR"
BUDGET_ENV = "FLOWSERVICE_CONTRACT_MAX_REQUESTS"
RATE_ENV = "FLOWSERVICE_CONTRACT_RATE"
PROXY_ENV = "FLOWSERVICE_PROXY_URL"
#: Defaults per target: (request budget, requests per second); 0 means unlimited.
LIMITS = {"live": (2500, 5.0), "server": (0, 0.0), "inprocess": (0, 0.0)}
KEEP_EXCHANGES = 4
_SUB_RESOURCES = frozenset({"test", "explore", "configs", "action"})
_COLLECTION_ACTIONS = frozenset({"search"})


class BudgetExceeded(RuntimeError):
    """The run sent more requests than its budget allows (cleanup is never refused)."""


def resolve_target(config: pytest.Config) -> str:
    """The run's target as the plugin resolves it (option, env, ini, ``inprocess``)."""
    option = config.getoption("flowservice_target", default=None)
    try:
        ini = config.getini("flowservice_target")
    except ValueError:
        ini = None
    return str(option or os.environ.get("FLOWSERVICE_TARGET") or ini or "inprocess")


def operation_of(method: str, path: str) -> str:
    """``GET /connections/{id}`` for ``GET /connections/4cb0...`` (path relative to the base)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return f"{method} /"
    template = [parts[0]]
    if len(parts) >= 2:
        template.append(parts[1] if parts[1] in _COLLECTION_ACTIONS else "{id}")
    if len(parts) >= 3:
        template.append(parts[2] if parts[2] in _SUB_RESOURCES else "{sub}")
    if len(parts) > 3:
        template.append("...")
    return f"{method} /" + "/".join(template)


@dataclass
class Exchange:
    """One request and its answer, kept raw until a failure asks for it (then redacted)."""

    operation: str
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes | str | None
    status: int | None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    error: str | None = None
    cleanup: bool = False

    def redacted(self, redactor: Redactor) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "request": {
                "method": self.method,
                "url": redactor.text(self.url),
                "headers": redactor.headers(self.request_headers),
                "body": redactor.body(self.request_body),
            },
            "response": {
                "status": self.status,
                "headers": redactor.headers(self.response_headers),
                "body": redactor.body(self.response_body),
                "error": redactor.text(self.error) if self.error else None,
            },
        }


@dataclass
class OperationStats:
    requests: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, Any]] = field(default_factory=list)


class Recorder:
    """Counts exchanges per operation, enforces budget and rate, remembers recent exchanges."""

    def __init__(self, *, budget: int = 0, rate: float = 0.0) -> None:
        self.redactor = Redactor()
        self.budget = budget
        self.min_interval = 1.0 / rate if rate > 0 else 0.0
        self.operations: dict[str, OperationStats] = {}
        self.base_urls: set[str] = set()
        self.sent = 0
        self.created: list[str] = []
        self.deleted = 0
        self.leaked: list[dict[str, str]] = []
        self.outcomes: Counter[str] = Counter()
        self.recent: deque[Exchange] = deque(maxlen=32)
        self._lock = threading.Lock()
        self._last_sent = 0.0
        self._cleanup_depth = 0

    # -- around each request ---------------------------------------------------------------

    def before_send(self, method: str) -> None:
        cleanup = self._cleanup_depth > 0 or method == "DELETE"
        with self._lock:
            if self.budget and self.sent >= self.budget and not cleanup:
                raise BudgetExceeded(
                    f"request budget of {self.budget} used up ({BUDGET_ENV} raises it)"
                )
            self.sent += 1
            wait = self._last_sent + self.min_interval - time.monotonic()
            self._last_sent = max(time.monotonic(), self._last_sent + self.min_interval)
        if wait > 0:
            time.sleep(wait)

    def record(self, exchange: Exchange) -> None:
        exchange.cleanup = self._cleanup_depth > 0
        authorization = exchange.request_headers.get("Authorization", "")
        if authorization.lower().startswith("bearer "):
            self.redactor.add_values([authorization[7:]])
        with self._lock:
            stats = self.operations.setdefault(exchange.operation, OperationStats())
            stats.requests += 1
            stats.statuses[str(exchange.status) if exchange.status else "error"] += 1
            self.recent.append(exchange)

    @contextlib.contextmanager
    def cleaning_up(self) -> Iterator[None]:
        """Requests sent inside are cleanup: never refused, never blamed for a failure."""
        self._cleanup_depth += 1
        try:
            yield
        finally:
            self._cleanup_depth -= 1

    def last_status(self, operation: str) -> int | None:
        """Status of the latest exchange of ``operation`` in the current test."""
        for exchange in reversed(self.recent):
            if exchange.operation == operation:
                return exchange.status
        return None

    # -- test bookkeeping ------------------------------------------------------------------

    def start_test(self) -> None:
        self.recent.clear()

    def fail_test(self, nodeid: str, message: str) -> None:
        blamed = [e for e in self.recent if not e.cleanup][-KEEP_EXCHANGES:]
        operation = blamed[-1].operation if blamed else "(no request)"
        stats = self.operations.setdefault(operation, OperationStats())
        stats.failures.append(
            {
                "test": nodeid,
                "message": self.redactor.text(message)[:1500],
                "exchanges": [e.redacted(self.redactor) for e in blamed],
            }
        )

    # -- output ----------------------------------------------------------------------------

    def as_dict(self, target: str) -> dict[str, Any]:
        operations = [
            {
                "operation": name,
                "requests": stats.requests,
                "statuses": dict(sorted(stats.statuses.items())),
                "failures": len(stats.failures),
                "failure_details": stats.failures,
            }
            for name, stats in sorted(self.operations.items(), key=_operation_key)
        ]
        return {
            "target": target,
            "base_urls": sorted(self.base_urls),
            "requests": self.sent,
            "budget": self.budget or None,
            "tests": dict(self.outcomes),
            "cleanup": {
                "created": len(self.created),
                "deleted": self.deleted,
                "leaked": self.leaked,
            },
            "operations": operations,
        }


def _operation_key(item: tuple[str, OperationStats]) -> tuple[str, str]:
    return _path_then_method(item[0])


def _path_then_method(operation: str) -> tuple[str, str]:
    method, _, path = operation.partition(" ")
    return path, method


def _failure_message(report: pytest.TestReport) -> str:
    text = report.longreprtext
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return "\n".join(lines[:12]) if lines else text[-800:]


class ContractAdapter(HTTPAdapter):
    """Counts, throttles and records requests to one Flow Service base URL."""

    def __init__(self, recorder: Recorder, base_url: str, max_retries: Any = 0) -> None:
        super().__init__(max_retries=max_retries)
        self.recorder = recorder
        self.base_url = base_url.rstrip("/")
        self.base_path = urlsplit(self.base_url).path

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        url = request.url or ""
        if not url.startswith(self.base_url):
            return super().send(request, *args, **kwargs)
        method = (request.method or "GET").upper()
        self.recorder.before_send(method)
        path = urlsplit(url).path[len(self.base_path) :]
        exchange = Exchange(
            operation=operation_of(method, path),
            method=method,
            url=url,
            request_headers=dict(request.headers),
            request_body=request.body if isinstance(request.body, bytes | str) else None,
            status=None,
        )
        try:
            response = super().send(request, *args, **kwargs)
        except Exception as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
            self.recorder.record(exchange)
            raise
        exchange.status = response.status_code
        exchange.response_headers = dict(response.headers)
        exchange.response_body = response.content
        self.recorder.record(exchange)
        return response

    @classmethod
    def install(cls, session: requests.Session, base_url: str, recorder: Recorder) -> None:
        """Mount on ``session`` for ``base_url``'s origin, keeping the current retry policy."""
        parts = urlsplit(base_url)
        prefix = f"{parts.scheme}://{parts.netloc}/"
        current = session.get_adapter(prefix)
        if isinstance(current, cls):
            return
        retries = current.max_retries if isinstance(current, HTTPAdapter) else 0
        session.mount(prefix, cls(recorder, base_url, max_retries=retries))
        recorder.base_urls.add(base_url.rstrip("/"))


class ReportPlugin:
    """Pytest hooks: blame failures, merge xdist workers, write JSON and Markdown."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.target = resolve_target(config)
        budget, rate = LIMITS.get(self.target, (0, 0.0))
        budget = int(os.environ.get(BUDGET_ENV) or budget)
        rate = float(os.environ.get(RATE_ENV) or rate)
        self.recorder = Recorder(budget=budget, rate=rate)
        workerinput = getattr(config, "workerinput", None)
        self.worker_id: str | None = workerinput["workerid"] if workerinput else None
        self.run_id: str = (workerinput or {}).get("contract_report_run") or uuid.uuid4().hex
        self.started = time.time()

    @property
    def directory(self) -> Path:
        return Path(os.environ.get(REPORT_DIR_ENV) or self.config.rootpath / "reports")

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["contract_report_run"] = self.run_id

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.recorder.start_test()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report: pytest.TestReport = yield
        if not item.path.resolve().is_relative_to(SUITE_DIR):
            return report
        if report.failed:
            self.recorder.fail_test(item.nodeid, _failure_message(report))
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            self.recorder.outcomes[report.outcome] += 1
        return report

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        data = self.recorder.as_dict(self.target)
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.worker_id is not None:
            partial = self.directory / f".contract-{self.target}-{self.run_id}-{self.worker_id}"
            partial.write_text(json.dumps(data), encoding="utf-8")
            return
        for partial in sorted(self.directory.glob(f".contract-{self.target}-{self.run_id}-*")):
            data = merge(data, json.loads(partial.read_text(encoding="utf-8")))
            partial.unlink()
        data["duration_s"] = round(time.time() - self.started, 2)
        data["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        data["exit_status"] = int(session.exitstatus)
        proxy = os.environ.get(PROXY_ENV)
        if proxy:
            drift = fetch_drift(proxy)
            data["drift"] = drift_summary(proxy, drift)
            path = self.directory / f"contract-{self.target}-drift.json"
            path.write_text(json.dumps(drift, indent=2) + "\n", "utf-8")
        text = json.dumps(data, indent=2, sort_keys=False)
        (self.directory / f"contract-{self.target}.json").write_text(text + "\n", "utf-8")
        (self.directory / f"contract-{self.target}.md").write_text(markdown(data), "utf-8")


def fetch_drift(proxy: str) -> dict[str, Any]:
    """The drift report of the proxy at ``proxy`` (its origin), or why it could not be read."""
    try:
        answer = requests.get(proxy.rstrip("/") + "/__proxy__/report", timeout=10)
        answer.raise_for_status()
        report = answer.json()
    except (requests.RequestException, ValueError) as exc:
        return {"error": f"cannot read the proxy's drift report: {type(exc).__name__}"}
    return report if isinstance(report, dict) else {"error": "the drift report is no object"}


def drift_summary(proxy: str, drift: dict[str, Any]) -> dict[str, Any]:
    """What the run report keeps of the drift report: totals and per-operation counts."""
    if "error" in drift:
        return {"proxy": proxy, "error": drift["error"]}
    operations = [
        {key: op.get(key) for key in ("operation", "operationId", "exchanges", "agreed")}
        for op in drift.get("operations", [])
    ]
    return {
        "proxy": proxy,
        "upstream": drift.get("upstream"),
        "shadow": drift.get("shadow"),
        "exchanges": drift.get("exchanges"),
        "agreed": drift.get("agreed"),
        "operations": operations,
    }


def merge(total: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """Add one worker's report to the controller's."""
    total["base_urls"] = sorted(set(total["base_urls"]) | set(part["base_urls"]))
    total["requests"] += part["requests"]
    total["tests"] = dict(Counter(total["tests"]) + Counter(part["tests"]))
    for key in ("created", "deleted"):
        total["cleanup"][key] += part["cleanup"][key]
    total["cleanup"]["leaked"] += part["cleanup"]["leaked"]
    by_name = {op["operation"]: op for op in total["operations"]}
    for op in part["operations"]:
        empty = {"requests": 0, "statuses": {}, "failure_details": [], "failures": 0}
        mine = by_name.setdefault(op["operation"], {**op, **empty})
        mine["requests"] += op["requests"]
        mine["statuses"] = dict(Counter(mine["statuses"]) + Counter(op["statuses"]))
        mine["failure_details"] = mine.get("failure_details", []) + op["failure_details"]
        mine["failures"] = len(mine["failure_details"])
    total["operations"] = sorted(by_name.values(), key=lambda o: _path_then_method(o["operation"]))
    return total


def markdown(data: dict[str, Any]) -> str:
    """The report as Markdown: a table per operation, then each failure's exchanges."""
    tests = ", ".join(f"{k} {v}" for k, v in sorted(data["tests"].items())) or "none"
    cleanup = data["cleanup"]
    lines = [
        f"# Contract report: target `{data['target']}`",
        "",
        f"* base URL(s): {', '.join(data['base_urls']) or '(none)'}",
        f"* tests: {tests}; exit status {data.get('exit_status')}",
        f"* requests: {data['requests']} (budget {data['budget'] or 'unlimited'}), "
        f"{data.get('duration_s')} s",
        f"* cleanup: {cleanup['created']} created, {cleanup['deleted']} deleted, "
        f"{len(cleanup['leaked'])} leaked",
        "",
        "| operation | requests | statuses | failures |",
        "| --- | ---: | --- | ---: |",
    ]
    for op in data["operations"]:
        statuses = ", ".join(f"{k}×{v}" for k, v in op["statuses"].items())
        lines.append(f"| `{op['operation']}` | {op['requests']} | {statuses} | {op['failures']} |")
    lines += _drift_lines(data.get("drift"))
    failures = [(op["operation"], f) for op in data["operations"] for f in op["failure_details"]]
    if failures:
        lines += ["", "## Failures"]
    for operation, failure in failures:
        lines += ["", f"### `{failure['test']}`", "", f"Blamed on `{operation}`: "]
        lines += ["", "```", failure["message"], "```"]
        for exchange in failure["exchanges"]:
            lines += ["", "```json", json.dumps(exchange, indent=2), "```"]
    return "\n".join(lines) + "\n"


def _drift_lines(drift: dict[str, Any] | None) -> list[str]:
    if drift is None:
        return []
    lines = ["", "## Drift (through the validation proxy)", "", f"* proxy: {drift['proxy']}"]
    if "error" in drift:
        return [*lines, f"* {drift['error']}"]
    lines += [
        f"* upstream: {drift['upstream']}; shadow mock: {'on' if drift['shadow'] else 'off'}",
        f"* {drift['exchanges']} exchanges, {drift['agreed']} agreed "
        "(details: the `-drift.json` file next to this report)",
        "",
        "| operation | exchanges | agreed |",
        "| --- | ---: | ---: |",
    ]
    for op in drift["operations"]:
        lines.append(f"| `{op['operation']}` | {op['exchanges']} | {op['agreed']} |")
    return lines
