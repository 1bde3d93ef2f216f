"""``examples/dynamics-project`` installs the plugin and passes, as its README says.

Once in a fresh venv with only the built wheel installed: the fixtures reach a user's project
through the wheel's ``pytest11`` entry point, nothing from this checkout is on the example's
``sys.path``. Once with the README's own command run verbatim (``pip install -e ../..``) in a
copy of the checkout.
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
        [
            python,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            wheel,
            "pytest>=8",
            "httpx>=0.27",
        ],
        cwd=tmp_path,
        timeout=600,
    )

    project = tmp_path / "dynamics-project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    output = run([python, "-m", "pytest", "-q", "-rA"], cwd=project, timeout=300)

    assert summary(output) == {"passed": 4}, output
    for name in (
        "test_connect_in_process",
        "test_connect_over_a_socket",
        "test_an_answer_the_mock_does_not_model",
        "test_httpx_clients_are_served_too",
    ):
        assert f"PASSED tests/test_onboarding.py::{name}" in output


#: Not copied with the checkout: build and tool output, and other environments.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", ".tox", "dist", "build", "*.egg-info", "reports",
    ".hypothesis", ".mypy_cache", ".ruff_cache", ".pytest_cache",
)  # fmt: skip


def readme_command() -> str:
    """The example README's one install-and-test command (its first ``sh`` block)."""
    text = (EXAMPLE / "README.md").read_text("utf-8")
    return re.findall(r"```sh\n(.*?)```", text, re.S)[0].strip()


def test_readme_installs_the_plugin_from_the_checkout() -> None:
    command = readme_command()
    assert "pip install -e ../.." in command  # not from PyPI: there is no release yet
    assert command.endswith(".venv/bin/python -m pytest")


def test_example_readme_command_passes_as_written(tmp_path: Path) -> None:
    """The README's command, verbatim, in the example directory of a copy of this checkout."""
    checkout = tmp_path / "mock-flowservice"
    shutil.copytree(ROOT, checkout, ignore=NOT_COPIED)
    project = checkout / "examples" / "dynamics-project"
    env = clean_env()
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_command() + " -q -rA"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert summary(output) == {"passed": 4}, output[-4000:]
    python = project / ".venv" / "bin" / "python"
    plugins = run(
        [python, "-c", "from importlib.metadata import entry_points as e;"
         "print([p.value for p in e(group='pytest11')])"],
        cwd=project,
        timeout=60,
    )  # fmt: skip
    assert "flowservice_fixtures.plugin" in plugins
