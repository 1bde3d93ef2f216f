"""``examples/dynamics-project`` passes in a fresh venv with only the built wheel installed.

This proves the fixtures reach a user's project through the wheel's ``pytest11`` entry point:
nothing from this checkout is on the example's ``sys.path``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "dynamics-project"
#: Variables of the outer run that must not leak into the example's run.
SCRUBBED = (
    "PYTHONPATH",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
    "COVERAGE_PROCESS_START",
)
#: Reuse the build backend when it is installed here; otherwise pip fetches it (isolated build).
NO_ISOLATION = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []


def clean_env() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if name not in SCRUBBED and not name.startswith(("FLOWSERVICE_", "PYTEST_XDIST"))
    }


def run(command: Sequence[str | Path], *, cwd: Path, timeout: float) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{command} failed ({result.returncode}):\n{output[-4000:]}"
    return output


def summary(output: str) -> dict[str, int]:
    """Counts of pytest's final summary line, e.g. ``{"passed": 2}``."""
    pattern = re.compile(r"\d+ (passed|failed|errors?|skipped)\b.* in [\d.]+s")
    last = [line for line in output.splitlines() if pattern.search(line)][-1]
    return {word: int(count) for count, word in re.findall(r"(\d+) (\w+)", last)}


def test_example_project_passes_with_the_installed_wheel(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", *NO_ISOLATION]
    run([*pip_wheel, "-w", wheels, ROOT], cwd=tmp_path, timeout=300)
    (wheel,) = wheels.glob("mock_flowservice-*.whl")

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=tmp_path, timeout=120)
    python = venv / "bin" / "python"
    run(
        [python, "-m", "pip", "install", "--disable-pip-version-check", wheel, "pytest>=8"],
        cwd=tmp_path,
        timeout=600,
    )

    project = tmp_path / "dynamics-project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    output = run([python, "-m", "pytest", "-q", "-rA"], cwd=project, timeout=300)

    assert summary(output) == {"passed": 2}, output
    for name in ("test_connect_in_process", "test_connect_over_a_socket"):
        assert f"PASSED tests/test_onboarding.py::{name}" in output
