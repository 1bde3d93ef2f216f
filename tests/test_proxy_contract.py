"""The contract suite's live path through the validation proxy: a mock process as the
"real" service, ``mock-flowservice proxy --shadow`` in front of it, and the run report with
the proxy's drift report attached (the same mock on both sides: nothing may differ)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .serving import served
from .support import wait_for_url
from .test_contract_live_path import CLIENT_ID, CLIENT_SECRET, ROOT, SERVE, TIMEOUT, _env
from .test_contract_live_path import _plugin_args as plugin_args

pytestmark = [pytest.mark.server, pytest.mark.slow]


@contextmanager
def proxy_process(upstream: str, log_path: Path) -> Iterator[str]:
    command = [sys.executable, "-m", "mock_flowservice", "proxy", "--upstream", upstream,
               "--port", "0", "--shadow"]  # fmt: skip
    with log_path.open("w") as log_file:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log_file, text=True)
    try:
        yield wait_for_url(process)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        assert process.stdout is not None
        process.stdout.close()


def test_the_live_run_goes_through_the_proxy_and_attaches_its_drift(tmp_path: Path) -> None:
    config = tmp_path / "mock-config.json"
    config.write_text(json.dumps({"ims_clients": {CLIENT_ID: CLIENT_SECRET}}))
    report_dir = tmp_path / "reports"
    with (
        served(*SERVE, str(config), log_path=tmp_path / "server.log") as upstream,
        proxy_process(upstream.url, tmp_path / "proxy.log") as proxy,
    ):
        env = {**_env(proxy, report_dir), "FLOWSERVICE_PROXY_URL": proxy}
        command = [sys.executable, "-m", "pytest", "contract_tests",
                   "--flowservice-target=live", "-p",
                   "no:cacheprovider", "-q", "-rfEs", "-n", "0", *plugin_args()]  # fmt: skip
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=TIMEOUT, check=False)  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert re.search(r"\d+ passed", output), output[-2000:]
    report = json.loads((report_dir / "contract-live.json").read_text("utf-8"))
    drift = report["drift"]
    assert drift["proxy"] == proxy
    assert drift["upstream"] == upstream.url
    assert drift["shadow"] is True
    assert drift["exchanges"] >= report["requests"] > 0  # the token requests come on top
    full = json.loads((report_dir / "contract-live-drift.json").read_text("utf-8"))
    disagreements = [d for op in full["operations"] for d in op["disagreements"]]
    assert drift["agreed"] == drift["exchanges"], json.dumps(disagreements, indent=1)[:6000]
    assert "## Drift (through the validation proxy)" in (report_dir / "contract-live.md").read_text(
        "utf-8"
    )
    proxy_log = (tmp_path / "proxy.log").read_text("utf-8")
    for text in (proxy_log, json.dumps(full)):
        assert CLIENT_SECRET not in text
        assert not re.search(r"Bearer (?!\*\*\*)", text)


def test_an_unreachable_proxy_report_is_noted(tmp_path: Path) -> None:
    from contract_tests.report import drift_summary, fetch_drift, markdown

    drift = fetch_drift("http://127.0.0.1:9")
    assert drift == {"error": "cannot read the proxy's drift report: ConnectionError"}
    summary = drift_summary("http://127.0.0.1:9", drift)
    data = {"target": "live", "base_urls": [], "tests": {}, "requests": 0, "budget": 0,
            "cleanup": {"created": 0, "deleted": 0, "leaked": []}, "operations": [],
            "drift": summary}  # fmt: skip
    assert "* cannot read the proxy's drift report: ConnectionError" in markdown(data)
    assert os.environ.get("FLOWSERVICE_PROXY_URL") is None
