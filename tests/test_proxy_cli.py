"""``mock-flowservice proxy`` as a process: refuses to start without ``--upstream``, forwards
to a served mock, writes its drift report and recording on SIGTERM, logs no secret."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from mock_flowservice.cli import main

from .serving import served
from .support import BASE_PATH, HEADERS, dynamics_basic_body, wait_for_url

pytestmark = pytest.mark.server

CANARY = "mfs-canary-cli-51d2"


def test_the_proxy_refuses_to_start_without_an_upstream() -> None:
    result = CliRunner().invoke(main, ["proxy", "--port", "0"])
    assert result.exit_code == 2
    assert "Missing option '--upstream'" in result.output
    result = CliRunner().invoke(main, ["proxy", "--upstream", "file:///etc/passwd"])
    assert result.exit_code == 2
    assert "must be an http:// or https:// URL" in result.output


def test_a_bad_recording_directory_or_settings_refuse_to_start(tmp_path: Path) -> None:
    (tmp_path / "recording.json").write_text("{}")
    result = CliRunner().invoke(
        main, ["proxy", "--upstream", "http://127.0.0.1:9", "--record", str(tmp_path)]
    )
    assert (result.exit_code, "is not a mock-flowservice-recording" in result.output) == (2, True)
    (tmp_path / "settings.json").write_text('{"secret_mask": 7}')
    result = CliRunner().invoke(
        main,
        ["proxy", "--upstream", "http://127.0.0.1:9", "--config", str(tmp_path / "settings.json")],
    )
    assert result.exit_code == 2


def test_the_proxy_process_reports_and_records_without_leaking(tmp_path: Path) -> None:
    with served(log_path=tmp_path / "upstream.log") as upstream:
        log_path = tmp_path / "proxy.log"
        command = [sys.executable, "-m", "mock_flowservice", "proxy", "--upstream", upstream.url,
                   "--port", "0", "--shadow", "--record", str(tmp_path / "rec"),
                   "--report", str(tmp_path / "drift.json"), "--log-level", "DEBUG"]  # fmt: skip
        with log_path.open("w") as log_file:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=log_file, text=True, env=dict(os.environ)
            )
        try:
            url = wait_for_url(process)
            base = url + BASE_PATH
            secret = {**HEADERS, "Authorization": f"Bearer {CANARY}"}
            body = dynamics_basic_body(password=CANARY)
            created = requests.post(f"{base}/connections", json=body, headers=secret)
            assert created.status_code == 201
            cid = created.json()["id"]
            assert requests.get(f"{base}/connections/{cid}?password={CANARY}", headers=secret).ok
            assert requests.get(url + "/__proxy__/report").json()["exchanges"] == 2
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0
            assert process.stdout is not None
            process.stdout.close()
    log = log_path.read_text()
    report = json.loads((tmp_path / "drift.json").read_text())
    assert (report["exchanges"], report["agreed"]) == (2, 2)
    assert "# Drift report" in (tmp_path / "drift.md").read_text()
    recorded = "".join(p.read_text() for p in (tmp_path / "rec").rglob("*.json"))
    everything = log + recorded + json.dumps(report) + (tmp_path / "drift.md").read_text()
    assert CANARY not in everything
    assert f"proxy GET {BASE_PATH}/connections/{cid} -> 200" in log
    assert "drift report written to" in log
