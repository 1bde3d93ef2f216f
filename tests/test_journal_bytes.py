"""The journal is bounded in bytes as well as in entries.

A body longer than ``journal_body_bytes`` is kept as its size and sha256 digest; the entries
together stay under ``journal_max_bytes`` (oldest dropped). The figures are the retained
bytes of the journal's own objects (a walk of what it holds), and the RSS of a real server.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_flowservice import create_app
from mock_flowservice.control.journal import Journal
from mock_flowservice.control.plane import control_of

from .serving import served
from .support import BASE_PATH, HEADERS

LIST = BASE_PATH + "/connections"
MIB = 1024 * 1024


def retained_bytes(value: Any) -> int:
    """``sys.getsizeof`` summed over every object reachable through dicts, lists and tuples."""
    seen: set[int] = set()
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return total


def rejected_body(index: int) -> bytes:
    """About 1 MB of JSON that a create refuses (no connectionSpec, no auth): 400."""
    return json.dumps({"name": f"{index:04d}" + "x" * 1_000_000}).encode()


def test_300_rejected_megabyte_bodies_leave_the_journal_small() -> None:
    app = create_app()
    client = app.test_client()
    last = b""
    for index in range(300):
        last = rejected_body(index)
        response = client.post(LIST, data=last, headers=HEADERS)
        assert response.status_code == 400
    journal = control_of(app).journal
    entries = journal.entries()
    assert len(entries) == 300
    newest = entries[-1]
    assert newest["body"] is None
    assert newest["bodySize"] == len(last)
    assert newest["bodySha256"] == hashlib.sha256(last).hexdigest()
    held = retained_bytes(entries)
    print(f"journal of 300 rejected ~1 MB bodies retains {held} bytes")
    # Parsed bodies would hold 300 MB; sizes and digests hold a few KiB per entry.
    assert held < 2 * MIB
    assert journal.retained_bytes < MIB


def test_a_body_at_the_limit_is_kept_and_one_byte_more_is_digested() -> None:
    app = create_app({"journal_body_bytes": 100})
    client = app.test_client()
    small = json.dumps({"name": "x" * (100 - len('{"name": ""}'))}).encode()
    large = json.dumps({"name": "x" * (101 - len('{"name": ""}'))}).encode()
    assert (len(small), len(large)) == (100, 101)
    client.post(LIST + "/search", data=small, headers=HEADERS)
    client.post(LIST + "/search", data=large, headers=HEADERS)
    kept, digested = control_of(app).journal.entries()
    assert kept["body"] == json.loads(small)
    assert "bodySha256" not in kept
    assert digested["body"] is None
    assert (digested["bodySize"], digested["bodySha256"]) == (
        101,
        hashlib.sha256(large).hexdigest(),
    )


def test_entries_beyond_the_byte_budget_drop_the_oldest() -> None:
    app = create_app({"journal_max_bytes": 64 * 1024, "journal_body_bytes": 32 * 1024})
    client = app.test_client()
    for index in range(50):
        body = json.dumps({"name": f"{index:02d}" + "y" * 10_000}).encode()
        client.post(LIST, data=body, headers=HEADERS)
    journal = control_of(app).journal
    entries = journal.entries()
    assert 3 <= len(entries) < 10
    assert entries[-1]["body"]["name"].startswith("49")
    assert [e["body"]["name"][:2] for e in entries] == [
        f"{i:02d}" for i in range(50 - len(entries), 50)
    ]
    assert journal.retained_bytes <= 64 * 1024
    assert sum(len(json.dumps(e, separators=(",", ":"))) for e in entries) <= 64 * 1024
    journal.clear()
    assert journal.retained_bytes == 0


def test_an_entry_larger_than_the_budget_is_kept_alone() -> None:
    journal = Journal(10, max_bytes=10)
    journal.record({"a": 1})
    journal.record({"path": "x" * 100})
    assert journal.entries() == [{"path": "x" * 100}]
    empty = Journal(0, max_bytes=10)
    empty.record({"a": 1})
    assert len(empty) == 0


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS line")


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_rss_after_1000_rejected_megabyte_bodies_stays_near_idle(tmp_path: Path) -> None:
    """A real server: 1,000 bodies of 0.95 MB that the API refuses (400), each journalled."""
    body = json.dumps({"name": "x" * 950_000}).encode()  # under 1 MiB, not a valid create
    with served(log_path=tmp_path / "serve.log") as server, requests.Session() as session:
        url = server.base_url + "/connections"

        def post() -> int:
            return session.post(url, data=body, headers=HEADERS, timeout=30).status_code

        assert {post() for _ in range(50)} == {400}  # warm: every allocator pool in use
        idle = _rss_kib(server.process.pid)
        statuses = {post() for _ in range(1000)}
        after = _rss_kib(server.process.pid)
        journal = session.get(server.url + "/__mock__/journal", timeout=30).json()
        server.stop()
    assert statuses == {400}
    assert len(journal["items"]) == 1000  # every one recorded (the default 1,000 entries)
    grown_mib = (after - idle) / 1024
    print(f"RSS idle {idle / 1024:.1f} MiB, after 1,000 rejected bodies {after / 1024:.1f} MiB")
    assert grown_mib <= 8, f"RSS grew {grown_mib:.1f} MiB"
