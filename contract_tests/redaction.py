"""Keep secrets out of the contract report: by header, by key, by JSON Patch path and by value.

Secret *keys* are the ``format: password`` params of every auth spec the suite fetched plus a
fixed list (``client_secret``, ``access_token``...). Secret *values* are registered as they are
made (every generated secret param, the bearer tokens seen in requests, the ``FLOWSERVICE_*``
credentials), and any occurrence of one in any string is replaced by :data:`MASK`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["MASK", "Redactor"]

MASK = "***"
SECRET_HEADERS = frozenset(
    {"authorization", "x-api-key", "cookie", "set-cookie", "proxy-authorization"}
)
BASE_SECRET_KEYS = frozenset(
    {
        "client_secret",
        "clientsecret",
        "access_token",
        "accesstoken",
        "refresh_token",
        "refreshtoken",
        "password",
        "secret",
        "token",
        "jwt_token",
    }
)
ENV_SECRETS = ("FLOWSERVICE_CLIENT_SECRET", "FLOWSERVICE_ACCESS_TOKEN", "FLOWSERVICE_API_KEY")
MIN_SECRET_LENGTH = 4


class Redactor:
    """Knows which keys and values are secret and scrubs headers, bodies and text."""

    def __init__(self) -> None:
        self._keys: set[str] = set(BASE_SECRET_KEYS)
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add_values(os.environ.get(name, "") for name in ENV_SECRETS)

    def add_keys(self, keys: Iterable[str]) -> None:
        self._keys.update(key.lower() for key in keys)

    def add_value(self, value: str) -> None:
        self.add_values([value])

    def add_values(self, values: Iterable[str]) -> None:
        fresh = {v for v in values if len(v) >= MIN_SECRET_LENGTH and v not in self._values}
        if fresh:
            self._values |= fresh
            self._pattern = None

    def is_secret_key(self, key: str) -> bool:
        return key.lower() in self._keys

    def text(self, value: str) -> str:
        """``value`` with every known secret value replaced by the mask."""
        if not self._values:
            return value
        if self._pattern is None:
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered))
        return self._pattern.sub(MASK, value)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in headers.items():
            if name.lower() in SECRET_HEADERS or self.is_secret_key(name):
                scheme = value.split(" ", 1)[0] + " " if value.lower().startswith("bearer ") else ""
                out[name] = scheme + MASK
            else:
                out[name] = self.text(value)
        return out

    def body(self, raw: bytes | str | None, limit: int = 4000) -> Any:
        """A JSON body as redacted JSON, any other body as redacted (truncated) text."""
        if raw is None or raw == b"" or raw == "":
            return None
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        try:
            document = json.loads(text)
        except ValueError:
            return self.text(text)[:limit]
        redacted = self.value(document)
        if len(json.dumps(redacted)) > limit:
            return self.text(json.dumps(redacted))[:limit] + "...(truncated)"
        return redacted

    def value(self, document: Any) -> Any:
        """A decoded JSON value with secret keys, secret patch ops and secret values masked."""
        if isinstance(document, Mapping):
            if self._is_secret_patch(document):
                return {k: MASK if k == "value" else self.value(v) for k, v in document.items()}
            return {
                str(k): MASK if self.is_secret_key(str(k)) else self.value(v)
                for k, v in document.items()
            }
        if isinstance(document, list):
            return [self.value(item) for item in document]
        if isinstance(document, str):
            return self.text(document)
        return document

    def _is_secret_patch(self, op: Mapping[str, Any]) -> bool:
        path = op.get("path")
        if not isinstance(path, str) or "value" not in op:
            return False
        return self.is_secret_key(path.rstrip("/").rsplit("/", 1)[-1])
