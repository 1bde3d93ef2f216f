"""The contract suite's ``live`` path, end to end, against a mock server in another process.

The mock runs as ``python -m mock_flowservice serve`` with issued tokens only, so the suite has
to fetch its token from the mock's IMS endpoint exactly as it would from Adobe's. A second test
breaks the mock's fidelity on purpose and checks that the suite notices.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from .serving import served
from .support import ORG

pytestmark = [pytest.mark.server, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
CLIENT_ID = "contract-client"
CLIENT_SECRET = "contract-secret"
SECRET_MARKER = "mfs-secret-"
TIMEOUT = 240
SERVE = ("--token-policy", "issued", "--config")


def _plugin_args() -> list[str]:
    """``-p flowservice_fixtures.plugin`` unless the installed entry point loads it already."""
    installed = any(
        ep.value.startswith("flowservice_fixtures") for ep in entry_points(group="pytest11")
    )
    return [] if installed else ["-p", "flowservice_fixtures.plugin"]


def _env(url: str, report_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLOWSERVICE_", "PYTEST_"))}
    env.pop("CI", None)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "fixtures"), str(ROOT / "client"), env.get("PYTHONPATH", "")]
    )
    env.update(
        FLOWSERVICE_BASE_URL=f"{url}/data/foundation/flowservice",
        FLOWSERVICE_IMS_URL=f"{url}/ims/token/v3",
        FLOWSERVICE_API_KEY=CLIENT_ID,
        FLOWSERVICE_CLIENT_SECRET=CLIENT_SECRET,
        FLOWSERVICE_ORG_ID=ORG,
        FLOWSERVICE_SANDBOX="prod",
        FLOWSERVICE_REPORT_DIR=str(report_dir),
        FLOWSERVICE_CONTRACT_RATE="200",
    )
    return env


@pytest.fixture
def server_config(tmp_path: Path) -> Callable[..., str]:
    """Writes a ``--config`` file: the IMS client plus any other settings; returns its path."""

    def write(**settings: Any) -> str:
        path = tmp_path / "mock-config.json"
        path.write_text(json.dumps({"ims_clients": {CLIENT_ID: CLIENT_SECRET}, **settings}))
        return str(path)

    return write


def run_live_suite(url: str, report_dir: Path, *selection: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        *(selection or ("contract_tests",)),
        "--flowservice-target=live",
        "-p",
        "no:cacheprovider",
        "-q",
        "-rfEs",
        "-n",
        "0",  # one process, as docs/contract-kit.md runs the live target
        *_plugin_args(),
    ]
    return subprocess.run(
        command,
        cwd=ROOT,
        env=_env(url, report_dir),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def assert_no_secret(report_dir: Path) -> dict[str, Any]:
    texts = {
        suffix: (report_dir / f"contract-live.{suffix}").read_text("utf-8")
        for suffix in ("json", "md")
    }
    for suffix, text in texts.items():
        assert CLIENT_SECRET not in text, f"client secret in the .{suffix} report"
        assert SECRET_MARKER not in text, f"a generated secret param in the .{suffix} report"
        assert not re.search(r"Bearer (?!\*\*\*)", text), f"a bearer token in the .{suffix} report"
    report: dict[str, Any] = json.loads(texts["json"])
    return report


def test_live_path_against_a_mock_process(
    tmp_path: Path, server_config: Callable[..., str]
) -> None:
    report_dir = tmp_path / "reports"
    with served(*SERVE, server_config(), log_path=tmp_path / "server.log") as server:
        result = run_live_suite(server.url, report_dir)
    server_log = server.log()
    assert "POST /data/foundation/flowservice/connections 201" in server_log
    assert CLIENT_SECRET not in server_log
    assert SECRET_MARKER not in server_log
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert re.search(r"\d+ passed", output), output[-2000:]
    assert "failed" not in output.splitlines()[-1], output[-2000:]
    assert "needs FLOWSERVICE" not in output, "skipped for lack of credentials"
    report = assert_no_secret(report_dir)
    assert report["target"] == "live"
    assert "failed" not in report["tests"]
    assert report["tests"].get("passed", 0) > 0
    assert report["cleanup"]["leaked"] == []
    assert report["cleanup"]["created"] == report["cleanup"]["deleted"] > 0
    assert {op["operation"] for op in report["operations"]} >= {
        "POST /connections",
        "GET /connections/{id}",
        "PATCH /connections/{id}",
        "DELETE /connections/{id}",
        "GET /connections",
    }


def test_a_broken_mock_fails_the_suite(tmp_path: Path, server_config: Callable[..., str]) -> None:
    """A mock that accepts undeclared auth params must fail "extra param -> 400"."""
    report_dir = tmp_path / "reports"
    config = server_config(reject_unknown_params=False)
    with served(*SERVE, config, log_path=tmp_path / "server.log") as server:
        result = run_live_suite(
            server.url, report_dir, "contract_tests/test_invalid.py", "-k", "extra_param"
        )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-4000:]
    assert "FAILED contract_tests/test_invalid.py::test_invalid_create_is_refused[extra_param]" in (
        output
    ), output[-4000:]
    report = assert_no_secret(report_dir)
    create = next(op for op in report["operations"] if op["operation"] == "POST /connections")
    assert create["failures"] == 1
    failure = create["failure_details"][0]
    assert failure["test"].endswith("test_invalid_create_is_refused[extra_param]")
    assert failure["exchanges"][-1]["response"]["status"] == 201
    assert report["cleanup"]["leaked"] == []


def test_the_suite_passes_against_the_server_target(tmp_path: Path) -> None:
    """The root run covers ``inprocess``; this covers ``server`` (a real socket per worker)."""
    env = _env("http://127.0.0.1:9", tmp_path)
    for name in ("FLOWSERVICE_BASE_URL", "FLOWSERVICE_IMS_URL", "FLOWSERVICE_CLIENT_SECRET"):
        env.pop(name)
    command = [sys.executable, "-m", "pytest", "contract_tests", "--flowservice-target=server"]
    command += ["-p", "no:cacheprovider", "-q", "-rfEs", "-n", "0", *_plugin_args()]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert re.search(r"\d+ passed", output.splitlines()[-1]), output[-2000:]
    report = json.loads((tmp_path / "contract-server.json").read_text("utf-8"))
    assert report["target"] == "server"
    assert report["cleanup"]["leaked"] == []
