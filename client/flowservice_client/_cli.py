"""The ``flowservice`` command: a few client calls from the shell, JSON on stdout.

Settings come from the same ``FLOWSERVICE_*`` variables as :meth:`FlowServiceClient.from_env`;
``--base-url`` and ``--sandbox`` override two of them. API and transport errors go to stderr
with exit code 1; usage errors exit with 2 (click's convention). Secrets are taken from an
option, an environment variable or a hidden prompt, and never echoed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import click

from ._cli_pipeline import register as register_pipeline
from ._client import FlowServiceClient
from ._errors import FlowServiceError

__all__ = ["cli", "main"]

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class _State:
    """What the group hands to its commands: a ready client, or how to build one."""

    client: FlowServiceClient | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    def get_client(self) -> FlowServiceClient:
        if self.client is None:
            self.client = FlowServiceClient.from_env(**self.overrides)
        return self.client


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2))


def _client() -> FlowServiceClient:
    return click.get_current_context().ensure_object(_State).get_client()


def _reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn client errors into ``Error: ...`` on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except FlowServiceError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


_EPILOG = """\b
Settings (environment variables):
  FLOWSERVICE_API_KEY        x-api-key, the OAuth client id (required)
  FLOWSERVICE_ORG_ID         x-gw-ims-org-id (required)
  FLOWSERVICE_ACCESS_TOKEN   a bearer token, or instead
  FLOWSERVICE_CLIENT_SECRET  the client secret to fetch one from IMS
  FLOWSERVICE_BASE_URL       default: https://platform.adobe.io/data/foundation/flowservice
  FLOWSERVICE_IMS_URL        default: Adobe's IMS token endpoint
  FLOWSERVICE_SANDBOX, FLOWSERVICE_SCOPES, FLOWSERVICE_TIMEOUT

\b
Against a local mock-flowservice server (mock-flowservice serve):
  FLOWSERVICE_BASE_URL=http://127.0.0.1:8080/data/foundation/flowservice
  FLOWSERVICE_IMS_URL=http://127.0.0.1:8080/ims/token/v3
"""


@click.group(epilog=_EPILOG)
@click.version_option(
    package_name="mock-flowservice", prog_name="flowservice", message="%(prog)s %(version)s"
)
@click.option("--base-url", help="API base URL (default: $FLOWSERVICE_BASE_URL or production).")
@click.option("--sandbox", help="Sandbox name (default: $FLOWSERVICE_SANDBOX or prod).")
@click.pass_context
def cli(ctx: click.Context, base_url: str | None, sandbox: str | None) -> None:
    """Call Adobe Experience Platform's Flow Service API."""
    state = ctx.obj if isinstance(ctx.obj, _State) else _State()
    if isinstance(ctx.obj, FlowServiceClient):
        state.client = ctx.obj
    if base_url:
        state.overrides["base_url"] = base_url
    if sandbox:
        state.overrides["sandbox"] = sandbox
    ctx.obj = state


@cli.group()
def connections() -> None:
    """Base connections."""


@connections.command("list")
@click.option("--filter", "filters", multiple=True, help="A property filter, e.g. state==enabled.")
@click.option("--orderby", help="Sort field, e.g. -createdAt.")
@click.option("--limit", type=click.IntRange(min=1), help="Page size.")
@_reports_errors
def list_connections(filters: tuple[str, ...], orderby: str | None, limit: int | None) -> None:
    """List connections (all pages) as a JSON array."""
    found = _client().list_connections(list(filters), orderby=orderby, limit=limit)
    _echo_json([dict(connection.raw) for connection in found])


@connections.command("get")
@click.argument("connection_id")
@_reports_errors
def get_connection(connection_id: str) -> None:
    """Show one connection."""
    _echo_json(dict(_client().retrieve_connection(connection_id).raw))


@connections.command("delete")
@click.argument("connection_id")
@_reports_errors
def delete_connection(connection_id: str) -> None:
    """Delete a connection."""
    _client().delete_connection(connection_id)
    _echo_json({"id": connection_id, "deleted": True})


@connections.command("test")
@click.argument("connection_id")
@_reports_errors
def test_connection(connection_id: str) -> None:
    """Check a connection's credentials; prints {"id", "result"}."""
    _echo_json({"id": connection_id, "result": _client().test_connection(connection_id)})


@connections.command("create-dynamics")
@click.option("--name", required=True)
@click.option("--service-uri", required=True, help="e.g. https://org.crm.dynamics.com")
@click.option("--description")
@click.option("--username")
@click.option("--password", envvar="FLOWSERVICE_DYNAMICS_PASSWORD", show_envvar=True)
@click.option("--service-principal-id")
@click.option(
    "--service-principal-key", envvar="FLOWSERVICE_DYNAMICS_SERVICE_PRINCIPAL_KEY", show_envvar=True
)
@_reports_errors
def create_dynamics(
    name: str,
    service_uri: str,
    description: str | None,
    username: str | None,
    password: str | None,
    service_principal_id: str | None,
    service_principal_key: str | None,
) -> None:
    """Create a Microsoft Dynamics connection (basic or service principal auth)."""
    if (username is None) == (service_principal_id is None):
        raise click.UsageError("give either --username or --service-principal-id (exactly one)")
    if username is not None and password is None:
        password = click.prompt("Password", hide_input=True)
    if service_principal_id is not None and service_principal_key is None:
        service_principal_key = click.prompt("Service principal key", hide_input=True)
    created = _client().create_dynamics_connection(
        name,
        service_uri=service_uri,
        description=description,
        username=username,
        password=password if username is not None else None,
        service_principal_id=service_principal_id,
        service_principal_key=service_principal_key if service_principal_id is not None else None,
    )
    _echo_json({"id": created.id, "etag": created.etag})


@cli.group()
def specs() -> None:
    """Connection specs."""


@specs.command("list")
@click.option("--filter", "filters", multiple=True, help='e.g. name=="dynamics-online".')
@_reports_errors
def list_specs(filters: tuple[str, ...]) -> None:
    """List connection specs as a JSON array."""
    _echo_json([dict(spec.raw) for spec in _client().list_connection_specs(list(filters))])


@specs.command("get")
@click.argument("spec_id")
@_reports_errors
def get_spec(spec_id: str) -> None:
    """Show one connection spec."""
    _echo_json(dict(_client().retrieve_connection_spec(spec_id).raw))


register_pipeline(cli, _client, _echo_json, _reports_errors)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (``flowservice``)."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="flowservice")
