"""The contract report of an xdist run adds the workers' parts once each."""

from __future__ import annotations

from typing import Any

from contract_tests.report import merge


def part(*operations: tuple[str, int, list[str]]) -> dict[str, Any]:
    """A worker's report: ``(operation, requests, failing tests)`` per operation."""
    return {
        "base_urls": ["http://127.0.0.1:1"],
        "requests": sum(requests for _, requests, _ in operations),
        "tests": {"passed": 1},
        "cleanup": {"created": 1, "deleted": 1, "leaked": []},
        "operations": [
            {
                "operation": name,
                "requests": requests,
                "statuses": {"201": requests},
                "failure_details": [
                    {"test": test, "message": "m", "exchanges": []} for test in tests
                ],
                "failures": len(tests),
            }
            for name, requests, tests in operations
        ],
    }


def test_each_failure_counts_once_whichever_worker_saw_it() -> None:
    total = part()  # the controller runs no test itself
    merge(total, part(("POST /connections", 3, ["t1"])))
    merge(total, part(("POST /connections", 2, ["t2"]), ("GET /connections", 4, [])))
    by_name = {op["operation"]: op for op in total["operations"]}
    assert by_name["POST /connections"]["failures"] == 2
    assert [f["test"] for f in by_name["POST /connections"]["failure_details"]] == ["t1", "t2"]
    assert by_name["POST /connections"]["requests"] == 5
    assert by_name["POST /connections"]["statuses"] == {"201": 5}
    assert by_name["GET /connections"]["failures"] == 0
    assert total["requests"] == 9
    assert total["tests"] == {"passed": 3}
