"""A gunicorn worker whose HTTP is waitress (:mod:`.front`), as in one process.

gunicorn's own ``gthread`` worker gives a connection to a thread as soon as its first bytes
arrive, and the thread then blocks until the request is complete: 50 clients that trickle
their headers take every thread. Here gunicorn keeps what it is good at (the master, forking
the preloaded app, restarting a dead worker, signals, heartbeats) and each worker serves the
shared socket with waitress, which buffers whole requests on its event loop. One server
behaves the same with one process or several: the same limits, the same JSON refusals.

Imported only when ``serve --workers`` runs (gunicorn is the ``workers`` extra).
"""

from __future__ import annotations

import os
import time
from typing import Any

from gunicorn.workers.base import Worker
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer

from . import front

__all__ = ["WaitressWorker"]

#: Seconds per turn of the event loop: how often the worker tells the master it is alive and
#: notices that it should stop.
TURN = 0.5


class WaitressWorker(Worker):  # type: ignore[misc]
    """Serve gunicorn's listening sockets with waitress until told to stop."""

    def run(self) -> None:
        socket_map: dict[int, Any] = {}
        server = front.create(
            self.wsgi,
            threads=self.cfg.threads,
            sockets=[listener.sock for listener in self.sockets],
            socket_map=socket_map,
        )
        try:
            while self.alive and os.getppid() == self.ppid:
                self.notify()
                wasyncore.loop(timeout=TURN, map=socket_map, use_poll=True, count=1)
        finally:
            _stop_accepting(socket_map)  # the requests in hand are answered first
            deadline = time.monotonic() + self.cfg.graceful_timeout
            while _busy(socket_map) and time.monotonic() < deadline:
                wasyncore.loop(timeout=0.05, map=socket_map, use_poll=True, count=1)
            server.task_dispatcher.shutdown(timeout=1)
            wasyncore.close_all(socket_map)


def _stop_accepting(socket_map: dict[int, Any]) -> None:
    """Close the listening sockets, and nothing else.

    waitress's ``server.close()`` also closes the trigger that a task thread pulls when its
    answer is ready: a request still in hand then failed with ``EBADF`` in that thread (and a
    traceback in the log). The trigger is closed with the connections, after the threads stop.
    """
    for dispatcher in list(socket_map.values()):
        if isinstance(dispatcher, BaseWSGIServer):
            wasyncore.dispatcher.close(dispatcher)


def _busy(socket_map: dict[int, Any]) -> bool:
    """Whether a connection still has a request in hand or an answer to send."""
    return any(
        isinstance(channel, HTTPChannel) and bool(channel.requests or channel.total_outbufs_len)
        for channel in socket_map.values()
    )
