"""What each part of the mock costs per call, in-process: a ledger against the floor app.

    .venv/bin/python benchmarks/ledger.py [--calls 3000] [--rounds 5]

Times Flask's test client (as ``benchmarks/run.py`` does for target 3) on the floor app and on
the mock with its features taken away one at a time, in the same process, the variants taking
turns each round and the best round counting. The differences between rows are what a
feature costs; what is left when every optional one is off is the cost of the mock's own
rules (gateway checks, validation of the body against the auth spec, the resource engine,
etags, audit fields), which a faithful mock cannot drop.

Rows:

* ``floor``: the floor app (``floor_app.py``), no checks at all;
* ``mock``: ``create_app()`` as a test suite gets it (journal on, no log handler);
* ``mock, access log at INFO``: as ``serve`` runs it, lines written to ``/dev/null``;
* ``mock, no journal``: ``journal_size=0``;
* ``mock, no journal, control API off``: also no fault-rule lookup on a request.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from floor_app import create_floor_app  # noqa: E402
from inprocess import KINDS, _bench_test_client  # noqa: E402

from mock_flowservice import create_app  # noqa: E402
from tests.support import BASE_PATH, HEADERS, dynamics_basic_body  # noqa: E402


@contextlib.contextmanager
def access_log_at_info() -> Iterator[None]:
    """The access log on, as ``serve`` has it, its lines going nowhere."""
    logger = logging.getLogger("mock_flowservice.access")
    with open(os.devnull, "w") as devnull:
        handler = logging.StreamHandler(devnull)
        old_level, old_propagate = logger.level, logger.propagate
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.setLevel(old_level)
            logger.propagate = old_propagate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=3000, help="calls per request type in all")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    body = dynamics_basic_body()
    per_round = max(1, args.calls // args.rounds)
    apps: dict[str, tuple[Any, Callable[[], contextlib.AbstractContextManager[None]]]] = {
        "floor": (create_floor_app(), contextlib.nullcontext),
        "mock": (create_app(), contextlib.nullcontext),
        "mock, access log at INFO": (create_app(), access_log_at_info),
        "mock, no journal": (create_app({"journal_size": 0}), contextlib.nullcontext),
        "mock, no journal, control API off": (
            create_app({"journal_size": 0, "control_api": "off"}),
            contextlib.nullcontext,
        ),
    }
    best: dict[str, dict[str, float]] = {name: {} for name in apps}
    for _ in range(args.rounds):
        for name, (app, context) in apps.items():
            with context():
                micros = _bench_test_client(app, BASE_PATH, HEADERS, body, per_round, 60.0, name)
            for kind, value in micros.items():
                if value is not None and value < best[name].get(kind, float("inf")):
                    best[name][kind] = value
    floor = best["floor"]
    print(f"µs per call, Flask test client, best of {args.rounds} rounds of {per_round}")
    print("| variant | " + " | ".join(KINDS) + " |")
    print("| --- |" + " --- |" * len(KINDS))
    for name, row in best.items():
        cells = [f"{row[kind]:,.0f} ({row[kind] / floor[kind]:.2f}×)" for kind in KINDS]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
