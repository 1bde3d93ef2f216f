"""Logging set-up: plain text or one JSON object per line, each with the request id.

:func:`configure_logging` installs one handler on the root logger (the CLI calls it). Its
:class:`RequestFilter` copies the current request's id, method and path onto every record, so
both formats can show them; :class:`JsonFormatter` writes ``time``, ``level``, ``logger``,
``message`` and the request fields (plus ``status`` and ``duration_ms`` of access-log lines).
The mock never logs a request body, a header value or a param value.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from flask import has_request_context, request

from .request_state import request_id

__all__ = ["TEXT_FORMAT", "JsonFormatter", "RequestFilter", "configure_logging"]

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
REQUEST_FIELDS = ("request_id", "method", "path")
EXTRA_FIELDS = ("status", "duration_ms")


class RequestFilter(logging.Filter):
    """Adds ``request_id``, ``method`` and ``path`` to a record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
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
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    return handler
