"""The ``mock-flowservice`` command (also ``python -m mock_flowservice``).

``mock-flowservice proxy --upstream URL`` runs the validation proxy (docs/proxy.md);
``serve --replay DIR`` answers a recording's requests from it, and ``seed DIR`` turns the
objects of a recording into mock state (docs/recordings.md).

``mock-flowservice config`` prints the settings (``--config FILE`` checked against the schema,
exit status 2 when it does not fit) or, with ``--schema``, the JSON Schema of a settings file.

``mock-flowservice serve`` runs the mock until Ctrl-C or SIGTERM (exit status 0) and prints
``mock-flowservice listening on http://HOST:PORT`` once it accepts connections. One process
serves on waitress; ``--workers N`` (N > 1) serves on gunicorn with N processes sharing one
SQLite state: the ``--state`` file, or else a temporary file deleted when the server stops.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask import Flask

from .app import create_app
from .config import ConfigError, MockConfig, masked_settings, settings_schema
from .context import of_app
from .control.seeding import seed_connections
from .errors import MockError
from .logs import configure_logging
from .server.run import ListenError, serve_workers
from .server.run import serve as serve_app
from .storage import SqliteStore, StateFileError

if TYPE_CHECKING:
    from .proxy.recording import Recorded

__all__ = ["main"]

log = logging.getLogger("mock_flowservice")

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
HOST = click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to listen on."
)
LOG_LEVEL = click.option(
    "--log-level",
    default="INFO",
    show_default=True,
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
)
LOG_FORMAT = click.option(
    "--log-format",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json"]),
    help="Log lines on stderr as text or as one JSON object each.",
)

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def port_option(default: int) -> Decorator:
    return click.option(
        "--port",
        default=default,
        show_default=True,
        type=click.IntRange(0, 65535),
        help="Port to listen on; 0 picks a free one (the printed URL shows it).",
    )


def threads_option(text: str) -> Decorator:
    return click.option(
        "--threads", default=8, show_default=True, type=click.IntRange(1, 256), help=text
    )


def config_option(text: str) -> Decorator:
    return click.option(
        "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help=text
    )


class CannotStart(click.ClickException):
    """A reason not to start, shown as one ``Error: ...`` line; exit status 2."""

    exit_code = 2


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


@main.command("config")
@click.option("--schema", is_flag=True, help="Print the JSON Schema of a --config file.")
@config_option("A JSON file of settings to check (exit status 2 when it does not fit the schema).")
def config_command(schema: bool, config_path: Path | None) -> None:
    """Print the settings (defaults, or FILE's checked) as JSON, or with --schema their schema.

    Every setting is a field of MockConfig; docs/settings.md has the table of them.
    """
    if schema:
        click.echo(json.dumps(settings_schema(), indent=2))
        return
    try:
        config = MockConfig.from_mapping(_load_settings(config_path))
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--config") from None
    click.echo(json.dumps(masked_settings(config), indent=2))


def control_policy(host: str, settings: dict[str, Any]) -> str:
    """ "auto" resolved: the control API is on for loopback, or when a control token guards it."""
    return "on" if host in LOOPBACK or settings.get("control_token") else "off"


def control_hosts(host: str, settings: dict[str, Any]) -> list[str]:
    """The configured ``control_hosts`` and the address the server listens on (unless it is
    loopback, always allowed, or every interface, which names no host)."""
    configured = settings.get("control_hosts") or []
    if not isinstance(configured, list):
        raise click.BadParameter("control_hosts must be a JSON array", param_hint="--config")
    if host in LOOPBACK or host in ("0.0.0.0", "::", ""):
        return list(configured)
    return [*configured, host]


def _gunicorn_available() -> bool:
    try:
        importlib.import_module("gunicorn.app.base")
    except ImportError:
        return False
    return True


@main.command()
@HOST
@port_option(8080)
@threads_option("Request threads (per worker process).")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes. More than 1 runs gunicorn (pip install 'mock-flowservice[workers]') "
    "sharing one SQLite state: --state, or a temporary file deleted on exit.",
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file keeping connections and issued tokens across restarts "
    "(created if missing; secret params are stored in it as sent).",
)
@config_option(
    "JSON file of MockConfig settings (docs/settings.md; 'config --schema' prints them)."
)
@click.option(
    "--token-policy",
    type=click.Choice(["any", "issued"]),
    help="Accept any bearer token, or only tokens issued by the mock's IMS endpoint.",
)
@click.option(
    "--strict",
    is_flag=True,
    default=False,
    help="The realistic gateway: issued tokens only, the token's client id as x-api-key, "
    "org ids of the real form, known sandboxes only (the 'strict' setting).",
)
@LOG_LEVEL
@LOG_FORMAT
@click.option(
    "--replay",
    "replay_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A recording of 'mock-flowservice proxy --record': its requests answered from it.",
)
@click.option(
    "--replay-miss",
    default="mock",
    show_default=True,
    type=click.Choice(["mock", "404"]),
    help="With --replay, who answers a request the recording lacks: the mock, or a 404.",
)
def serve(
    host: str,
    port: int,
    threads: int,
    workers: int,
    state_path: Path | None,
    config_path: Path | None,
    token_policy: str | None,
    strict: bool,
    log_level: str,
    log_format: str,
    replay_dir: Path | None,
    replay_miss: str,
) -> None:
    """Serve the mock until Ctrl-C or SIGTERM (waitress; gunicorn with --workers > 1)."""
    settings = _load_settings(config_path)
    recorded = _read_recording(replay_dir) if replay_dir is not None else None
    if workers > 1 and not _gunicorn_available():
        raise click.UsageError(
            "--workers > 1 needs gunicorn: pip install 'mock-flowservice[workers]'"
        )
    configure_logging(log_level.upper(), "json" if log_format == "json" else "text")
    if token_policy:
        settings["token_policy"] = token_policy
    if strict:
        settings["strict"] = True
    if state_path is not None:
        settings["state_path"] = str(state_path)
    settings.setdefault("control_api", control_policy(host, settings))
    settings["control_hosts"] = control_hosts(host, settings)
    temporary: str | None = None
    if workers > 1 and not settings.get("state_path"):
        temporary = tempfile.mkdtemp(prefix="mock-flowservice-")
        settings["state_path"] = os.path.join(temporary, "state.sqlite3")
    owner = os.getpid()
    try:
        try:
            app = create_app(settings)
        except StateFileError as exc:
            raise CannotStart(str(exc)) from None
        except (TypeError, ValueError, sqlite3.Error) as exc:
            raise click.UsageError(str(exc)) from None
        if recorded is not None:
            from .proxy import install_replay  # the proxy package only when asked for

            install_replay(app, recorded, miss="404" if replay_miss == "404" else "mock")
            log.info("replaying %d recorded exchanges", len(recorded))
        _run(app, host, port, workers=workers, threads=threads, log_level=log_level)
    finally:
        # A forked gunicorn worker unwinds through here as well: only the owner cleans up.
        if temporary is not None and os.getpid() == owner:
            shutil.rmtree(temporary, ignore_errors=True)


def _run(app: Flask, host: str, port: int, *, workers: int, threads: int, log_level: str) -> None:
    try:
        if workers > 1:
            serve_workers(app, host, port, workers=workers, threads=threads, log_level=log_level)
        else:
            serve_app(app, host, port, threads=threads)
    except ListenError as exc:
        raise click.ClickException(str(exc)) from None
    store = of_app(app).store
    store.close()
    if isinstance(store, SqliteStore):
        store.remove_lock_file()  # a clean exit leaves no FILE.lock behind
    log.info("mock-flowservice stopped")


def _read_recording(directory: Path) -> list[Recorded]:
    from .proxy import RecordingError, read_recording

    try:
        return read_recording(directory)
    except RecordingError as exc:
        raise click.BadParameter(str(exc), param_hint="--replay/DIR") from None


@main.command()
@click.option(
    "--upstream",
    required=True,
    help="The Flow Service origin to forward to, e.g. https://platform.adobe.io (required).",
)
@click.option(
    "--ims-upstream",
    help="The IMS origin /ims/... requests go to, e.g. https://ims-na1.adobelogin.com "
    "(default: --upstream).",
)
@HOST
@port_option(8081)
@click.option(
    "--record",
    "record_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep every exchange (redacted) in this directory (docs/recordings.md).",
)
@click.option("--shadow", is_flag=True, help="Compare each answer with an in-process mock's.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the drift report here (JSON, and Markdown next to it) when the proxy stops.",
)
@config_option("MockConfig settings of the checks and the shadow (base path, mask...).")
@threads_option("Request threads.")
@LOG_LEVEL
@LOG_FORMAT
def proxy(
    upstream: str,
    ims_upstream: str | None,
    host: str,
    port: int,
    record_dir: Path | None,
    shadow: bool,
    report_path: Path | None,
    config_path: Path | None,
    threads: int,
    log_level: str,
    log_format: str,
) -> None:
    """Forward to the real Flow Service, checking every exchange; Ctrl-C or SIGTERM stops it."""
    from .proxy import ProxySettings, RecordingError, create_proxy_app, proxy_state, write_report

    configure_logging(log_level.upper(), "json" if log_format == "json" else "text")
    settings = ProxySettings(
        upstream=upstream,
        ims_upstream=ims_upstream,
        record=record_dir,
        shadow=shadow,
        mock_settings=_load_settings(config_path),
    )
    try:
        app = create_proxy_app(settings)
    except (ConfigError, RecordingError) as exc:
        raise CannotStart(str(exc)) from None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--upstream/--ims-upstream") from None
    state = proxy_state(app)
    try:
        serve_app(app, host, port, threads=threads)
    except ListenError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        state.close()
        if report_path is not None:
            for written in write_report(state.report.as_json(), report_path):
                log.info("drift report written to %s", written)
    log.info("mock-flowservice proxy stopped")


@main.command()
@click.argument("recording", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Load the objects into this SQLite state file (created if missing) for 'serve --state'.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the seed document (POST /__mock__/seed) to this file; '-' prints it.",
)
@config_option("MockConfig settings (base path, mask) the objects are checked with.")
def seed(
    recording: Path, state_path: Path | None, output: Path | None, config_path: Path | None
) -> None:
    """Import the base connections a recording's answers hold as mock state."""
    from .proxy import seed_document

    if state_path is None and output is None:
        raise click.UsageError("give --state FILE, --output FILE, or both")
    settings = _load_settings(config_path)
    try:
        config = MockConfig.from_mapping(settings)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--config") from None
    document = seed_document(_read_recording(recording), config.base_path)
    if output is not None:
        text = json.dumps(document, indent=2, ensure_ascii=False)
        if str(output) == "-":
            click.echo(text)
        else:
            output.write_text(text + "\n", "utf-8")
    if state_path is not None:
        _seed_state(settings, state_path, document)


def _seed_state(settings: dict[str, Any], state_path: Path, document: dict[str, Any]) -> None:
    try:
        app = create_app({**settings, "state_path": str(state_path), "control_api": "off"})
    except StateFileError as exc:
        raise CannotStart(str(exc)) from None
    ctx = of_app(app)
    try:
        loaded = seed_connections(ctx.store, ctx.catalog, ctx.config, document)
    except MockError as exc:
        raise CannotStart(f"the recording's objects cannot be seeded: {exc}") from None
    finally:
        ctx.store.close()
    click.echo(f"seeded {loaded} connections into {state_path}", err=True)
