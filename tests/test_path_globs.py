"""Journal filters and fault rules match paths with bounded globs, never with ``re``.

A regular expression a client sent used to be compiled and searched: ``^.*/(a+)+$`` against a
long path of ``a`` held a server thread for ever. Now a pattern is a glob (``*``, ``?``) run
by :mod:`mock_flowservice.control.globs` in one pass over the path, and ``^...`` is refused.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_flowservice.control.globs import compile_path_pattern
from mock_flowservice.errors import FlowError

from .budget import examples
from .serving import served
from .support import BASE_PATH, HEADERS

#: Sent to a server; the client gives up after this long, so a hang fails the test.
TIMEOUT = 10


@settings(max_examples=examples(400), derandomize=True, database=None, deadline=None)
@given(
    pattern=st.text(st.sampled_from("ab/*?"), max_size=12),
    path=st.text(st.sampled_from("ab/"), max_size=14),
)
def test_globs_match_as_fnmatch_does(pattern: str, path: str) -> None:
    # fnmatchcase is the reference: the same * and ? (no [...] in these patterns).
    assert compile_path_pattern(pattern)(path) is fnmatch.fnmatchcase(path, pattern)


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*/connections", BASE_PATH + "/connections", True),
        ("*/connections", BASE_PATH + "/connections/x", False),
        ("*/connections*", BASE_PATH + "/connections/x/test", True),
        (BASE_PATH + "/flows", BASE_PATH + "/flows", True),
        (BASE_PATH + "/flows", BASE_PATH + "/flows/", False),
        ("/ims/token/v?", "/ims/token/v3", True),
        ("*/(a+)+$", "/x/(a+)+$", True),  # no character but * and ? is special
        ("*/[ab]", "/x/a", False),
        ("*/[ab]", "/x/[ab]", True),
        ("*", "", True),
        ("", "", True),
        ("***a", "a", True),
    ],
)
def test_glob_examples(pattern: str, path: str, expected: bool) -> None:
    assert compile_path_pattern(pattern)(path) is expected


@pytest.mark.parametrize("pattern", ["^.*/(a+)+$", "^/data", "^"])
def test_a_regular_expression_is_refused(pattern: str) -> None:
    with pytest.raises(FlowError) as raised:
        compile_path_pattern(pattern)
    assert raised.value.code == "1100-400"
    assert "glob" in raised.value.body("r")["report"]["detailed-message"]


def test_a_pathological_glob_over_a_long_path_matches_in_one_pass() -> None:
    # Exponential for a backtracking matcher; one pass of the automaton here.
    glob = compile_path_pattern("*a" * 400 + "*b")
    assert glob("a" * 100_000) is False
    assert glob("a" * 100_000 + "b") is True


LONG = BASE_PATH + "/connections/" + "a" * 4000 + "!"
EVIL_REGEX = "^.*/(a+)+$"
EVIL_GLOB = "*a" * 200 + "*!"


@pytest.mark.server
def test_pathological_patterns_over_a_socket_answer_and_health_keeps_answering(
    tmp_path: Path,
) -> None:
    with served(log_path=tmp_path / "serve.log") as server:
        session = requests.Session()
        assert session.get(server.url + LONG, headers=HEADERS, timeout=TIMEOUT).status_code == 404

        refused = session.get(
            server.url + "/__mock__/journal", params={"path": EVIL_REGEX}, timeout=TIMEOUT
        )
        assert refused.status_code == 400
        assert refused.json()["type"].endswith("FLOW-1100-400")
        rule = {"path": EVIL_REGEX, "status": 503}
        assert (
            session.post(server.url + "/__mock__/faults", json=rule, timeout=TIMEOUT).status_code
            == 400
        )

        found = session.get(
            server.url + "/__mock__/journal", params={"path": EVIL_GLOB}, timeout=TIMEOUT
        )
        assert found.status_code == 200
        assert [entry["path"] for entry in found.json()["items"]] == [LONG]
        missed = session.get(
            server.url + "/__mock__/journal", params={"path": EVIL_GLOB + "?"}, timeout=TIMEOUT
        )
        assert missed.json()["items"] == []

        rule = {"path": EVIL_GLOB + "?", "status": 503}
        assert (
            session.post(server.url + "/__mock__/faults", json=rule, timeout=TIMEOUT).status_code
            == 201
        )
        # The rule is tried against the long path and does not match: the request goes on.
        assert session.get(server.url + LONG, headers=HEADERS, timeout=TIMEOUT).status_code == 404

        health = session.get(server.url + "/__mock__/health", timeout=TIMEOUT)
        assert health.json() == {"status": "ok"}
        session.close()
