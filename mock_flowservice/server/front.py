"""The HTTP front of every served mock: waitress, in one process and in each worker.

waitress reads each request whole (headers and body, a large body spooled to a temporary
file) on its event loop before a request thread sees it, so a client that trickles its bytes
holds a socket, never a thread: fifty slow clients do not starve the others. The requests
waitress itself refuses (a malformed request line or chunk size, headers over its limit, a
body over its limit, a transfer coding it does not know) are answered here as JSON in the
gateway's error form, like every refusal of the app (:mod:`..handlers`).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

from ..errors import GATEWAY_ERRORS, GatewayError

__all__ = ["JsonErrorChannel", "create"]


def _gateway_code(status: int) -> str:
    code = f"{status}000"
    return code if code in GATEWAY_ERRORS else "400000"


class JsonErrorTask(ErrorTask):  # type: ignore[misc]
    """waitress's answer to a request it refused, as a gateway error body."""

    def execute(self) -> None:
        error = GatewayError(_gateway_code(self.request.error.code))
        body = json.dumps(error.body(""), separators=(",", ":")).encode()
        self.status = f"{error.status} {HTTPStatus(error.status).phrase}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JsonErrorChannel(HTTPChannel):  # type: ignore[misc]
    """A waitress channel whose refusals are :class:`JsonErrorTask`."""

    error_task_class = JsonErrorTask


def create(
    app: Any,
    *,
    threads: int,
    host: str | None = None,
    port: int | None = None,
    sockets: Sequence[socket.socket] = (),
    socket_map: dict[int, Any] | None = None,
    **options: Any,
) -> Any:
    """A waitress server for ``app`` on ``host``:``port`` or on listening ``sockets``."""
    where: dict[str, Any] = {"sockets": list(sockets)} if sockets else {"host": host, "port": port}
    server = create_server(app, map=socket_map, threads=threads, **where, **options)
    # create_server answers one server for one socket (several only for several sockets).
    server.channel_class = JsonErrorChannel
    return server
