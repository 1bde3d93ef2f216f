"""Logging set-up: plain text or one JSON object per line, each with the request id.

:func:`configure_logging` installs one handler on the root logger (the CLI calls it). Its
:class:`RequestFilter` copies the current request's id, method and path onto every record, so
both formats can show them; :class:`JsonFormatter` writes ``time``, ``level``, ``logger``,
``message`` and the request fields (plus ``status`` and ``duration_ms`` of access-log lines).
Access-log lines of 4xx and 5xx answers end in ``error=<code>`` (the FLOW code of the body's
``type``, the gateway's ``error_code`` or the OAuth ``error``; JSON field ``error_code``). At
``DEBUG`` each request's headers are logged too, every credential masked (:func:`log_headers`).
The mock never logs a request body, a param value or an unmasked credential.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from flask import Response, has_request_context, request

from .errors import FLOW_TYPE_PREFIX
from .request_state import request_id

__all__ = [
    "TEXT_FORMAT",
    "JsonFormatter",
    "RequestFilter",
    "TextFormatter",
    "configure_logging",
    "error_code",
    "log_headers",
]

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
REQUEST_FIELDS = ("request_id", "method", "path")
EXTRA_FIELDS = ("status", "duration_ms", "error_code")
#: Header names whose values a log never shows: credentials, keys, cookies, anything secret.
_MASKED_HEADERS = re.compile(
    r"authorization|api[-_]?key|cookie|secret|passw|token|credential|signature|session|auth",
    re.IGNORECASE,
)
_ERROR_MEMBERS = ("error_code", "error")


def error_code(response: Response) -> str | None:
    """The error code an error answer carries in its JSON body (None when it has none)."""
    if response.is_streamed or not response.is_json:
        return None
    body = response.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    kind = body.get("type")
    if isinstance(kind, str) and kind.startswith(FLOW_TYPE_PREFIX):
        return kind.rsplit("/", 1)[-1][:64]
    for member in _ERROR_MEMBERS:
        value = body.get(member)
        if isinstance(value, str) and value:
            return value[:64]
    return None


def log_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Request headers for a debug line: credential-sounding values replaced by ``***``."""
    return {name: "***" if _MASKED_HEADERS.search(name) else value[:256] for name, value in headers}


class RequestFilter(logging.Filter):
    """Adds ``request_id``, ``method`` and ``path`` to a record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if all(hasattr(record, name) for name in REQUEST_FIELDS):
            return True  # the access log gives them itself
        inside = has_request_context()
        values = {
            "request_id": (request_id() if inside else None) or "-",
            "method": request.method if inside else "-",
            "path": request.path if inside else "-",
        }
        for name, value in values.items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class TextFormatter(logging.Formatter):
    """:data:`TEXT_FORMAT`, the time's text made once per second (as ``logging`` writes it)."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)
        self._cached: tuple[int, str] = (-1, "")  # (second, its text): one atomic swap

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        second, stamp = self._cached
        if second != int(record.created):
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", self.converter(record.created))
            self._cached = (int(record.created), stamp)
        return f"{stamp},{int(record.msecs):03d}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request fields."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC)
        document: dict[str, Any] = {
            "time": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in REQUEST_FIELDS + EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None and value != "-":
                document[name] = value
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, default=str)


_HANDLER_MARK = "_mock_flowservice_handler"


def configure_logging(
    level: int | str = "INFO", fmt: LogFormat = "text", *, stream: TextIO | None = None
) -> logging.Handler:
    """Log to ``stream`` (stderr) at ``level`` in ``fmt``; calling again replaces the handler."""
    if fmt not in ("text", "json"):
        raise ValueError(f"unknown log format {fmt!r}: use 'text' or 'json'")
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.addFilter(RequestFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    return handler
