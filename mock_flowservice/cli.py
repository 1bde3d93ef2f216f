"""The ``mock-flowservice`` command (also ``python -m mock_flowservice``)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import click

from .app import create_app
from .server import serve as serve_app

__all__ = ["main"]

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@click.group()
@click.version_option(package_name="mock-flowservice")
def main() -> None:
    """An offline mock of Adobe Experience Platform's Flow Service API."""


def _load_settings(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        settings = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"cannot read {path}: {exc}", param_hint="--config") from None
    if not isinstance(settings, dict):
        raise click.BadParameter("must hold a JSON object", param_hint="--config")
    return settings


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file of MockConfig settings (see DECISIONS.md).",
)
@click.option(
    "--token-policy",
    type=click.Choice(["any", "issued"]),
    help="Accept any bearer token, or only tokens issued by the mock's IMS endpoint.",
)
@click.option("--log-level", default="INFO", show_default=True)
def serve(
    host: str,
    port: int,
    threads: int,
    config_path: Path | None,
    token_policy: str | None,
    log_level: str,
) -> None:
    """Serve the mock on a production WSGI server (waitress) until Ctrl-C."""
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    settings = _load_settings(config_path)
    if token_policy:
        settings["token_policy"] = token_policy
    settings.setdefault("control_api", "on" if host in LOOPBACK else "off")
    try:
        app = create_app(settings)
    except (TypeError, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
    serve_app(app, host, port, threads=threads)
