"""Recordings: every proxied exchange kept on disk, redacted (format: docs/recordings.md).

A recording is a directory::

    DIR/recording.json          {"format": "mock-flowservice-recording", "version": 1,
                                 "upstream": "https://...", "basePath": "/data/...",
                                 "created": "2026-...Z"}
    DIR/exchanges/000001.json   one exchange: {"version", "seq", "time", "operation",
                                 "request": {...}, "response": {...}}

``request`` and ``response`` are :meth:`ProxiedExchange.redacted_request` and
``redacted_response``: secrets masked, credential headers removed. :func:`read_recording`
loads one back (checking the format and version); :func:`seed_document` turns the objects its
answers hold into a ``POST /__mock__/seed`` document.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..control.recorder import Redactor
from .exchange import ProxiedExchange

__all__ = [
    "FORMAT",
    "VERSION",
    "Recorded",
    "RecordingError",
    "RecordingWriter",
    "read_recording",
    "seed_document",
]

FORMAT = "mock-flowservice-recording"
VERSION = 1
MANIFEST = "recording.json"
EXCHANGES = "exchanges"


class RecordingError(Exception):
    """A directory that is not a recording this version can read."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class RecordingWriter:
    """Appends exchanges to a recording directory (created if missing), one file each."""

    def __init__(self, directory: Path, *, upstream: str, base_path: str) -> None:
        self.directory = directory
        (directory / EXCHANGES).mkdir(parents=True, exist_ok=True)
        manifest = directory / MANIFEST
        if manifest.exists():
            read_recording(directory)  # refuses a directory of another format
        else:
            head = {
                "format": FORMAT,
                "version": VERSION,
                "upstream": upstream,
                "basePath": base_path,
                "created": _now(),
            }
            _write(manifest, head)
        existing = [int(p.stem) for p in (directory / EXCHANGES).glob("*.json") if p.stem.isdigit()]
        self._seq = max(existing, default=0)
        self._lock = threading.Lock()

    def add(
        self, exchange: ProxiedExchange, operation: str | None, redactor: Redactor, base_path: str
    ) -> Path:
        """Write one exchange, redacted; returns its file."""
        entry = {
            "version": VERSION,
            "time": _now(),
            "operation": operation,
            "durationMs": round(exchange.duration_ms, 3),
            "request": exchange.redacted_request(redactor, base_path),
            "response": exchange.redacted_response(redactor),
        }
        with self._lock:
            self._seq += 1
            path = self.directory / EXCHANGES / f"{self._seq:06d}.json"
            _write(path, {"seq": self._seq, **entry})
        return path


def _write(path: Path, document: dict[str, Any]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    os.replace(temporary, path)


@dataclass(frozen=True)
class Recorded:
    """One exchange read back from a recording."""

    seq: int
    request: dict[str, Any]
    response: dict[str, Any]


def read_recording(directory: Path) -> list[Recorded]:
    """The exchanges of a recording in their order, or :class:`RecordingError`."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise RecordingError(f"{directory} is not a recording: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RecordingError(f"{directory / MANIFEST} is not a {FORMAT} manifest")
    if manifest.get("version") != VERSION:
        raise RecordingError(f"recording version {manifest.get('version')!r}; this reads {VERSION}")
    return sorted(_exchanges(directory), key=lambda item: item.seq)


def _exchanges(directory: Path) -> Iterator[Recorded]:
    for path in sorted((directory / EXCHANGES).glob("*.json")):
        try:
            entry = json.loads(path.read_text("utf-8"))
            yield Recorded(int(entry["seq"]), dict(entry["request"]), dict(entry["response"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RecordingError(f"{path}: not a recorded exchange ({exc})") from None


def seed_document(recorded: list[Recorded], base_path: str) -> dict[str, Any]:
    """The base connections the recorded answers hold, as a seed document: the last version
    of each id, those deleted later left out (secrets are the mask, as recorded)."""
    latest: dict[str, dict[str, Any]] = {}
    prefix = base_path + "/connections"
    for item in recorded:
        method, path = item.request.get("method"), str(item.request.get("path", ""))
        status, body = item.response.get("status"), item.response.get("body")
        if not path.startswith(prefix) or not isinstance(status, int) or status >= 300:
            continue
        if method == "DELETE":
            latest.pop(path[len(prefix) :].strip("/"), None)
        elif method in ("GET", "POST") and isinstance(body, dict):
            for obj in body.get("items") or []:
                if _is_connection(obj):
                    latest[obj["id"]] = obj
    return {"connections": list(latest.values())}


def _is_connection(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("id"), str)
        and isinstance(obj.get("auth"), dict)
        and isinstance(obj.get("connectionSpec"), dict)
    )
