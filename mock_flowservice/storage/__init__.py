"""All state of a mock app: the :class:`Store` interface and its two implementations."""

from __future__ import annotations

from .base import Decoder, IssuedToken, Record, StaleEtag, Store
from .memory import MemoryStore
from .sqlite import SCHEMA_VERSION, SqliteStore, StateFileError

__all__ = [
    "SCHEMA_VERSION",
    "Decoder",
    "IssuedToken",
    "MemoryStore",
    "Record",
    "SqliteStore",
    "StaleEtag",
    "StateFileError",
    "Store",
]
