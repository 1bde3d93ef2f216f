"""The per-app bundle of config, store and catalog, and how a view reaches it.

The control plane keeps its own state (journal, fault rules) apart, in
:mod:`mock_flowservice.control.plane`; what one request carries between hooks is in
:mod:`mock_flowservice.request_state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app

from .catalog import Catalog
from .config import MockConfig
from .flow_catalog import FlowSpecCatalog, load_flow_specs
from .storage import Store

__all__ = ["EXTENSION_KEY", "MockContext", "current", "of_app"]

EXTENSION_KEY = "flowservice"


@dataclass(frozen=True)
class MockContext:
    """What the API side of a mock app holds: settings, store, connection and flow specs."""

    config: MockConfig
    store: Store
    catalog: Catalog
    flow_specs: FlowSpecCatalog = field(default_factory=load_flow_specs)


def of_app(app: Flask) -> MockContext:
    """The context of a given app (tests and the intercept layer use this)."""
    context: MockContext = app.extensions[EXTENSION_KEY]
    return context


def current() -> MockContext:
    """The context of the app handling the current request."""
    return of_app(current_app)
