"""Flask's JSON provider on orjson: every answer encoded once, in C.

The text is what Flask's default provider writes in its compact form (members in insertion
order, no spaces, a final newline), except that characters outside ASCII are written as UTF-8
rather than ``\\uXXXX`` escapes (the same JSON). A value orjson does not take (an integer over
64 bits, a lone surrogate, a type only Flask's ``default`` knows) falls back to the standard
encoder, so nothing that encoded before fails now.
"""

from __future__ import annotations

from typing import Any, cast

import orjson
from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider

__all__ = ["OrjsonProvider", "dumps_bytes"]

#: Dates and dataclasses go to Flask's ``default`` (HTTP dates, ``asdict``) as before.
_OPTIONS = (
    orjson.OPT_NON_STR_KEYS
    | orjson.OPT_APPEND_NEWLINE
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)


class OrjsonProvider(DefaultJSONProvider):
    """Flask's default JSON provider, encoding with orjson (insertion order kept)."""

    sort_keys = False

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self.sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs or self.sort_keys:
            return super().dumps(obj, **kwargs)
        return dumps_bytes(obj, self.default)[:-1].decode("utf-8")

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if kwargs:
            return super().loads(s, **kwargs)
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError:
            return super().loads(s)  # the standard decoder's own error (or NaN, Infinity)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        if self.sort_keys or self._app.debug:
            return cast(Response, super().response(obj))
        return Response(dumps_bytes(obj, self.default), mimetype=self.mimetype)


def dumps_bytes(obj: Any, default: Any = None) -> bytes:
    """``obj`` as compact JSON bytes ending in a newline (orjson, else the standard encoder)."""
    try:
        return orjson.dumps(obj, default=default, option=_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        import json

        text = json.dumps(obj, default=default, separators=(",", ":"), ensure_ascii=True)
        return text.encode("utf-8") + b"\n"
