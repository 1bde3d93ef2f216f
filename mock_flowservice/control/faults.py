"""Fault injection: rules that make Flow Service and IMS requests fail, stall or drop.

A rule is posted to ``POST /__mock__/faults`` as JSON (every field but one effect optional)::

    {"method": "GET" | "*",          # default "*"
     "path": "<glob>",               # on the whole request path (.globs): * and ?; default "*"
     "status": 503,                  # 400-599: answer with this error (bodies: error_for)
     "retryAfter": 2,                # seconds, sent as Retry-After (with status only)
     "latencyMs": 250 | {"min": 100, "max": 400},   # wait before answering
     "drop": true,                   # close the connection without any response
     "probability": 0.5,             # 0..1, default 1
     "seed": 7,                      # random.Random(seed): reproducible draws and latencies
     "count": 3,                     # remove the rule after it fired this many times
     "query": {"objectType": "table"},  # only requests with these query values
     "json": {"name": "x"},          # only JSON bodies holding this subset
     "respond": {"status": 200, "body": {...}, "headers": {...}}}   # answer exactly this

A rule with ``respond`` is an *override* (``POST /__mock__/overrides`` adds one too): the
request gets that status, JSON body and headers instead of the mock's answer, layered on top of
the stateful mock (nothing is stored or changed) and journaled like any answer.

Rules are tried in the order they were added; the first that matches and fires wins. Nothing
here knows about HTTP beyond the error types: the app's ``before_request`` hook asks
:meth:`FaultRules.draw` and acts on the :class:`Injection`.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import FlowError, GatewayError, MockError, invalid_request
from .globs import compile_path_pattern

__all__ = [
    "FaultRule",
    "FaultRules",
    "Injection",
    "RequestView",
    "contains",
    "error_for",
]

METHODS = frozenset({"*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
MAX_LATENCY_MS = 120_000
_FIELDS = frozenset(
    {"method", "path", "status", "retryAfter", "latencyMs", "drop", "probability", "seed", "count",
     "query", "json", "respond"}
)  # fmt: skip
_RESPOND_FIELDS = frozenset({"status", "body", "headers"})


def error_for(status: int, retry_after: int | None = None) -> MockError:
    """The error a fault answers with: 429 is the gateway's, 5xx and others Flow Service's."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if status == 429:
        return GatewayError("429000", headers=headers)
    code = {503: "1103-503", 504: "1104-504"}.get(status, "1102-500")
    return FlowError(code, headers=headers, status=status)


@dataclass(frozen=True)
class RequestView:
    """What a rule may look at: method, path, query values, and the JSON body on demand."""

    method: str
    path: str
    query: Mapping[str, list[str]] = field(default_factory=dict)
    #: The decoded JSON body, or None (bodies that are not JSON never match ``json``).
    body: Callable[[], Any] = lambda: None


def contains(value: Any, subset: Any) -> bool:
    """Whether ``value`` holds ``subset``: objects key by key (recursively), the rest equal."""
    if isinstance(subset, dict):
        return isinstance(value, dict) and all(
            key in value and contains(value[key], item) for key, item in subset.items()
        )
    return bool(value == subset and type(value) is type(subset))


@dataclass(frozen=True)
class Injection:
    """What one request gets from the rule that fired."""

    rule_id: str
    latency_s: float = 0.0
    status: int | None = None
    retry_after: int | None = None
    drop: bool = False
    #: An override's answer: ``{"status", "body"?, "headers"}``.
    respond: Mapping[str, Any] | None = None

    def error(self) -> MockError | None:
        return error_for(self.status, self.retry_after) if self.status is not None else None


@dataclass
class FaultRule:
    """One stored rule; ``hits`` counts how often it fired."""

    spec: dict[str, Any]
    matches_path: Callable[[str], bool] = field(repr=False)
    rng: random.Random = field(repr=False)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    hits: int = 0

    @classmethod
    def from_json(cls, body: Any) -> FaultRule:
        """Validate a posted rule; a bad one is ``FLOW-1100-400`` naming the field."""
        spec = _validated(body)
        seed = spec.get("seed")
        rng = random.Random(seed) if seed is not None else random.Random()
        return cls(spec, compile_path_pattern(spec["path"]), rng)

    def applies_to(self, request: RequestView) -> bool:
        if self.spec["method"] not in ("*", request.method.upper()):
            return False
        if not self.matches_path(request.path):
            return False
        query = self.spec.get("query")
        if query is not None and any(
            value not in request.query.get(name, ()) for name, value in query.items()
        ):
            return False
        return "json" not in self.spec or contains(request.body(), self.spec["json"])

    def fires(self) -> bool:
        probability: float = self.spec["probability"]
        return probability >= 1 or self.rng.random() < probability

    def injection(self) -> Injection:
        return Injection(
            rule_id=self.id,
            latency_s=self._latency_ms() / 1000,
            status=self.spec.get("status"),
            retry_after=self.spec.get("retryAfter"),
            drop=self.spec["drop"],
            respond=self.spec.get("respond"),
        )

    def _latency_ms(self) -> float:
        latency = self.spec.get("latencyMs")
        if isinstance(latency, dict):
            return self.rng.uniform(latency["min"], latency["max"])
        return float(latency or 0)

    @property
    def exhausted(self) -> bool:
        count = self.spec.get("count")
        return count is not None and self.hits >= count

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, **self.spec, "hits": self.hits}


class FaultRules:
    """The rules of one app, safe to share between request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, FaultRule] = {}

    def __bool__(self) -> bool:
        """Whether any rule is installed (read without the lock: a rule added meanwhile
        applies from the next request on)."""
        return bool(self._rules)

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules[rule.id] = rule
        return rule

    def all(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules.values())

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            return self._rules.pop(rule_id, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def draw(self, request: RequestView) -> Injection | None:
        """The injection for one request, if a rule fires; counts and retires rules."""
        with self._lock:
            for rule in list(self._rules.values()):
                if rule.applies_to(request) and rule.fires():
                    rule.hits += 1
                    if rule.exhausted:
                        del self._rules[rule.id]
                    return rule.injection()
        return None


# -- validation of a posted rule -----------------------------------------------------------


def _validated(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid_request("A fault rule must be a JSON object.")
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        raise invalid_request(f"Unknown fault rule field '{unknown[0]}'.")
    spec: dict[str, Any] = {
        "method": _method(body.get("method", "*")),
        "path": _string(body, "path", "*"),
        "drop": _bool(body, "drop"),
        "probability": _number(body, "probability", 1.0, 0.0, 1.0),
    }
    for key, low, high in (("status", 400, 599), ("retryAfter", 0, 86400), ("count", 1, None)):
        if body.get(key) is not None:
            spec[key] = _integer(body[key], key, low, high)
    if body.get("seed") is not None:
        spec["seed"] = _integer(body["seed"], "seed", None, None)
    if body.get("latencyMs") is not None:
        spec["latencyMs"] = _latency(body["latencyMs"])
    if body.get("query") is not None:
        spec["query"] = _query(body["query"])
    if "json" in body:
        spec["json"] = body["json"]
    if body.get("respond") is not None:
        spec["respond"] = _respond(body["respond"])
    _check_effects(spec)
    return spec


def _query(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise invalid_request("The field query must be an object of strings.")
    return dict(value)


def _respond(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid_request("The field respond must be an object {status, body, headers}.")
    unknown = sorted(set(value) - _RESPOND_FIELDS)
    if unknown:
        raise invalid_request(f"Unknown respond field '{unknown[0][:64]}'.")
    headers = value.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and "\n" not in k + v and "\r" not in k + v
        for k, v in headers.items()
    ):
        raise invalid_request("The field respond.headers must be an object of strings.")
    answer: dict[str, Any] = {
        "status": _integer(value.get("status", 200), "respond.status", 100, 599),
        "headers": dict(headers),
    }
    if "body" in value:
        answer["body"] = value["body"]
    return answer


def _check_effects(spec: Mapping[str, Any]) -> None:
    effects = [key for key in ("status", "latencyMs", "respond") if key in spec]
    if not effects and not spec["drop"]:
        raise invalid_request(
            "A fault rule needs at least one of status, latencyMs, drop or respond."
        )
    if "respond" in spec and ("status" in spec or spec["drop"]):
        raise invalid_request("A rule that responds cannot also send a status or drop.")
    if spec["drop"] and "status" in spec:
        raise invalid_request("A fault rule cannot both drop the connection and send a status.")
    if "retryAfter" in spec and "status" not in spec:
        raise invalid_request("The field retryAfter needs a status.")


def _method(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in METHODS:
        raise invalid_request("The field method must be an HTTP method or '*'.")
    return value.upper()


def _string(body: Mapping[str, Any], key: str, default: str) -> str:
    value = body.get(key, default)
    if not isinstance(value, str) or not value:
        raise invalid_request(f"The field {key} must be a non-empty string.")
    return value


def _bool(body: Mapping[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise invalid_request(f"The field {key} must be a boolean.")
    return value


def _integer(value: Any, key: str, low: int | None, high: int | None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid_request(f"The field {key} must be an integer.")
    if (low is not None and value < low) or (high is not None and value > high):
        raise invalid_request(f"The field {key} is out of range.")
    return value


def _number(body: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = body.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
        raise invalid_request(f"The field {key} must be a number from {low:g} to {high:g}.")
    return float(value)


def _latency(value: Any) -> float | dict[str, float]:
    if isinstance(value, dict):
        if set(value) != {"min", "max"}:
            raise invalid_request("The field latencyMs must be a number or {min, max}.")
        low = _number(value, "min", 0, 0, MAX_LATENCY_MS)
        high = _number(value, "max", 0, 0, MAX_LATENCY_MS)
        if low > high:
            raise invalid_request("The field latencyMs.min must not exceed latencyMs.max.")
        return {"min": low, "max": high}
    return _number({"latencyMs": value}, "latencyMs", 0, 0, MAX_LATENCY_MS)
