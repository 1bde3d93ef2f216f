"""``serve --workers 3``: gunicorn processes sharing one SQLite state.

Every test runs with ``--state FILE`` and without (a temporary state file the server deletes
when it stops). Requests go through separate TCP connections so the kernel spreads them over
the worker processes.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from .serving import Served, served
from .support import HEADERS, dynamics_basic_body

pytestmark = [pytest.mark.server, pytest.mark.slow]

WORKERS = 3


@pytest.fixture(params=["state-file", "temporary-state"])
def workers_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    """``serve --workers 3 --token-policy issued`` with a state file or without one."""
    temp_dir = tmp_path / "tmp"
    temp_dir.mkdir()
    args = ["--workers", str(WORKERS), "--threads", "4", "--token-policy", "issued"]
    if request.param == "state-file":
        args += ["--state", str(tmp_path / "state.sqlite3")]
    with served(*args, log_path=tmp_path / "serve.log", env={"TMPDIR": str(temp_dir)}) as server:
        yield server
        assert server.stop(signal.SIGINT) == 0  # SIGTERM waits for kept-alive connections
    assert server.log().count("Booting worker") == WORKERS
    assert list(temp_dir.iterdir()) == [], "the temporary state must be deleted on exit"


def issue_token(server: Served) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": "ci-client",
        "client_secret": "ci-secret",
        "scope": "openid,AdobeID,read_organizations",
    }
    response = requests.post(server.url + "/ims/token/v3", data=form, timeout=10)
    assert response.status_code == 200
    token: str = response.json()["access_token"]
    return token


def in_parallel(count: int, task: Callable[[int], Any]) -> list[Any]:
    """Run ``task(0..count-1)`` in ``count`` threads released together; results in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(n: int) -> None:
        barrier.wait(timeout=10)
        try:
            results[n] = task(n)
        except requests.RequestException as exc:
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_issued_token_is_honoured_by_every_worker(workers_server: Served) -> None:
    headers = {**HEADERS, "Authorization": f"Bearer {issue_token(workers_server)}"}
    url = workers_server.base_url + "/connections"
    # Each request opens its own connection; 30 of them reach every one of 3 workers.
    statuses = [requests.get(url, headers=headers, timeout=10).status_code for _ in range(30)]
    assert statuses == [200] * 30
    refused = requests.get(url, headers=HEADERS, timeout=10)
    assert (refused.status_code, refused.json()["error_code"]) == (401, "401013")


def test_one_of_16_concurrent_patches_with_one_etag_wins(workers_server: Served) -> None:
    headers = {**HEADERS, "Authorization": f"Bearer {issue_token(workers_server)}"}
    base = workers_server.base_url
    created = requests.post(
        base + "/connections", json=dynamics_basic_body(), headers=headers, timeout=10
    ).json()

    def patch(n: int) -> requests.Response:
        return requests.patch(
            f"{base}/connections/{created['id']}",
            json=[{"op": "replace", "path": "/name", "value": f"by-{n}"}],
            headers={**headers, "If-Match": created["etag"]},
            timeout=30,
        )

    responses = in_parallel(16, patch)
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [412] * 15
    for response in responses:
        if response.status_code == 412:
            assert response.json()["type"].endswith("FLOW-1404-412")
    (winner,) = [r for r in responses if r.status_code == 200]
    current = requests.get(f"{base}/connections/{created['id']}", headers=headers, timeout=10)
    assert current.json()["items"][0]["etag"] == winner.json()["etag"]


def test_concurrent_creates_get_unique_ids_and_one_order(workers_server: Served) -> None:
    headers = {**HEADERS, "Authorization": f"Bearer {issue_token(workers_server)}"}
    url = workers_server.base_url + "/connections"

    def create_some(n: int) -> list[str]:
        with requests.Session() as http:
            http.headers.update(headers)
            return [
                http.post(url, json=dynamics_basic_body(f"t{n}-{i}"), timeout=30).json()["id"]
                for i in range(20)
            ]

    batches = in_parallel(8, create_some)
    ids = [connection_id for batch in batches for connection_id in batch]
    assert len(ids) == len(set(ids)) == 160

    listed: list[str] = []
    page_url: str | None = url + "?limit=50"
    for _ in range(10):  # 160 connections: 4 pages
        if page_url is None:
            break
        page = requests.get(page_url, headers=headers, timeout=10).json()
        listed += [item["id"] for item in page["items"]]
        href = page["_links"].get("next", {}).get("href")  # relative to the base path
        page_url = workers_server.base_url + href if href else None
    assert sorted(listed) == sorted(ids)
    assert len(listed) == len(set(listed))
    for batch in batches:  # each client's creates appear in the order it made them
        assert [i for i in listed if i in set(batch)] == batch


def test_a_graceful_stop_under_load_leaves_no_traceback(tmp_path: Path) -> None:
    """SIGTERM while requests are in hand: each is answered or refused, none fails in a thread.

    waitress's own ``close()`` shut the trigger the task threads pull when an answer is ready,
    so a request still in hand raised ``EBADF`` in its thread (seen once in the fuzz run).
    """
    args = ["--workers", "2", "--threads", "4", "--state", str(tmp_path / "state.sqlite3")]
    statuses: list[int] = []

    def create() -> None:
        for _ in range(400):  # bounded; the stop ends it sooner
            try:
                response = requests.post(
                    server.url + "/data/foundation/flowservice/connections",
                    json=dynamics_basic_body(),
                    headers={**HEADERS, "Connection": "close"},
                    timeout=10,
                )
            except requests.RequestException:
                return  # the server has stopped listening
            statuses.append(response.status_code)

    with served(*args, log_path=tmp_path / "serve.log") as server:
        clients = [threading.Thread(target=create) for _ in range(8)]
        for client in clients:
            client.start()
        deadline = time.monotonic() + 10
        while len(statuses) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.stop(signal.SIGTERM) == 0
        for client in clients:
            client.join(timeout=30)
        log = server.log()
    assert len(statuses) >= 40
    assert set(statuses) == {201}
    bad = [line for line in log.splitlines() if "Traceback" in line or " ERROR " in line]
    assert not bad, log[-3000:]
