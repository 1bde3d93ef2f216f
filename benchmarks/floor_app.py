"""The "floor": the least a Flask app can do for the benchmark's three requests.

Same routes and response shapes as the mock, no gateway checks, no validation, no masking,
no logging. The mock's speed is reported as a ratio to this app under the same WSGI server.

* ``POST {BASE}/connections`` stores the body (plus id, timestamps, etag) in a dict and answers
  ``201 {"id", "etag"}``.
* ``GET {BASE}/connections/<id>`` answers ``{"items": [obj]}``. Under gunicorn each worker has
  its own dict, so an id created by another worker is unknown here: the route is tolerant and
  answers a fixed sample object instead of 404 (the work done is the same).
* ``GET {BASE}/connections?limit=N`` answers the first N stored objects (padded with the sample
  when a worker knows fewer) and a ``_links.next`` like the real service.
* The pipeline's routes (#13): ``POST {BASE}/sourceConnections``, ``/targetConnections`` and
  ``/flows`` store the body like a connection and answer ``201 {"id", "etag"}``;
  ``GET {BASE}/runs`` and ``GET {BASE}/connections/<id>/explore`` answer a body of the mock's
  shape, read once from the JSON file named by ``FLOOR_CANNED`` (``{"runs": ..., "preview":
  ...}``, written by ``benchmarks/run.py`` from the mock's own answers; small stand-ins when
  unset). Each answer is encoded per request, as the mock encodes its records.
* ``GET /__health`` answers ``{"status": "ok"}``.

Run it under waitress with ``python benchmarks/floor_app.py --port N --threads 8`` or under
gunicorn with ``gunicorn --chdir benchmarks -k mock_flowservice.server.worker.WaitressWorker
-w 2 --threads 8 floor_app:app`` (the worker ``serve --workers`` runs).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import time
import uuid
from typing import Any

from flask import Flask, request

__all__ = ["SAMPLE", "app", "create_floor_app", "main"]

BASE_PATH = "/data/foundation/flowservice"

SAMPLE: dict[str, Any] = {
    "id": "00000000-0000-0000-0000-00000000f100",
    "createdAt": 1700000000000,
    "updatedAt": 1700000000000,
    "createdBy": "test-client@AdobeID",
    "updatedBy": "test-client@AdobeID",
    "sandboxName": "prod",
    "imsOrgId": "5C1328435BF324E90A49402A@AdobeOrg",
    "name": "Dynamics connection",
    "description": "Dynamics connection with basic auth",
    "auth": {
        "specName": "Basic Authentication for Dynamics-Online",
        "params": {
            "serviceUri": "https://contoso.crm.dynamics.com",
            "username": "ops@contoso.example",
            "password": "********",
        },
    },
    "connectionSpec": {"id": "38ad80fe-8b06-4938-94f4-d4ee80266b07", "version": "1.0"},
    "state": "enabled",
    "etag": '"00000000-0000-0000-0000-000000000000"',
}


def create_floor_app() -> Flask:
    """A new floor app with its own empty dict."""
    app = Flask("floor")
    store: dict[str, dict[str, Any]] = {}

    @app.get("/__health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post(f"{BASE_PATH}/connections")
    def create() -> tuple[dict[str, str], int]:
        return _store_body(store)

    @app.get(f"{BASE_PATH}/connections/<cid>")
    def retrieve(cid: str) -> dict[str, Any]:
        return {"items": [store.get(cid, SAMPLE)]}

    @app.get(f"{BASE_PATH}/connections")
    def listing() -> dict[str, Any]:
        limit = min(max(request.args.get("limit", 20, type=int) or 20, 1), 1000)
        items = list(itertools.islice(store.values(), limit))
        items += [SAMPLE] * (limit - len(items))
        links = {"next": {"href": f"{BASE_PATH}/connections?limit={limit}&continuationToken=x"}}
        return {"items": items, "_links": links}

    @app.post(f"{BASE_PATH}/<any(sourceConnections, targetConnections, flows):collection>")
    def create_pipeline(collection: str) -> tuple[dict[str, str], int]:
        return _store_body(pipeline)

    @app.get(f"{BASE_PATH}/runs")
    def runs() -> dict[str, Any]:
        return dict(_canned()["runs"])

    @app.get(f"{BASE_PATH}/connections/<cid>/explore")
    def explore(cid: str) -> dict[str, Any]:
        return dict(_canned()["preview"])

    pipeline: dict[str, dict[str, Any]] = {}
    return app


def _store_body(store: dict[str, dict[str, Any]]) -> tuple[dict[str, str], int]:
    """Keep the request's JSON body with an id, timestamps and an etag; ``201 {id, etag}``."""
    body = request.get_json(force=True, silent=True) or {}
    now = int(time.time() * 1000)
    oid = str(uuid.uuid4())
    etag = f'"{uuid.uuid4()}"'
    store[oid] = {"id": oid, "createdAt": now, "updatedAt": now, **body, "etag": etag}
    return {"id": oid, "etag": etag}, 201


@functools.cache
def _canned() -> dict[str, Any]:
    """The pipeline answers the floor gives (see the module docstring)."""
    path = os.environ.get("FLOOR_CANNED")
    if path:
        with open(path, encoding="utf-8") as handle:
            found: dict[str, Any] = json.load(handle)
            return found
    return {"runs": {"items": [SAMPLE] * 10, "_links": {}}, "preview": {"data": [SAMPLE] * 8}}


app = create_floor_app()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the floor app on waitress.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    from waitress.server import create_server

    server: Any = create_server(app, host=args.host, port=args.port, threads=args.threads)
    print(f"floor listening on http://{args.host}:{server.effective_port}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":
    main()
