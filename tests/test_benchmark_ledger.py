"""``benchmarks/ledger.py`` keeps working: a tiny run prints one row per variant."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ledger_prints_every_variant_against_the_floor() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "ledger.py"), "--calls", "30", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and "×" in line]
    names = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    assert names == [
        "floor",
        "mock",
        "mock, access log at INFO",
        "mock, no journal",
        "mock, no journal, control API off",
    ]
    assert rows[0].count("(1.00×)") == 3  # the floor against itself
    for row in rows:
        assert len(re.findall(r"\d[\d,]* \(\d+\.\d\d×\)", row)) == 3, row
