"""Settings are checked when loaded, against one JSON Schema derived from ``MockConfig``."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from mock_flowservice import MockConfig, create_app
from mock_flowservice.config import ConfigError, _surely_valid, settings_schema

from .budget import examples
from .serving import serve_command

ROOT = Path(__file__).resolve().parents[1]
FIELDS = [f.name for f in dataclasses.fields(MockConfig)]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"token_policy": "isued"}, 'token_policy: got "isued", allowed: "any", "issued"'),
        (
            {"known_sandboxes": "prod"},
            'known_sandboxes: got "prod", allowed: a list of strings or null',
        ),
        (
            {"default_page_size": "20"},
            'default_page_size: got "20", allowed: an integer of at least 1',
        ),
        ({"reject_unknown_params": "yes"}, 'reject_unknown_params: got "yes", allowed: true'),
        ({"api_keys": ["a", 2]}, "api_keys[1]: got 2, allowed: a string"),
        ({"ims_clients": {"id": 1}}, "ims_clients.id: got *** (a secret, not shown), allowed: a"),
        ({"extra": []}, "extra: got [], allowed: an object"),
        ({"token_ttl_seconds": 0}, "token_ttl_seconds: got 0, allowed: an integer of at least 1"),
        ({"state_path": 3}, "state_path: got 3, allowed: a string or null"),
        ({"journal_size": True}, "journal_size: got true, allowed: an integer of at least 0"),
        (
            {"control_api": "maybe", "delete_in_use": "never"},
            'control_api: got "maybe", allowed: "auto", "on", "off"; delete_in_use: got "never"',
        ),
        ({"tokn_policy": "any"}, "unknown mock settings: tokn_policy (did you mean token_policy?)"),
        ({"zzz": 1}, "unknown mock settings: zzz"),
        ({"base_path": "x" * 80}, 'base_path: got "xxxxxxxxxxxxxxx'),
    ],
)
def test_bad_settings_name_the_setting_and_what_it_allows(
    settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        create_app(settings)
    assert message in str(caught.value)
    assert "..." in str(caught.value) or len(str(caught.value)) < 200


@pytest.mark.parametrize(
    "settings",
    [
        {"control_token": ["tok-s3cret"]},
        {"ims_clients": "me:cl-s3cret"},
        {"ims_clients": {"me": ["cl-s3cret"]}},
    ],
)
def test_errors_never_show_a_secret_setting(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as caught:
        MockConfig.from_mapping(settings)
    assert "s3cret" not in str(caught.value)
    assert "got *** (a secret, not shown), allowed:" in str(caught.value)


def test_the_python_constructor_is_checked_too() -> None:
    with pytest.raises(ConfigError, match='token_policy: got "isued"'):
        MockConfig(token_policy="isued")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="must be a mapping, not list"):
        MockConfig.from_mapping(["token_policy"])  # type: ignore[arg-type]
    assert MockConfig().replace(known_sandboxes=frozenset({"dev"})).known_sandboxes == {"dev"}


def test_the_schema_has_one_property_per_field_with_its_default() -> None:
    schema = settings_schema()
    Draft202012Validator.check_schema(schema)
    assert list(schema["properties"]) == FIELDS
    assert schema["additionalProperties"] is False
    defaults = {name: prop["default"] for name, prop in schema["properties"].items()}
    assert defaults == MockConfig().to_json()
    assert schema["properties"]["token_policy"]["enum"] == ["any", "issued"]
    assert "FLOW-2100-404" in schema["properties"]["known_sandboxes"]["description"]
    Draft202012Validator(schema).validate(MockConfig().to_json())


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mock_flowservice", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_config_schema_prints_the_schema() -> None:
    done = cli("config", "--schema")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == settings_schema()


def test_config_checks_a_file_and_never_prints_a_secret(tmp_path: Path) -> None:
    config = tmp_path / "mock.json"
    config.write_text(
        json.dumps({"control_token": "tok-s3cret", "ims_clients": {"me": "cl-s3cret"}}), "utf-8"
    )
    done = cli("config", "--config", str(config))
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["ims_clients"] == {"me": "********"}
    assert shown["control_token"] == "********"
    assert "s3cret" not in done.stdout
    assert json.loads(cli("config").stdout) == MockConfig().to_json()
    config.write_text('{"known_sandboxes": "prod"}', "utf-8")
    done = cli("config", "--config", str(config))
    assert done.returncode == 2
    assert 'known_sandboxes: got "prod"' in done.stderr


def test_serve_refuses_a_bad_setting_with_status_2(tmp_path: Path) -> None:
    config = tmp_path / "mock.json"
    config.write_text('{"token_policy": "isued"}', "utf-8")
    done = subprocess.run(
        serve_command(["--config", str(config)]),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert 'token_policy: got "isued", allowed: "any", "issued"' in done.stderr
    assert "Traceback" not in done.stderr


def _settings_table() -> dict[str, str]:
    text = (ROOT / "docs" / "settings.md").read_text("utf-8")
    return {m[1]: m[0] for m in re.finditer(r"^\| `(\w+)` \|.*$", text, re.M)}


def test_every_setting_is_in_the_one_table_with_its_default() -> None:
    rows = _settings_table()
    assert list(rows) == FIELDS
    for name, prop in settings_schema()["properties"].items():
        assert f"| `{json.dumps(prop['default'])}` |" in rows[name], name


# --- the compiled check of valid settings -------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


def _typed(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of the setting's own type, near its bounds (mostly valid)."""
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    made: list[st.SearchStrategy[Any]] = []
    for kind in kinds:
        if kind == "integer":
            low = schema.get("minimum", -5)
            made.append(st.integers(low - 1, low + 3) | st.integers(low, 2**40))
        elif kind == "number":
            made.append(st.floats(-1, 1e6) | st.integers(0, 10))
        elif kind == "boolean":
            made.append(st.booleans())
        elif kind == "null":
            made.append(st.none())
        elif kind == "string" and "pattern" in schema:
            made.append(st.from_regex(schema["pattern"], fullmatch=True).map(lambda s: s[:40]))
        elif kind == "string":
            made.append(st.text(max_size=8))
        elif kind == "array":
            made.append(st.lists(st.sampled_from(["a", "b", "c", "a"]), max_size=3))
        else:
            made.append(st.dictionaries(st.text(max_size=3), st.text(max_size=3)))
    return st.one_of(made)


def _likely(name: str) -> st.SearchStrategy[Any]:
    """Values for one setting: mostly of its type, sometimes its default or any JSON."""
    schema = settings_schema()["properties"][name]
    return st.one_of(
        _typed(schema), _typed(schema), _typed(schema), st.just(schema["default"]), JSON
    )


@st.composite
def _settings(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=5))
    return {name: draw(_likely(name), label=name) for name in names}


@settings(max_examples=examples(150), deadline=None, derandomize=True, database=None)
@given(values=_settings())
def test_the_compiled_check_agrees_with_jsonschema(values: dict[str, Any]) -> None:
    """A shortcut past ``jsonschema`` for valid settings: it accepts exactly what the
    validator accepts (were it stricter, the validator would still judge; never laxer)."""
    errors = list(Draft202012Validator(settings_schema()).iter_errors(values))
    assert _surely_valid(values) == (not errors), [e.message for e in errors]


def test_defaults_need_no_check_and_fit_the_schema() -> None:
    """``MockConfig`` checks only settings that differ from their defaults; the defaults fit."""
    defaults = MockConfig().to_json()
    assert list(Draft202012Validator(settings_schema()).iter_errors(defaults)) == []
    assert _surely_valid(defaults)
    with pytest.raises(ConfigError, match="max_page_size"):
        MockConfig(max_page_size=0)
