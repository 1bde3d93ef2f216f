"""Profile the mock app in-process (cProfile, Flask's test client), one request type at a time.

    .venv/bin/python benchmarks/profile_app.py [--calls 3000] [--top 20] [--sort tottime]

Prints, per request type of the benchmark, the functions with the most own time (or
``--sort cumulative``). The WSGI server is left out: this is the app's own cost.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mock_flowservice import create_app
from tests.support import BASE_PATH, HEADERS, dynamics_basic_body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument(
        "--log-level",
        default="INFO",
        help="log level, as `serve` sets it; lines go to /dev/null (default INFO)",
    )
    args = parser.parse_args()
    devnull = open(os.devnull, "w")  # noqa: SIM115 - open for the whole run
    try:
        from mock_flowservice.logs import configure_logging

        configure_logging(args.log_level, "text", stream=devnull)
    except ImportError:  # older mock: the CLI's plain basicConfig
        logging.basicConfig(level=args.log_level.upper(), stream=devnull)
    app = create_app()
    client = app.test_client()
    path = f"{BASE_PATH}/connections"
    body = json.dumps(dynamics_basic_body())
    ids = [client.post(path, data=body, headers=HEADERS).get_json()["id"] for _ in range(100)]

    def create(n: int) -> object:
        return client.post(path, data=body, headers=HEADERS)

    def retrieve(n: int) -> object:
        return client.get(f"{path}/{ids[n % 100]}", headers=HEADERS)

    def listing(n: int) -> object:
        return client.get(path + "?limit=10", headers=HEADERS)

    calls: dict[str, Callable[[int], object]] = {
        "POST /connections": create,
        "GET /connections/{id}": retrieve,
        "GET /connections?limit=10": listing,
    }
    for name, call in calls.items():
        for n in range(50):
            call(n)
        profiler = cProfile.Profile()
        profiler.enable()
        for n in range(args.calls):
            call(n)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
        per_call = stats.total_tt / args.calls * 1e6  # type: ignore[attr-defined]
        print(f"=== {name}: {per_call:.0f} µs per call under the profiler")
        print(out.getvalue())


if __name__ == "__main__":
    main()
