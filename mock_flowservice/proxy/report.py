"""The drift report: per operation, how many exchanges, how many agreed, and each disagreement.

An exchange *agrees* when the checks found nothing (:mod:`.checks`) and, with a shadow, the two
answers have no difference (:mod:`.compare`). The report is JSON (``as_json``, format
``mock-flowservice-drift`` version 1) and Markdown (``markdown``); every request and answer in it
is redacted (:mod:`.exchange`). At most ``keep`` disagreements are kept per operation (all are
counted).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .checks import Finding
from .compare import Difference

__all__ = ["DriftReport", "Observation", "markdown", "write_report"]

FORMAT = "mock-flowservice-drift"
VERSION = 1
UNKNOWN = "(no operation of the mock)"


@dataclass(frozen=True)
class Observation:
    """One exchange judged: its operation, findings, differences and redacted sides."""

    operation: str
    operation_id: str | None
    request: dict[str, Any]
    upstream: dict[str, Any]
    findings: tuple[Finding, ...] = ()
    differences: tuple[Difference, ...] = ()
    #: The shadow's redacted answer (None without a shadow, or when it was not compared).
    mock: dict[str, Any] | None = None
    skipped: str | None = None

    @property
    def agreed(self) -> bool:
        return not self.findings and not self.differences

    def as_json(self, seq: int) -> dict[str, Any]:
        return {
            "seq": seq,
            "request": self.request,
            "findings": [f.as_json() for f in self.findings],
            "differences": [d.as_json() for d in self.differences],
            "upstream": self.upstream,
            "mock": self.mock,
            **({"notCompared": self.skipped} if self.skipped else {}),
        }


@dataclass
class _Operation:
    operation_id: str | None
    exchanges: int = 0
    agreed: int = 0
    compared: int = 0
    disagreements: list[dict[str, Any]] = field(default_factory=list)


class DriftReport:
    """Observations gathered while the proxy runs (thread-safe)."""

    def __init__(self, *, upstream: str, shadow: bool, keep: int = 50) -> None:
        self.upstream, self.shadow, self.keep = upstream, shadow, keep
        self.started = _now()
        self._operations: dict[str, _Operation] = {}
        self._seq = 0
        self._lock = threading.Lock()

    def add(self, observation: Observation) -> None:
        with self._lock:
            self._seq += 1
            stats = self._operations.setdefault(
                observation.operation, _Operation(observation.operation_id)
            )
            stats.exchanges += 1
            stats.compared += observation.mock is not None
            if observation.agreed:
                stats.agreed += 1
            elif len(stats.disagreements) < self.keep:
                stats.disagreements.append(observation.as_json(self._seq))

    def as_json(self) -> dict[str, Any]:
        with self._lock:
            operations = [
                {
                    "operation": name,
                    "operationId": op.operation_id,
                    "exchanges": op.exchanges,
                    "agreed": op.agreed,
                    "compared": op.compared,
                    "disagreements": list(op.disagreements),
                }
                for name, op in sorted(self._operations.items(), key=lambda item: _order(item[0]))
            ]
        return {
            "format": FORMAT,
            "version": VERSION,
            "upstream": self.upstream,
            "shadow": self.shadow,
            "started": self.started,
            "generated": _now(),
            "exchanges": sum(op["exchanges"] for op in operations),
            "agreed": sum(op["agreed"] for op in operations),
            "operations": operations,
        }


def _order(operation: str) -> tuple[str, str]:
    method, _, path = operation.partition(" ")
    return path, method


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _cell(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return "`" + text.replace("|", "\\|").replace("`", "'")[:200] + "`"


def markdown(data: dict[str, Any]) -> str:
    """The report for people: a table of operations, then each disagreement side by side."""
    lines = [
        "# Drift report",
        "",
        f"* upstream: {data['upstream']}; shadow mock: {'on' if data['shadow'] else 'off'}",
        f"* {data['exchanges']} exchanges, {data['agreed']} agreed; "
        f"from {data['started']} to {data['generated']}",
        "",
        "| operation | operationId | exchanges | agreed | disagreements |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for op in data["operations"]:
        lines.append(
            f"| `{op['operation']}` | {op['operationId'] or '–'} | {op['exchanges']} "
            f"| {op['agreed']} | {op['exchanges'] - op['agreed']} |"
        )
    for op in data["operations"]:
        for item in op["disagreements"]:
            lines += _disagreement(op["operation"], item)
    return "\n".join(lines) + "\n"


def _disagreement(operation: str, item: dict[str, Any]) -> list[str]:
    request = item["request"]
    lines = ["", f"## #{item['seq']} `{operation}`: {request['method']} {request['path']}", ""]
    for finding in item["findings"]:
        lines.append(f"* {finding['kind']}: {finding['message']}")
    if item.get("notCompared"):
        lines.append(f"* not compared with the mock: {item['notCompared']}")
    if item["differences"]:
        lines += ["", "| difference | where | upstream | mock |", "| --- | --- | --- | --- |"]
        for diff in item["differences"]:
            lines.append(
                f"| {diff['kind']} | `{diff['where']}` | {_cell(diff['upstream'])} "
                f"| {_cell(diff['mock'])} |"
            )
    sides = [("upstream", item["upstream"]), ("mock", item["mock"])]
    lines += ["", "| upstream | mock |", "| --- | --- |"]
    rendered = [_lines(side) for _, side in sides]
    for left, right in zip(
        *(r + [""] * (max(map(len, rendered)) - len(r)) for r in rendered), strict=True
    ):
        lines.append(f"| {left} | {right} |")
    return lines


def _lines(side: dict[str, Any] | None) -> list[str]:
    if side is None:
        return ["–"]
    text = json.dumps({"status": side.get("status"), "body": side.get("body")}, indent=1)
    return [_cell(line) for line in text.splitlines()[:60]]


def write_report(data: dict[str, Any], path: Path) -> tuple[Path, Path]:
    """Write the JSON report to ``path`` and the Markdown one next to it (``.md``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    md = path.with_suffix(".md") if path.suffix == ".json" else Path(str(path) + ".md")
    md.write_text(markdown(data), "utf-8")
    return path, md
