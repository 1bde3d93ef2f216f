"""Serving the app until Ctrl-C or SIGTERM: on waitress in one process, on gunicorn in several.

Both print ``mock-flowservice listening on http://HOST:PORT`` on stdout once the socket
listens (with the real port when ``port`` is 0) and return normally on SIGINT or SIGTERM, so
the command exits with status 0.

Both serve with waitress (:mod:`.front`), which reads whole requests before a thread sees
them. ``serve_workers`` runs gunicorn's master and ``workers`` forked processes, each serving
with waitress and ``threads`` threads (:mod:`.worker`), on a socket bound here first, so
``port`` 0 works and the printed port is the real one. The app is built once in the master
and forked (``preload_app``); the processes share nothing but what the app's store keeps on
disk, so several workers need a :class:`~mock_flowservice.storage.SqliteStore`.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from types import FrameType
from typing import Any

from flask import Flask

from ..context import EXTENSION_KEY, of_app
from . import front

__all__ = ["ListenError", "bind_socket", "serve", "serve_workers"]

log = logging.getLogger("mock_flowservice")


class ListenError(Exception):
    """The server could not listen on the address it was given (in use, not local...)."""

    def __init__(self, host: str, port: int, reason: OSError) -> None:
        super().__init__(f"cannot listen on {host}:{port}: {reason.strerror or reason}")


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(app: Flask, host: str, port: int, *, threads: int = 8, **options: Any) -> None:
    """Serve ``app`` on waitress until interrupted; prints the URL once the socket listens."""
    try:
        server: Any = front.create(app, host=host, port=port, threads=threads, **options)
    except OSError as exc:
        raise ListenError(host, port, exc) from exc
    url = f"http://{_url_host(host)}:{server.effective_port}"
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    _announce(app, url)
    try:
        server.run()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        server.close()
        sys.stdout.flush()


def bind_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (0: a free port) and listening."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock


def serve_workers(
    app: Flask,
    host: str,
    port: int,
    *,
    workers: int,
    threads: int = 8,
    log_level: str = "info",
) -> None:
    """Serve ``app`` on gunicorn with ``workers`` processes until SIGINT or SIGTERM."""
    from gunicorn.app.base import BaseApplication

    from .worker import WaitressWorker

    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        raise ListenError(host, port, exc) from exc
    url = f"http://{_url_host(host)}:{sock.getsockname()[1]}"
    fd = sock.detach()  # gunicorn owns (and closes) the descriptor from here on

    options: dict[str, Any] = {
        "bind": [f"fd://{fd}"],
        "workers": workers,
        "worker_class": WaitressWorker,
        "threads": threads,
        "preload_app": True,
        "accesslog": None,  # the app logs one line per request itself
        "errorlog": "-",
        "loglevel": log_level.lower(),
        "graceful_timeout": 5,
        "proc_name": "mock-flowservice",
        "when_ready": lambda arbiter: _announce(app, url),
        "control_socket_disable": True,  # gunicorn >= 25 would otherwise open one in $HOME
        "logger_class": _root_logger_class(),
    }

    class _Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in options.items():
                if name in self.cfg.settings:
                    self.cfg.set(name, value)

        def load(self) -> Flask:
            return app

    master = os.getpid()
    try:
        _Gunicorn().run()
    except SystemExit as stop:
        # gunicorn's master leaves through sys.exit(0) after a clean SIGINT/SIGTERM stop; a
        # forked worker unwinds through here too and must leave with its own status.
        if os.getpid() != master or stop.code not in (0, None):
            raise
    finally:
        sys.stdout.flush()


def _root_logger_class() -> type:
    """gunicorn's logger, its own lines sent through the root logger (the CLI's format)."""
    from gunicorn.glogging import Logger

    class RootLogger(Logger):  # type: ignore[misc]
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for handler in list(self.error_log.handlers):
                self.error_log.removeHandler(handler)
                handler.close()
            self.error_log.propagate = True

    return RootLogger


def _announce(app: Flask, url: str) -> None:
    print(f"mock-flowservice listening on {url}", flush=True)
    if EXTENSION_KEY in app.extensions:  # the proxy's app serves no mock of its own
        log.info("serving Flow Service mock at %s%s", url, of_app(app).config.base_path)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
