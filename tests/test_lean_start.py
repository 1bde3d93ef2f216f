"""Start-up stays lean: importing the package loads none of ``responses``, ``requests``,
``urllib3``, ``jsonschema`` and ``fastjsonschema`` (each is imported when first used), and the
answers' JSON encoder keeps Flask's output."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

from mock_flowservice import create_app
from mock_flowservice.json_provider import dumps_bytes


def test_import_loads_no_validator_and_no_interceptor() -> None:
    code = (
        "import sys, mock_flowservice; "
        "lazy = ('responses', 'requests', 'urllib3', 'jsonschema', 'fastjsonschema'); "
        "print(sorted(m for m in lazy if m in sys.modules))"
    )
    assert _fresh_python(code) == "[]"


def test_an_app_with_settings_answers_without_jsonschema() -> None:
    """Valid settings pass a compiled check and the flow specs compile when first used, so a
    server's start (``serve`` passes settings) never waits for ``jsonschema``'s import."""
    code = (
        "import sys; from mock_flowservice import create_app; "
        "app = create_app({'control_api': 'on', 'control_hosts': ['127.0.0.1'], "
        "'token_policy': 'any'}); "
        "assert app.test_client().get('/__mock__/health').status_code == 200; "
        "print('jsonschema' in sys.modules)"
    )
    assert _fresh_python(code) == "False"


def _fresh_python(code: str) -> str:
    """What ``code`` prints in a new interpreter (nothing imported before it)."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def test_encoding_falls_back_where_orjson_refuses() -> None:
    assert dumps_bytes({"big": 2**70}) == b'{"big":1180591620717411303424}\n'
    assert dumps_bytes("\ud800") == b'"\\ud800"\n'
    assert dumps_bytes({"a": [1, "é"]}) == '{"a":[1,"é"]}\n'.encode()


@dataclass
class _Point:
    x: int


def test_provider_keeps_flask_behaviour() -> None:
    app = create_app()
    provider = app.json
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert provider.dumps({"when": when}) == '{"when":"Wed, 01 May 2024 12:00:00 GMT"}'
    assert provider.dumps(_Point(1)) == '{"x":1}'
    assert provider.dumps({"b": 1, "a": 2}, indent=1) == json.dumps({"b": 1, "a": 2}, indent=1)
    assert provider.loads(b'{"a": 1}') == {"a": 1}
    assert provider.loads("NaN") != provider.loads("NaN")  # the standard decoder's NaN
    assert provider.loads('{"a": 1}', parse_int=str) == {"a": "1"}
    with app.test_request_context():
        assert provider.response({"b": 1, "a": 2}).get_data() == b'{"b":1,"a":2}\n'
        app.debug = True
        assert json.loads(provider.response({"a": 1}).get_data()) == {"a": 1}
