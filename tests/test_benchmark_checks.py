"""``benchmarks/run.py`` judges issue 13's scale (5) and start-up (6) targets from its figures."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
MIB = 2**20


@pytest.fixture(scope="module")
def run() -> Iterator[ModuleType]:
    """The script as a module, imported as running it would (its folder first on ``sys.path``,
    restored after)."""
    saved = list(sys.path)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up while being built
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("bench_run", None)
        sys.path[:] = saved


def _checks(run: ModuleType, results: object, mode: str = "full") -> dict[str, object]:
    settings = run.parse_args(["--smoke"] if mode == "smoke" else [])
    return {check.name: check for check in run.evaluate(settings, [], results)}


def _results(run: ModuleType, rows: list[tuple[int, int, float]], rate: float) -> object:
    results = run.Results()
    results.scale["mock"] = rows
    results.create_rate["mock"] = rate
    results.create_via["mock"] = "`POST /__mock__/seed`"
    return results


def test_the_full_preset_seeds_the_mock_to_a_million_and_the_floors_to_100_000(
    run: ModuleType,
) -> None:
    settings = run.parse_args([])
    assert settings.seeded_sizes[-1] == run.SCALE_TARGET == 1_000_000
    assert settings.sizes[-1] == 100_000
    smoke = run.parse_args(["--smoke"])
    assert smoke.seeded_sizes == smoke.sizes == (1_000,)


def test_scale_at_a_million_passes_within_the_bounds(run: ModuleType) -> None:
    rows = [
        (100, 50 * MIB, 0.9),
        (100_000, 210 * MIB, 0.9),
        (1_000_000, 50 * MIB + 1_800 * 999_900, 1.1),
    ]
    checks = _checks(run, _results(run, rows, 15_000.0))
    listing = checks["5 listing page at 1,000,000 vs 100"]
    assert (listing.passed, listing.measured) == (True, "1.22× (1.10 vs 0.90 ms)")
    memory = checks["5 memory per stored connection, one process (at 1,000,000)"]
    assert (memory.passed, memory.measured) == (True, "1,800 B")
    seeding = checks["5 seeding 999,900 through the control API"]
    assert (seeding.passed, seeding.measured) == (True, "15,000/s")
    # Issue 8's kept targets are judged at 100,000: (210 - 50) MiB over 99,900 connections.
    assert checks["(8) memory per stored connection (at 100,000)"].measured == "1,679 B"


def test_scale_at_a_million_misses_over_the_bounds(run: ModuleType) -> None:
    rows = [(100, 50 * MIB, 0.9), (1_000_000, 50 * MIB + 2_100 * 999_900, 1.9)]
    checks = _checks(run, _results(run, rows, 15_000.0))
    assert checks["5 listing page at 1,000,000 vs 100"].passed is False  # 2.11×
    assert checks["5 memory per stored connection, one process (at 1,000,000)"].passed is False


def test_scale_below_a_million_is_reported_but_not_judged(run: ModuleType) -> None:
    rows = [(100, 50 * MIB, 0.9), (1_000, 51 * MIB, 0.9)]
    checks = _checks(run, _results(run, rows, 9_000.0), mode="smoke")
    judged = [check for name, check in checks.items() if name.startswith("5 ")]
    assert len(judged) == 3
    assert all(check.passed is None and check.verdict == "n/a" for check in judged)


def test_ready_is_judged_against_the_floor_under_the_same_server(run: ModuleType) -> None:
    results = run.Results()
    results.ready = {
        "mock": [0.30, 0.20, 0.25],
        "floor": [0.18, 0.20, 0.19],
        "mock-w2": [0.90, 0.80],
        "floor-g2": [0.40, 0.40],
    }
    checks = _checks(run, results)
    one = checks["6 ready (one process)"]
    assert (one.passed, one.measured) == (True, "1.32× (0.250 vs 0.190 s)")
    workers = checks["6 ready (--workers 2)"]
    assert (workers.passed, workers.measured) == (False, "2.12× (0.850 vs 0.400 s)")
