"""The app factory: independent apps, configuration, JSON everywhere."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from mock_flowservice import DEFAULT_BASE_PATH, MockConfig, create_app, of_app

from .support import HEADERS, dynamics_basic_body


def test_each_app_has_its_own_state() -> None:
    first, second = create_app(), create_app()
    created = first.test_client().post(
        DEFAULT_BASE_PATH + "/connections", json=dynamics_basic_body(), headers=HEADERS
    )
    assert created.status_code == 201
    path = f"{DEFAULT_BASE_PATH}/connections/{created.json['id']}"
    assert first.test_client().get(path, headers=HEADERS).status_code == 200
    assert second.test_client().get(path, headers=HEADERS).status_code == 404
    assert of_app(first).store is not of_app(second).store


def test_config_from_mapping_and_unknown_setting() -> None:
    app = create_app({"default_page_size": 5, "known_sandboxes": ["prod"]})
    assert of_app(app).config.default_page_size == 5
    assert of_app(app).config.known_sandboxes == frozenset({"prod"})
    with pytest.raises(ValueError, match="unknown mock settings: nope"):
        create_app({"nope": 1})
    with pytest.raises(ValueError, match="base_path"):
        MockConfig(base_path="no-slash")


def test_base_path_is_configurable() -> None:
    client = create_app({"base_path": "/flowservice"}).test_client()
    assert client.get("/flowservice/connections", headers=HEADERS).status_code == 200
    assert client.get(DEFAULT_BASE_PATH + "/connections", headers=HEADERS).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/nowhere", 404, "404000"),
        ("GET", DEFAULT_BASE_PATH + "/flows-not-mocked", 404, "404000"),
        ("PUT", DEFAULT_BASE_PATH + "/connections", 405, "405000"),
    ],
)
def test_routing_errors_are_json(
    client: FlaskClient, method: str, path: str, status: int, code: str
) -> None:
    response = client.open(path, method=method, headers=HEADERS, data="{}")
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.json == {"error_code": code, "message": response.json["message"]}
    if status == 405:
        assert "POST" in response.headers["Allow"]


def test_unexpected_exception_is_a_flow_500_without_details(client: FlaskClient) -> None:
    app = client.application

    @app.get("/__boom__")
    def boom() -> None:
        raise RuntimeError("password=hunter2")

    response = client.get("/__boom__")
    assert response.status_code == 500
    assert response.json["type"].endswith("FLOW-1102-500")
    assert "hunter2" not in response.get_data(as_text=True)


def test_request_id_is_echoed_or_generated(client: FlaskClient) -> None:
    echoed = client.get(
        DEFAULT_BASE_PATH + "/connections/missing", headers={**HEADERS, "x-request-id": "abc-1"}
    )
    assert echoed.headers["x-request-id"] == "abc-1"
    assert echoed.json["report"]["request-id"] == "abc-1"
    made = client.get(DEFAULT_BASE_PATH + "/connections/missing", headers=HEADERS)
    assert len(made.headers["x-request-id"]) == 36
    assert made.json["report"]["request-id"] == made.headers["x-request-id"]


def test_health_routes_need_no_headers(client: FlaskClient) -> None:
    assert client.get("/__mock__/health").json == {"status": "ok"}
    # 46 sources and the Data Lake target
    assert client.get("/__mock__/ready").json["connectionSpecs"] == 47


def test_public_names_are_pinned() -> None:
    import mock_flowservice

    assert sorted(mock_flowservice.__all__) == [
        "DEFAULT_BASE_PATH",
        "Intercept",
        "MockConfig",
        "MockContext",
        "create_app",
        "intercept",
        "of_app",
    ]
    for name in mock_flowservice.__all__:
        assert getattr(mock_flowservice, name) is not None
