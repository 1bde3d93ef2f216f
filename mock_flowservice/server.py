"""Serving the app on waitress, a production WSGI server, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType
from typing import Any

from flask import Flask
from waitress.server import create_server

from .context import of_app

__all__ = ["serve"]

log = logging.getLogger("mock_flowservice")


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(app: Flask, host: str, port: int, *, threads: int = 8, **options: Any) -> None:
    """Serve ``app`` until interrupted; prints the URL once the socket listens."""
    server: Any = create_server(app, host=host, port=port, threads=threads, **options)
    url = f"http://{_url_host(host)}:{server.effective_port}"
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    print(f"mock-flowservice listening on {url}", flush=True)
    log.info("serving Flow Service mock at %s%s", url, _base_path(app))
    try:
        server.run()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        server.close()
        sys.stdout.flush()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _base_path(app: Flask) -> str:
    return of_app(app).config.base_path
