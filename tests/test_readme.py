"""The README's and docs/' examples run as written (the mock's URL aside)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import entry_points, version
from pathlib import Path
from typing import Any

import pytest

from mock_flowservice.context import of_app

from .support import MockServer

pytest_plugins = ("pytester",)

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text("utf-8"), re.S)


def test_readme_opens_with_the_two_commands() -> None:
    first, second = _blocks("sh")[:2]
    assert "pip install -e ." in first
    assert "mock-flowservice serve" in first
    assert "pip install -e '.[dev]'" in second
    assert "coverage run -m pytest" in second
    assert second.strip().endswith("coverage report")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    command = _blocks("sh")[1].strip()
    ci = (README.parent / ".ci" / "run").read_text("utf-8")
    assert command in ci.splitlines()


def test_client_example_runs_against_a_server(mock_server: MockServer) -> None:
    (example,) = [code for code in _blocks("python") if "ClientCredentialsTokenProvider" in code]
    example = example.replace("http://127.0.0.1:8080", mock_server.url)
    namespace: dict[str, object] = {}
    exec(compile(example, "README.md", "exec"), namespace)  # the documented example itself
    assert mock_server.connections() == []  # it deleted what it made
    assert namespace["connection"].auth.params["password"] == "********"  # type: ignore[attr-defined]
    assert any(item["type"] == "table" for item in namespace["tables"])  # type: ignore[attr-defined]


# -- every snippet of README.md and docs/*.md ----------------------------------------------------

DOCS = (README, *sorted((README.parent / "docs").glob("*.md")))
#: Load the plugin explicitly only while its ``pytest11`` entry point is not installed.
PLUGIN_ARGS: tuple[str, ...] = (
    ()
    if any(ep.name == "flowservice" for ep in entry_points(group="pytest11"))
    else ("-p", "flowservice_fixtures.plugin")
)
#: A test that runs under a ``conftest.py`` snippet: the override is used, the plugin works.
CONFTEST_PROBE = """
def test_probe(flowservice_config, flowservice_client):
    assert flowservice_config
    assert list(flowservice_client.list_connections()) == []
"""


def _snippets(*languages: str) -> list[Any]:
    """``pytest.param(code, id="file:line")`` for each fenced block in one of ``languages``."""
    found = []
    for path in DOCS:
        text = path.read_text("utf-8")
        for match in re.finditer(r"^```(\w+)\n(.*?)^```", text, re.M | re.S):
            if match.group(1) in languages:
                line = text.count("\n", 0, match.start()) + 1
                found.append(pytest.param(match.group(2), id=f"{path.name}:{line}"))
    return found


def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("FLOWSERVICE_")]:
        monkeypatch.delenv(name)


@pytest.mark.parametrize("code", _snippets("python"))
def test_python_snippet_runs_as_written(
    code: str,
    mock_server: MockServer,
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Test modules and conftest files run in an inner pytest; the rest is executed here."""
    _clean_env(monkeypatch)
    tests = len(re.findall(r"^def test_", code, re.M))
    if tests or "@pytest.fixture" in code:
        pytester.makeini(
            "[pytest]\naddopts = --strict-markers -p no:cacheprovider\nfilterwarnings = error\n"
        )
        if tests:
            pytester.makepyfile(test_snippet=code)
        else:
            pytester.makeconftest(code)
            pytester.makepyfile(test_probe=CONFTEST_PROBE)
        result = pytester.runpytest(*PLUGIN_ARGS)
        result.assert_outcomes(passed=tests or 1)
        return
    code = code.replace("http://127.0.0.1:8080", mock_server.url)
    exec(compile(code, "snippet", "exec"), {"__name__": "__snippet__"})


@pytest.mark.parametrize("code", _snippets("sh", "bash"))
def test_shell_snippet_is_valid_bash(code: str) -> None:
    result = subprocess.run(
        ["bash", "-n", "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.server
def test_cli_against_the_mock_runs_as_written(
    mock_server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's ``flowservice`` against the mock, in bash, against a real loopback server."""
    (block,) = [code for code in _blocks("sh") if "export FLOWSERVICE_BASE_URL=" in code]
    _clean_env(monkeypatch)
    scripts = str(Path(sys.executable).parent)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.replace("http://127.0.0.1:8080", mock_server.url)],
        env={**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"name": "dynamics-online"' in result.stdout
    (stored,) = mock_server.connections()
    assert stored.name == "crm"
    assert stored.params["password"] == "a password"
    assert "a password" not in result.stdout + result.stderr


def test_readme_says_how_to_install_until_a_release() -> None:
    (block,) = [code for code in _blocks("sh") if "git+" in code]
    assert "pip install -e ." in block
    assert f"dist/mock_flowservice-{version('mock-flowservice')}-py3-none-any.whl" in block
    assert "pip install 'mock-flowservice @ git+https://" in block


@pytest.mark.server
def test_tutorial_next_steps_run_as_written_with_curl(mock_server: MockServer) -> None:
    """The README's curl chain, in bash, against a real loopback server: the run succeeds."""
    (block,) = [code for code in _blocks("bash") if "/sourceConnections" in code]
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.replace("http://127.0.0.1:8080", mock_server.url)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"canPreview"' in result.stdout  # the explore root
    assert '"state":"success"' in result.stdout.replace(" ", "")  # the run after the clock moved
    context = of_app(mock_server.app)
    (flow,) = context.store.everything("flows")
    assert flow.state == "disabled"
    assert len(context.store.everything("sourceConnections")) == 1
