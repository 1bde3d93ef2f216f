"""A connection closed without an answer, as a fault rule's ``drop`` asks.

The server code knows how each server closes a socket unanswered, so the exception that does
it lives here: the app's fault hook answers with :func:`dropping_body`, whose first chunk
raises :class:`DroppedConnection` while the response is being sent.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator

from waitress.channel import ClientDisconnected

__all__ = ["DroppedConnection", "dropping_body"]


class DroppedConnection(ClientDisconnected, ConnectionResetError):  # type: ignore[misc]
    """Raised while a response body is sent, so the server closes the socket unanswered.

    waitress closes quietly on its ``ClientDisconnected``; gunicorn and werkzeug's server do
    so on a ``ConnectionResetError`` (errno ``ECONNRESET``). In-process (Flask's test client)
    the exception reaches the caller.
    """

    def __init__(self) -> None:
        super().__init__(errno.ECONNRESET, "connection dropped by a fault rule")


def dropping_body() -> Iterator[bytes]:
    """A response body that drops the connection before its first byte."""
    raise DroppedConnection()
    yield b""  # pragma: no cover - makes this a generator
