"""The journal is bounded in bytes as well as in entries.

A body longer than ``journal_body_bytes`` is kept as its size and sha256 digest; the entries
together stay under ``journal_max_bytes`` (oldest dropped). The figures are the retained
bytes of the journal's own objects (a walk of what it holds), not the process's RSS.
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

from mock_flowservice import create_app
from mock_flowservice.control.journal import Journal
from mock_flowservice.control.plane import control_of

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
