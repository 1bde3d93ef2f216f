"""The README's examples run as written (the mock's URL aside)."""

from __future__ import annotations

import re
from pathlib import Path

from .support import MockServer

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
    example = _blocks("python")[0].replace("http://127.0.0.1:8080", mock_server.url)
    namespace: dict[str, object] = {}
    exec(compile(example, "README.md", "exec"), namespace)  # the documented example itself
    assert mock_server.connections() == []  # it deleted what it made
    assert namespace["connection"].auth.params["password"] == "********"  # type: ignore[attr-defined]
    assert any(item["type"] == "table" for item in namespace["tables"])  # type: ignore[attr-defined]
