"""Overrides: one answer forced for matching requests, on top of the stateful mock."""

from __future__ import annotations

import requests

from mock_flowservice import intercept

from .support import BASE_PATH, HEADERS, MockServer, dynamics_basic_body

BASE = "https://platform.adobe.io" + BASE_PATH


def test_an_override_answers_n_times_then_the_mock_answers_again() -> None:
    with intercept() as mock:
        created = requests.post(BASE + "/connections", json=dynamics_basic_body(), headers=HEADERS)
        cid = created.json()["id"]
        mock.add_override(
            "GET", "*/connections/*", status=503, body={"error_code": "503000"},
            headers={"Retry-After": "7"}, times=2,
        )  # fmt: skip
        answers = [requests.get(f"{BASE}/connections/{cid}", headers=HEADERS) for _ in range(3)]
        assert [a.status_code for a in answers] == [503, 503, 200]
        assert answers[0].json() == {"error_code": "503000"}
        assert answers[0].headers["Retry-After"] == "7"
        assert answers[2].json()["items"][0]["id"] == cid
        assert mock.faults == []  # used up
        assert [c.status for c in mock.calls("GET", "/connections/")] == [503, 503, 200]


def test_an_override_can_match_a_json_subset_and_query_values() -> None:
    with intercept() as mock:
        principal_auth = {"specName": "Service Principal Key Based Authentication"}
        mock.add_override(
            "POST", "*/connections", status=409, json={"auth": principal_auth},
            body={"message": "conflict"},
        )  # fmt: skip
        mock.add_override("GET", "*/explore", status=200, body=[], query={"objectType": "root"})
        basic = requests.post(BASE + "/connections", json=dynamics_basic_body(), headers=HEADERS)
        assert basic.status_code == 201
        principal = {
            **dynamics_basic_body(),
            "auth": {"specName": "Service Principal Key Based Authentication",
                     "params": {"serviceUri": "u", "servicePrincipalId": "i",
                                "servicePrincipalKey": "k"}},
        }  # fmt: skip
        refused = requests.post(BASE + "/connections", json=principal, headers=HEADERS)
        assert (refused.status_code, refused.json()) == (409, {"message": "conflict"})
        cid = basic.json()["id"]
        root = requests.get(f"{BASE}/connections/{cid}/explore?objectType=root", headers=HEADERS)
        assert root.json() == []
        table = "objectType=table&object=contact"
        real = requests.get(f"{BASE}/connections/{cid}/explore?{table}", headers=HEADERS)
        assert real.json()["format"] == "flat"
        assert len(mock.connections()) == 1  # the overridden create stored nothing


def test_overrides_through_the_control_api_over_a_socket(mock_server: MockServer) -> None:
    rule = {
        "method": "GET",
        "path": "*/flowSpecs",
        "respond": {"status": 200, "body": {"items": []}},
    }
    added = requests.post(mock_server.url + "/__mock__/overrides", json=rule, timeout=10)
    assert added.status_code == 201, added.json()
    listed = requests.get(mock_server.base_url + "/flowSpecs", headers=HEADERS, timeout=10)
    assert listed.json() == {"items": []}
    (stored,) = requests.get(mock_server.url + "/__mock__/faults", timeout=10).json()["items"]
    assert (stored["id"], stored["hits"]) == (added.json()["id"], 1)
    bad_rules = [
        {"path": "*"}, {"respond": {"status": 99}}, {"respond": {"colour": 1}},
        {"respond": {"headers": {"X": "a\r\nb"}}}, {"respond": {}, "status": 500},
    ]  # fmt: skip
    for bad in bad_rules:
        refused = requests.post(mock_server.url + "/__mock__/overrides", json=bad, timeout=10)
        assert refused.status_code == 400, bad
    mock_server.reset()
    assert requests.get(mock_server.base_url + "/flowSpecs", headers=HEADERS, timeout=10).json()[
        "items"
    ]
