"""The control plane's own state on an app: the request journal and the fault rules.

Kept apart from :class:`~mock_flowservice.context.MockContext` (the API's config, store and
catalog) so the API layers never depend on the control plane; ``create_app`` installs one
:class:`ControlPlane` per app.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app

from ..config import MockConfig
from .faults import FaultRules
from .journal import Journal

__all__ = ["ControlPlane", "control_of", "current_control", "install"]

_KEY = "flowservice.control"


@dataclass(frozen=True)
class ControlPlane:
    """The journal and fault rules of one app."""

    journal: Journal = field(default_factory=Journal)
    faults: FaultRules = field(default_factory=FaultRules)

    def reset(self) -> None:
        """Forget every journal entry and fault rule."""
        self.journal.clear()
        self.faults.clear()


def install(app: Flask, config: MockConfig) -> ControlPlane:
    plane = ControlPlane(Journal(config.journal_size, config.journal_max_bytes))
    app.extensions[_KEY] = plane
    return plane


def control_of(app: Flask) -> ControlPlane:
    plane: ControlPlane = app.extensions[_KEY]
    return plane


def current_control() -> ControlPlane:
    return control_of(current_app)
