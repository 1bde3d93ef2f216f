"""What the sdist and the wheel carry: the sdist its own tests' inputs, the wheel no test tool.

The distributions are built with hatchling (the project's build backend, in the ``test`` extra)
without network. The comparison with ``git ls-files`` runs only in a git checkout; in an unpacked
sdist the fixed list of ``REQUIRED`` files still applies.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Files the sdist's own tests, CI script, examples and benchmarks read.
REQUIRED = (
    "LICENSE",
    "README.md",
    "CHANGELOG.md",
    "DECISIONS.md",
    "ARCHITECTURE.md",
    "pyproject.toml",
    "tox.ini",
    ".ci/run",
    "docs/fixtures.md",
    "docs/control-api.md",
    "docs/known-deviations.md",
    "examples/dynamics-project/pyproject.toml",
    "examples/dynamics-project/README.md",
    "examples/dynamics-project/tests/conftest.py",
    "examples/dynamics-project/tests/test_onboarding.py",
    "examples/dynamics-project/dynamics_project/onboarding.py",
    "benchmarks/run.py",
    "benchmarks/README.md",
    "tests/conftest.py",
    "contract_tests/conftest.py",
    "tools/build_openapi.py",
    "mock_flowservice/data/openapi.json",
)
#: What ``pip install mock-flowservice`` brings, and nothing else (``responses`` serves
#: ``intercept()``; pytest comes with the user's own test tools).
RUNTIME = {
    "click",
    "fastjsonschema",
    "flask",
    "jsonschema",
    "orjson",
    "requests",
    "responses",
    "urllib3",
    "waitress",
}
TEST_ONLY = {"pytest", "hypothesis", "schemathesis", "pyyaml", "pytest-xdist", "hatchling"}

_BUILD = "import sys\nfrom hatchling.build import build_{kind}\nprint(build_{kind}(sys.argv[1]))"


def _build(kind: str, out: Path) -> Path:
    pytest.importorskip("hatchling")
    result = subprocess.run(
        [sys.executable, "-c", _BUILD.format(kind=kind), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out / result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def sdist_members(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    archive = _build("sdist", tmp_path_factory.mktemp("sdist"))
    with tarfile.open(archive) as tar:
        names = [member.name for member in tar.getmembers() if member.isfile()]
    return {name.split("/", 1)[1] for name in names}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build("wheel", tmp_path_factory.mktemp("wheel"))


def test_the_license_is_apache_2() -> None:
    text = (ROOT / "LICENSE").read_text("utf-8")
    assert "Apache License" in text
    assert "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_sdist_holds_what_its_tests_need(sdist_members: set[str]) -> None:
    missing = [name for name in REQUIRED if name not in sdist_members]
    assert not missing, f"not in the sdist: {missing}"


def test_sdist_holds_every_tracked_file(sdist_members: set[str]) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an unpacked sdist): REQUIRED is checked instead")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, timeout=30, check=True
    )
    tracked = {name for name in listed.stdout.decode().split("\0") if name}
    tracked = {name for name in tracked if (ROOT / name).is_file()}  # deleted, not yet committed
    assert sorted(tracked - sdist_members) == []
    assert not [name for name in sdist_members if "__pycache__" in name or ".venv/" in name]


def test_wheel_carries_the_license_and_no_test_only_requirement(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata_name,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(metadata_name).decode("utf-8"))
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert metadata["License-Expression"] == "Apache-2.0"
    runtime = {
        _name(requirement)
        for requirement in metadata.get_all("Requires-Dist") or []
        if "extra ==" not in requirement
    }
    assert runtime == RUNTIME
    assert not runtime & TEST_ONLY
    assert not [name for name in names if name.startswith(("tests/", "contract_tests/"))]


def _name(requirement: str) -> str:
    for stop in "<>=!~;[ ":
        requirement = requirement.split(stop, 1)[0]
    return requirement.strip().lower()


def test_wheel_carries_the_inspectors_templates_and_static_files(wheel: Path) -> None:
    """The inspector works from an installed wheel: its Jinja templates, script and styles."""
    control = ROOT / "mock_flowservice" / "control"
    shipped = sorted(
        path.relative_to(ROOT).as_posix()
        for folder in ("templates", "static")
        for path in (control / folder).rglob("*")
        if path.is_file()
    )
    assert "mock_flowservice/control/templates/inspector/shell.html" in shipped
    assert "mock_flowservice/control/static/inspector.js" in shipped
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert [name for name in shipped if name not in names] == []


@pytest.mark.skipif(not sys.pycache_prefix, reason="bytecode goes to __pycache__ as usual here")
def test_the_suite_keeps_bytecode_in_a_prefix_outside_the_tree(tmp_path: Path) -> None:
    """tests/conftest.py moves bytecode to the user's cache where PYTHONDONTWRITEBYTECODE is set,
    for the processes the suite starts: a child that imports a module leaves its bytecode there."""
    module = tmp_path / "freshly_imported.py"
    module.write_text("VALUE = 1\n")
    command = [sys.executable, "-c", "import freshly_imported"]
    subprocess.run(command, cwd=tmp_path, check=True, timeout=60)
    compiled = Path(sys.pycache_prefix) / Path(*tmp_path.parts[1:])
    assert (compiled / f"freshly_imported.{sys.implementation.cache_tag}.pyc").is_file()
    assert not (tmp_path / "__pycache__").exists()
    assert not Path(sys.pycache_prefix).is_relative_to(ROOT)
