"""Every resource type the mock serves, in one list (the state file's decoders come from it)."""

from __future__ import annotations

from typing import Any

from ..clock import CLOCK_KIND, ClockState
from ..engine import ResourceType
from ..model import Document
from ..storage import Decoder
from .authoring import CONNECTION_SPECS, FLOW_SPECS
from .connections import CONNECTIONS, PENDING_KIND
from .flows import FLOWS
from .runs import RUN_STATES_KIND, RUNS
from .source_connections import SOURCE_CONNECTIONS
from .target_connections import TARGET_CONNECTIONS

__all__ = ["RESOURCE_TYPES", "decoders"]

RESOURCE_TYPES: tuple[ResourceType[Any], ...] = (
    CONNECTIONS,
    SOURCE_CONNECTIONS,
    TARGET_CONNECTIONS,
    FLOWS,
    RUNS,
    CONNECTION_SPECS,
    FLOW_SPECS,
)


def decoders() -> dict[str, Decoder]:
    """``kind -> decoder`` for :class:`~mock_flowservice.storage.SqliteStore`."""
    served = {rtype.kind: rtype.decode for rtype in RESOURCE_TYPES}
    internal: dict[str, Decoder] = {
        CLOCK_KIND: ClockState.from_state,
        RUN_STATES_KIND: Document.from_state,
        PENDING_KIND: Document.from_state,
    }
    return {**served, **internal}
