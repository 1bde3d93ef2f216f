"""The docs, the client's and the fixtures' help send nobody to files outside this package.

The research notes the project started from (``FACTS.md``, ``GAPS.md`` under ``../shared``) are
not shipped; the docs cite Adobe's published documentation and DECISIONS.md instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from flowservice_client._cli import cli

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted(
    {
        *ROOT.glob("*.md"),
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "examples").glob("*/README.md"),
        ROOT / "contract_tests" / "README.md",
        ROOT / "benchmarks" / "README.md",
    }
)
OUTSIDE = re.compile(r"\bFACTS\b|\bGAPS\b|\.\./shared|\bshared/flowservice")
SOURCES = sorted(
    [
        *(ROOT / "client" / "flowservice_client").rglob("*.py"),
        *(ROOT / "fixtures" / "flowservice_fixtures").rglob("*.py"),
    ]
)


def _ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(ROOT)) for path in paths]


@pytest.mark.parametrize("path", DOCUMENTS, ids=_ids(DOCUMENTS))
def test_documents_cite_nothing_outside_the_package(path: Path) -> None:
    hits = [line for line in path.read_text("utf-8").splitlines() if OUTSIDE.search(line)]
    assert hits == []


@pytest.mark.parametrize("path", SOURCES, ids=_ids(SOURCES))
def test_client_and_fixture_docstrings_cite_nothing_outside(path: Path) -> None:
    hits = [line for line in path.read_text("utf-8").splitlines() if OUTSIDE.search(line)]
    assert hits == []


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("command", _commands(cli), ids=lambda c: " ".join(c) or "flowservice")
def test_cli_help_cites_nothing_outside(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert not OUTSIDE.search(result.output)
    assert ".md" not in result.output  # no file of the checkout: the wheel has none


@pytest.mark.parametrize("path", DOCUMENTS, ids=_ids(DOCUMENTS))
def test_relative_links_stay_inside_and_resolve(path: Path) -> None:
    text = path.read_text("utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:|#", target):
            continue
        resolved = (path.parent / target.split("#", 1)[0]).resolve()
        assert resolved.is_relative_to(ROOT), target
        assert resolved.exists(), target
