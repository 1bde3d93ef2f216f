"""The per-app bundle of config, store, catalog, journal and faults, and how a view reaches it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app

from .catalog import Catalog
from .config import MockConfig
from .faults import FaultRules
from .journal import Journal
from .store import Store

__all__ = ["EXTENSION_KEY", "MockContext", "current", "of_app"]

EXTENSION_KEY = "flowservice"


@dataclass(frozen=True)
class MockContext:
    """Everything a mock app holds: config, store, catalog, request journal, fault rules."""

    config: MockConfig
    store: Store
    catalog: Catalog
    journal: Journal = field(default_factory=Journal)
    faults: FaultRules = field(default_factory=FaultRules)


def of_app(app: Flask) -> MockContext:
    """The context of a given app (tests and the intercept layer use this)."""
    context: MockContext = app.extensions[EXTENSION_KEY]
    return context


def current() -> MockContext:
    """The context of the app handling the current request."""
    return of_app(current_app)
