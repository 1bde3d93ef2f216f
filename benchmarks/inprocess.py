"""Per-call cost of the in-process options, timed in this process.

* ``intercept``: ``mock_flowservice.intercept()`` (``responses``-based) answering ``requests``
  calls to ``https://platform.adobe.io/data/foundation/flowservice`` (skipped when absent);
* ``responses stub``: a plain ``responses.RequestsMock`` with three static answers, i.e. the
  cost of ``requests`` + ``responses`` alone;
* ``floor test client``: Flask's test client on the floor app (no HTTP library at all);
* ``mock test client``: Flask's test client on ``mock_flowservice.create_app()`` (for context:
  the mock's own app cost without ``requests``).

Each variant makes ``calls`` calls per request type, in ``rounds`` rounds (the variants take
turns; each round warms up with 50 calls and creates 100 connections first, untimed), bounded
by ``time_cap`` seconds; the best round's mean counts. ``requests`` calls go through one
``requests.Session``.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import requests
import responses

__all__ = ["KINDS", "InProcessResult", "bench_inprocess"]

KINDS = ("POST /connections", "GET /connections/{id}", "GET /connections?limit=10")
API = "https://platform.adobe.io"

InProcessResult = dict[str, dict[str, float | None]]  # variant -> kind -> microseconds per call

Caller = Callable[[int], Any]


def _time(call: Caller, calls: int, time_cap: float) -> float:
    for n in range(min(50, calls)):
        call(n)
    deadline = time.perf_counter() + time_cap
    started = time.perf_counter()
    done = 0
    while done < calls and time.perf_counter() < deadline:
        call(done)
        done += 1
    return (time.perf_counter() - started) / max(done, 1) * 1_000_000


def _check(status: int, expected: int, what: str) -> None:
    if status != expected:
        raise RuntimeError(f"{what}: expected HTTP {expected}, got {status}")


def _bench_calls(
    post: Callable[[], Any],
    get: Callable[[str], Any],
    new_id: Callable[[Any], str],
    target: str,
    calls: int,
    time_cap: float,
    label: str,
) -> dict[str, float | None]:
    """Time the three request types through ``post``/``get`` (100 connections made first)."""
    ids: list[str] = []
    for _ in range(100):
        response = post()
        _check(response.status_code, 201, f"{label} create")
        ids.append(new_id(response))

    def create(n: int) -> None:
        _check(post().status_code, 201, label)

    def retrieve(n: int) -> None:
        _check(get(f"{target}/{ids[n % 100]}").status_code, 200, label)

    def listing(n: int) -> None:
        _check(get(target + "?limit=10").status_code, 200, label)

    return {
        kind: _time(fn, calls, time_cap)
        for kind, fn in zip(KINDS, (create, retrieve, listing), strict=True)
    }


def _bench_requests(
    session: requests.Session,
    base_path: str,
    headers: dict[str, str],
    body: dict[str, Any],
    calls: int,
    time_cap: float,
    label: str,
) -> dict[str, float | None]:
    url = API + base_path + "/connections"
    return _bench_calls(
        lambda: session.post(url, json=body, headers=headers),
        lambda target: session.get(target, headers=headers),
        lambda response: str(response.json()["id"]),
        url,
        calls,
        time_cap,
        label,
    )


def _bench_test_client(
    app: Any,
    base_path: str,
    headers: dict[str, str],
    body: dict[str, Any],
    calls: int,
    time_cap: float,
    label: str,
) -> dict[str, float | None]:
    client = app.test_client()
    path = base_path + "/connections"
    data = json.dumps(body)
    return _bench_calls(
        lambda: client.post(path, data=data, headers=headers),
        lambda target: client.get(target, headers=headers),
        lambda response: str(response.get_json()["id"]),
        path,
        calls,
        time_cap,
        label,
    )


@contextlib.contextmanager
def _static_stub(base_path: str, sample: dict[str, Any]) -> Iterator[None]:
    url = re.escape(API + base_path + "/connections")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as stub:
        ref = {"id": sample["id"], "etag": sample["etag"]}
        stub.add(responses.POST, re.compile(url + r"$"), json=ref, status=201)
        stub.add(responses.GET, re.compile(url + r"/[^/?]+$"), json={"items": [sample]})
        listing = {"items": [sample] * 10, "_links": {}}
        stub.add(responses.GET, re.compile(url + r"(\?.*)?$"), json=listing)
        yield


def _intercept_cm() -> AbstractContextManager[Any] | None:
    import mock_flowservice

    factory = getattr(mock_flowservice, "intercept", None)
    if factory is None:
        return None
    cm = factory()
    if not hasattr(cm, "__enter__"):
        raise RuntimeError("mock_flowservice.intercept() did not return a context manager")
    return cm  # type: ignore[no-any-return]


def bench_inprocess(
    base_path: str,
    headers: dict[str, str],
    body: dict[str, Any],
    sample: dict[str, Any],
    floor_app: Any,
    calls: int,
    rounds: int = 5,
    time_cap: float = 60.0,
) -> InProcessResult:
    """Microseconds per call for each variant and request type (None: variant unavailable).

    ``calls`` are split into ``rounds``; the variants take turns each round and the best
    round counts (as ``timeit`` advises: slower rounds measure other work on the machine).
    """
    from mock_flowservice import create_app

    per_round = max(1, calls // rounds)
    cap = time_cap / rounds
    mock_app = create_app()
    has_intercept = _intercept_cm() is not None

    def intercept_round() -> dict[str, float | None]:
        cm = _intercept_cm()
        assert cm is not None
        with cm, requests.Session() as session:
            return _bench_requests(session, base_path, headers, body, per_round, cap, "intercept")

    def stub_round() -> dict[str, float | None]:
        with _static_stub(base_path, sample), requests.Session() as session:
            return _bench_requests(session, base_path, headers, body, per_round, cap, "stub")

    def floor_round() -> dict[str, float | None]:
        return _bench_test_client(floor_app, base_path, headers, body, per_round, cap, "floor")

    def mock_round() -> dict[str, float | None]:
        return _bench_test_client(mock_app, base_path, headers, body, per_round, cap, "mock")

    variants: dict[str, Callable[[], dict[str, float | None]] | None] = {
        "intercept (requests)": intercept_round if has_intercept else None,
        "responses static stub (requests)": stub_round,
        "floor app, Flask test client": floor_round,
        "mock app, Flask test client": mock_round,
    }
    results: InProcessResult = {name: dict.fromkeys(KINDS) for name in variants}
    for _ in range(rounds):
        for name, run_round in variants.items():
            if run_round is None:
                continue
            for kind, micros in run_round().items():
                best = results[name][kind]
                if micros is not None and (best is None or micros < best):
                    results[name][kind] = micros
    return results
