"""Runs (FACTS-2 §6) by the mock's clock: frozen, moved, and shared through the state file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from mock_flowservice import create_app

from .support import BASE_PATH, HEADERS
from .test_flows import _chain, _post, flow_body

T0_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
HOUR_MS = 3_600_000


def _freeze(client: FlaskClient, at_ms: int = T0_MS) -> None:
    answer = client.post("/__mock__/clock", json={"freeze": True, "set": at_ms})
    assert answer.status_code == 200
    assert answer.json == {"now": at_ms, "frozen": True, "offsetMs": answer.json["offsetMs"]}


def _advance(client: FlaskClient, ms: int) -> None:
    assert client.post("/__mock__/clock", json={"advanceMs": ms}).status_code == 200


def _flow(client: FlaskClient, **schedule: Any) -> str:
    _, source, target = _chain(client)
    params = {"startTime": str(T0_MS // 1000), "frequency": "hour", "interval": "1", **schedule}
    return str(_post(client, "/flows", flow_body(source, target, scheduleParams=params))["id"])


def _runs(client: FlaskClient, flow_id: str, extra: str = "") -> list[dict[str, Any]]:
    response = client.get(f"{BASE_PATH}/runs?property=flowId=={flow_id}{extra}", headers=HEADERS)
    assert response.status_code == 200
    return list(response.json["items"])


def test_a_run_is_in_progress_then_succeeds_with_the_tables_rows(client: FlaskClient) -> None:
    _freeze(client)
    flow_id = _flow(client)
    (run,) = _runs(client, flow_id)
    assert run["state"] == "inProgress"
    assert run["metrics"]["statusSummary"]["status"] == "inProgress"
    assert run["flowId"] == flow_id
    _advance(client, 61_000)
    (done,) = _runs(client, flow_id)
    assert done["id"] == run["id"]
    assert done["state"] == "success"
    summary = done["metrics"]["recordSummary"]
    assert summary == {"inputRecordCount": 24, "outputRecordCount": 24, "failedRecordCount": 0}
    assert done["metrics"]["durationSummary"] == {
        "startedAtUTC": T0_MS,
        "completedAtUTC": T0_MS + 60_000,
    }
    (batch,) = done["activities"][1]["targetInfo"][0]["reference"]["ids"]
    assert len(batch) == 26
    (one,) = client.get(f"{BASE_PATH}/runs/{run['id']}", headers=HEADERS).json["items"]
    assert one == done
    (flow,) = client.get(f"{BASE_PATH}/flows/{flow_id}", headers=HEADERS).json["items"]
    assert flow["lastRunDetails"] == {
        "id": run["id"],
        "state": "success",
        "startedAtUTC": T0_MS,
        "completedAtUTC": T0_MS + 60_000,
    }


def test_runs_follow_the_schedule_as_the_clock_moves(client: FlaskClient) -> None:
    _freeze(client)
    flow_id = _flow(client)
    _advance(client, 3 * HOUR_MS + 1)
    runs = _runs(client, flow_id)
    starts = [r["metrics"]["durationSummary"]["startedAtUTC"] for r in runs]
    assert starts == [T0_MS + n * HOUR_MS for n in range(4)]
    assert [r["state"] for r in runs] == ["success"] * 3 + ["inProgress"]
    assert len(_runs(client, flow_id, "&property=state==success")) == 3
    client.post(f"{BASE_PATH}/flows/{flow_id}/action?op=disable", headers=HEADERS)
    _advance(client, 5 * HOUR_MS)
    assert len(_runs(client, flow_id)) == 4  # a disabled flow runs no more


def test_outcomes_set_through_the_control_api(client: FlaskClient) -> None:
    _freeze(client)
    flow_id = _flow(client)
    errors = [{"code": "CONNECTOR-2001-500", "message": "Error occurred at promotion activity."}]
    queued = client.post(
        f"/__mock__/flows/{flow_id}/outcomes",
        json={
            "outcomes": [
                {"status": "failed", "errors": errors},
                {"status": "success", "failedRecords": 1},
            ]
        },
    )
    assert queued.json == {"flowId": flow_id, "queued": 2}
    _advance(client, HOUR_MS + 61_000)
    failed, partial = _runs(client, flow_id)
    assert failed["state"] == "failed"
    assert failed["metrics"]["statusSummary"]["errors"] == errors
    assert partial["state"] == "success"
    assert partial["metrics"]["recordSummary"]["failedRecordCount"] == 1
    (error,) = partial["metrics"]["statusSummary"]["errors"]
    assert error["code"] == "INGEST-1212-400"
    assert "Successfully ingested 23 rows" in error["message"]
    bad = client.post(f"/__mock__/flows/{flow_id}/outcomes", json={"outcomes": [{"status": "x"}]})
    assert bad.status_code == 400
    unknown = client.post("/__mock__/flows/nope/outcomes", json={"outcomes": []})
    assert unknown.status_code == 404


def test_once_runs_one_time_and_no_backfill_skips_the_past(client: FlaskClient) -> None:
    _freeze(client, T0_MS + 10 * HOUR_MS)
    _, source, target = _chain(client)
    once = {"startTime": str(T0_MS // 1000), "frequency": "once"}
    mapping = [t for t in flow_body(source, target)["transformations"] if t["name"] == "Mapping"]
    once_id = _post(
        client, "/flows", flow_body(source, target, scheduleParams=once, transformations=mapping)
    )["id"]
    no_backfill = _flow(client, backfill="false")
    _advance(client, 2 * HOUR_MS)
    assert len(_runs(client, once_id)) == 1
    starts = [r["metrics"]["durationSummary"]["startedAtUTC"] for r in _runs(client, no_backfill)]
    assert starts == [T0_MS + n * HOUR_MS for n in (10, 11, 12)]  # none before it was made


def test_the_clock_is_validated(client: FlaskClient) -> None:
    assert client.post("/__mock__/clock", json={"advanceMs": -1}).status_code == 400
    assert client.post("/__mock__/clock", json={"freeze": "yes"}).status_code == 400
    assert client.post("/__mock__/clock", json={"warp": 1}).status_code == 400
    assert client.post("/__mock__/clock", json={"freeze": False}).json["frozen"] is False
    assert client.get("/__mock__/clock").json["frozen"] is False


def test_two_processes_on_one_state_file_see_the_same_runs(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite")
    first: Flask = create_app({"state_path": path})
    second: Flask = create_app({"state_path": path})
    one, two = first.test_client(), second.test_client()
    _freeze(one)
    flow_id = _flow(one)
    _advance(two, 2 * HOUR_MS)  # the clock is shared: moved from the other app
    seen_by_one = _runs(one, flow_id)
    assert [r["id"] for r in _runs(two, flow_id)] == [r["id"] for r in seen_by_one]
    assert len(seen_by_one) == 3


def _once_flow(client: FlaskClient, start_s: int) -> str:
    _, source, target = _chain(client)
    once = {"startTime": str(start_s), "frequency": "once"}
    mapping = [t for t in flow_body(source, target)["transformations"] if t["name"] == "Mapping"]
    body = flow_body(source, target, scheduleParams=once, transformations=mapping)
    return str(_post(client, "/flows", body)["id"])


def test_on_demand_runs_only_for_flows_scheduled_once(client: FlaskClient) -> None:
    _freeze(client)
    once_id = _once_flow(client, T0_MS // 1000 + 86_400)  # due tomorrow
    created = client.post(
        f"{BASE_PATH}/runs",
        json={"flowId": once_id, "params": {"windowStartTime": "1", "windowEndTime": "2"}},
        headers=HEADERS,
    )
    assert created.status_code == 201
    assert set(created.json) == {"id", "etag"}
    (run,) = _runs(client, once_id)
    assert (run["id"], run["state"]) == (created.json["id"], "inProgress")
    _advance(client, 61_000)
    assert _runs(client, once_id)[0]["state"] == "success"
    hourly = _flow(client)
    refused = client.post(f"{BASE_PATH}/runs", json={"flowId": hourly}, headers=HEADERS)
    assert refused.json["type"].endswith("FLOW-1386-400")
    assert "frequency=hour" in refused.json["report"]["detailed-message"]
    for body, code in (
        ({}, "1446-400"),
        ({"flowId": "nope"}, "1430-400"),
        ({"flowId": once_id, "params": {"windowStartTime": 5, "windowEndTime": 4}}, "1381-400"),
    ):
        answer = client.post(f"{BASE_PATH}/runs", json=body, headers=HEADERS)
        assert (answer.status_code, answer.json["type"].rsplit("FLOW-", 1)[1]) == (400, code)


def test_a_failed_run_of_an_enabled_flow_can_be_retriggered(client: FlaskClient) -> None:
    _freeze(client)
    flow_id = _flow(client)
    client.post(f"/__mock__/flows/{flow_id}/outcomes", json={"outcomes": [{"status": "failed"}]})
    _advance(client, 61_000)
    (failed,) = _runs(client, flow_id)
    assert failed["state"] == "failed"
    url = f"{BASE_PATH}/runs/{failed['id']}/action"
    retried = client.post(url + "?op=re-trigger", headers=HEADERS)
    assert retried.status_code == 200
    assert _runs(client, flow_id)[0]["state"] == "inProgress"
    _advance(client, 61_000)
    assert _runs(client, flow_id)[0]["state"] == "success"
    again = client.post(url + "?op=re-trigger", headers=HEADERS)
    assert again.json["type"].endswith("FLOW-1387-400")
    assert client.post(url + "?op=explode", headers=HEADERS).json["type"].endswith("1451-400")


def test_a_provider_updates_a_run_with_if_match(client: FlaskClient) -> None:
    _freeze(client)
    flow_id = _flow(client)
    (run,) = _runs(client, flow_id)
    url = f"{BASE_PATH}/runs/{run['id']}"
    metrics = {**run["metrics"], "statusSummary": {"status": "failed", "errors": []}}
    missing = client.put(url, json={"metrics": metrics}, headers=HEADERS)
    assert missing.json["type"].endswith("FLOW-1403-400")
    done = client.put(url, json={"metrics": metrics}, headers={**HEADERS, "If-Match": run["etag"]})
    assert done.status_code == 200
    (updated,) = client.get(url, headers=HEADERS).json["items"]
    assert (updated["state"], updated["etag"]) == ("failed", done.json["etag"])
    stale = client.put(url, json={"metrics": metrics}, headers={**HEADERS, "If-Match": run["etag"]})
    assert stale.status_code == 412
    foreign = client.put(
        url, json={"flowId": "x"}, headers={**HEADERS, "If-Match": done.json["etag"]}
    )
    assert foreign.json["type"].endswith("FLOW-1100-400")
