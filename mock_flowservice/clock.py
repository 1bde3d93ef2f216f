"""The mock's clock: real time by default, frozen, set or moved through the control API.

Runs happen by this clock. Its state lives in the store (one record), so every worker of
``serve --workers N --state FILE`` reads the same time, and tests never sleep: they move the
clock. ``now_ms`` is real time plus an offset, or the frozen instant.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any, Self

from .model import Tenant, new_etag
from .storage import StaleEtag, Store

__all__ = ["CLOCK_KIND", "ClockState", "advance", "clock_state", "now_ms", "set_clock"]

CLOCK_KIND = "clock"
_TENANT = Tenant("", "")
_ID = "clock"


def _real_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class ClockState:
    """The one clock record: an offset from real time, or a frozen instant (epoch ms)."""

    offset_ms: int = 0
    frozen_ms: int | None = None
    etag: str = ""
    id: str = _ID
    tenant: Tenant = _TENANT
    seq: int = field(default=0, compare=False)

    def now(self) -> int:
        return self.frozen_ms if self.frozen_ms is not None else _real_ms() + self.offset_ms

    def as_json(self) -> dict[str, Any]:
        return {"now": self.now(), "frozen": self.frozen_ms is not None, "offsetMs": self.offset_ms}

    def with_seq(self, seq: int) -> Self:
        return dataclasses.replace(self, seq=seq)

    def to_state(self) -> dict[str, Any]:
        return {"offset_ms": self.offset_ms, "frozen_ms": self.frozen_ms, "etag": self.etag}

    @classmethod
    def from_state(cls, seq: int, state: dict[str, Any]) -> ClockState:
        return cls(state["offset_ms"], state["frozen_ms"], state["etag"], seq=seq)


def clock_state(store: Store) -> ClockState:
    state: ClockState | None = store.get(CLOCK_KIND, _TENANT, _ID)
    return state if state is not None else ClockState()


def now_ms(store: Store) -> int:
    """The mock's current time in epoch milliseconds."""
    return clock_state(store).now()


def set_clock(store: Store, *, frozen: bool | None = None, at_ms: int | None = None) -> ClockState:
    """Freeze (at now or ``at_ms``), unfreeze (time runs on from where it stands) or set."""
    for _ in range(5):  # another worker may move it meanwhile: try again
        current = clock_state(store)
        instant = current.now() if at_ms is None else at_ms
        keep_frozen = current.frozen_ms is not None if frozen is None else frozen
        if keep_frozen:
            updated = ClockState(current.offset_ms, instant, new_etag(current.etag or None))
        else:
            updated = ClockState(instant - _real_ms(), None, new_etag(current.etag or None))
        if _write(store, current, updated):
            return updated
    raise RuntimeError("the clock kept moving under five attempts")


def advance(store: Store, delta_ms: int) -> ClockState:
    """Move the clock forward (frozen or not) by ``delta_ms``."""
    return set_clock(store, at_ms=clock_state(store).now() + delta_ms)


def _write(store: Store, current: ClockState, updated: ClockState) -> bool:
    if not current.etag:
        if store.get(CLOCK_KIND, _TENANT, _ID) is not None:
            return False
        store.add(CLOCK_KIND, updated)
        return True
    try:
        store.compare_and_set(CLOCK_KIND, _TENANT, _ID, current.etag, lambda _: updated)
    except StaleEtag:
        return False
    return True
