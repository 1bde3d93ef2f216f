"""What the engine knows of a resource type: a description, no code of its own.

A :class:`ResourceType` names the collection (its path segment, which is also the store's
``kind``, and the ``report.type`` of its 404), the fields that ``property=`` may filter and
``orderby`` may sort, how a record reads back as JSON, how a state file decodes it, and the
actions of ``POST /{collection}/{id}/action?op=...`` with the states they apply to. Rules
that belong to one resource alone (how a create body is validated, what a PATCH may change,
which other resources it refers to) stay with that resource's operations and reach the engine
as plain functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, Self, TypeVar

from ..model import Caller
from ..storage import Decoder, Record

__all__ = ["Action", "Resource", "ResourceType"]


class Resource(Record, Protocol):
    """A record the engine can act on: it has a state and can be touched by a caller."""

    @property
    def state(self) -> str: ...

    def touched(self, caller: Caller, **changes: Any) -> Self:
        """A copy with new ``updatedAt``/``updatedBy``/etag, plus ``changes``."""
        ...


T = TypeVar("T", bound=Resource)


@dataclass(frozen=True)
class Action:
    """One ``op`` of the action route: the states it applies to and the state it leaves.

    ``from_states`` None means any state; ``to_state`` None keeps the state.
    """

    name: str
    from_states: frozenset[str] | None = None
    to_state: str | None = None
    #: ``lastOperation.operation`` after the action (default: the op's name).
    operation: str | None = None
    #: The FLOW code of a refusal in another state (its template takes ``op`` and ``state``).
    refusal: str = "1409-400"

    def applies_to(self, state: str) -> bool:
        return self.from_states is None or state in self.from_states


@dataclass(frozen=True)
class ResourceType(Generic[T]):
    """The description of one Flow Service collection (see the module docstring)."""

    #: Path segment of the collection and the store's kind: ``"connections"``.
    kind: str
    #: Top-level fields of the served object that ``property=`` and ``orderby`` may name.
    fields: frozenset[str]
    #: The served JSON object of a record, secrets replaced by the mask.
    render: Callable[[T, str], dict[str, Any]]
    #: A record from its state-file JSON (``decode(seq, state)``).
    decode: Decoder
    #: ``report.type`` of the 404 for an unknown id (default: ``kind``).
    report_type: str = ""
    #: The ops of the action route, by lower-case name.
    actions: Mapping[str, Action] = field(default_factory=dict)
    #: States in which a PATCH applies (None: any); in another, the FLOW code ``patch_refusal``.
    patch_states: frozenset[str] | None = None
    patch_refusal: str = "1416-400"

    def __post_init__(self) -> None:
        if not self.report_type:
            object.__setattr__(self, "report_type", self.kind)
