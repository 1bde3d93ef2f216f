"""``flowservice sources|targets|flows|runs``: the pipeline from the command line.

Each collection gets the same commands (``list``, ``get``, ``create FILE`` with a JSON request
body, ``delete``), written once in :func:`_collection`; flows add ``enable`` and ``disable``,
runs ``list --flow``, ``get`` and ``wait`` (a progress display until a run has finished).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from ._client import FlowServiceClient
from ._pipeline import FLOWS, SOURCES, TARGETS, _Collection

__all__ = ["register"]

Client = Callable[[], FlowServiceClient]
Echo = Callable[[Any], None]
Wrap = Callable[[Callable[..., Any]], Callable[..., Any]]


def _raw(items: Iterable[Any]) -> list[dict[str, Any]]:
    return [dict(item.raw) for item in items]


def _collection(
    group: click.Group, collection: _Collection[Any], client: Client, echo: Echo, wrap: Wrap
) -> None:
    """``list``, ``get``, ``create FILE`` and ``delete`` of one collection."""

    @group.command("list")
    @click.option(
        "--filter", "filters", multiple=True, help="A property filter, e.g. state==enabled."
    )
    @click.option("--limit", type=click.IntRange(min=1), help="Page size.")
    @wrap
    def list_items(filters: tuple[str, ...], limit: int | None) -> None:
        """List them (all pages) as a JSON array."""
        echo(_raw(collection.every(client()._transport, list(filters), limit=limit)))

    @group.command("get")
    @click.argument("record_id")
    @wrap
    def get_item(record_id: str) -> None:
        """Show one."""
        echo(dict(collection.retrieve(client()._transport, record_id).raw))

    @group.command("create")
    @click.argument("body_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--draft", is_flag=True, help="Create it in state draft (mode=draft).")
    @wrap
    def create_item(body_file: Path, draft: bool) -> None:
        """Create one from a JSON file holding the request body."""
        try:
            body = json.loads(body_file.read_text("utf-8"))
        except ValueError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="BODY_FILE") from None
        created = collection.create(client()._transport, body, draft)
        echo({"id": created.id, "etag": created.etag})

    @group.command("delete")
    @click.argument("record_id")
    @wrap
    def delete_item(record_id: str) -> None:
        """Delete one."""
        collection.delete(client()._transport, record_id)
        echo({"id": record_id, "deleted": True})


def register(cli: click.Group, client: Client, echo: Echo, wrap: Wrap) -> None:
    """Add the pipeline's command groups to the ``flowservice`` command."""
    for name, help_text, collection in (
        ("sources", "Source connections.", SOURCES),
        ("targets", "Target connections.", TARGETS),
        ("flows", "Dataflows.", FLOWS),
    ):
        group = click.Group(name, help=help_text)
        _collection(group, collection, client, echo, wrap)
        cli.add_command(group)
    flows = cli.commands["flows"]
    assert isinstance(flows, click.Group)

    for op in ("enable", "disable"):

        @flows.command(op, help=f"{op.capitalize()} a dataflow.")
        @click.argument("flow_id")
        @wrap
        def act(flow_id: str, op: str = op) -> None:
            ref = FLOWS.action(client()._transport, flow_id, op)
            echo({"id": ref.id, "etag": ref.etag})

    runs = click.Group("runs", help="Flow runs.")
    cli.add_command(runs)

    @runs.command("list")
    @click.option("--flow", "flow_id", help="Only the runs of this flow.")
    @wrap
    def list_runs(flow_id: str | None) -> None:
        """List runs as a JSON array."""
        echo(_raw(client().list_runs(flow_id)))

    @runs.command("get")
    @click.argument("run_id")
    @wrap
    def get_run(run_id: str) -> None:
        """Show one run."""
        echo(dict(client().retrieve_run(run_id).raw))

    @runs.command("wait")
    @click.argument("run_id")
    @click.option("--timeout", type=click.FloatRange(min=0), default=600.0, show_default=True)
    @click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True)
    @wrap
    def wait_run(run_id: str, timeout: float, interval: float) -> None:
        """Wait until a run has finished (a progress display on stderr), then show it."""
        deadline = time.monotonic() + timeout
        progress: Any = click.progressbar(
            length=max(1, int(timeout)), label=f"run {run_id}", file=sys.stderr
        )
        with progress as bar:
            while True:
                run = client().retrieve_run(run_id)
                if run.state in ("success", "failed"):
                    break
                if time.monotonic() >= deadline:
                    raise click.ClickException(f"run {run_id} still {run.state} after {timeout}s")
                time.sleep(interval)
                bar.update(int(interval))
        echo(dict(run.raw))
        if run.state == "failed":
            raise SystemExit(1)
