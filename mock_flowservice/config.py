"""Every behaviour the Flow Service docs leave open is decided here, once.

Each field of :class:`MockConfig` names the gap it settles (``GAPS.md`` numbers in the
comments) and ``DECISIONS.md`` explains the choice. ``create_app`` takes a ``MockConfig`` or a
plain mapping of the same field names, so tests and users change a decision in one place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["DEFAULT_BASE_PATH", "MockConfig"]

DEFAULT_BASE_PATH = "/data/foundation/flowservice"

SandboxPolicy = Literal["default", "require"]
TokenPolicy = Literal["any", "issued"]
ControlPolicy = Literal["auto", "on", "off"]


@dataclass(frozen=True)
class MockConfig:
    """Settings of one mock app. Immutable: build a new one with :meth:`replace`."""

    #: URL prefix of every Flow Service route (the real gateway's base path).
    base_path: str = DEFAULT_BASE_PATH
    #: GAPS 3: a request without ``x-sandbox-name`` uses ``default_sandbox`` ("default") or
    #: is refused with ``FLOW-2105-400`` ("require").
    missing_sandbox: SandboxPolicy = "default"
    default_sandbox: str = "prod"
    #: GAPS 3: when set, any other sandbox name answers ``FLOW-2100-404``.
    known_sandboxes: frozenset[str] | None = None
    #: GAPS 1: what a secret param (``"format": "password"``) reads back as.
    secret_mask: str = "********"
    #: GAPS 4: page size of ``GET /connections`` without ``limit``, and the largest allowed.
    default_page_size: int = 20
    max_page_size: int = 1000
    #: Bearer tokens: "any" accepts every non-empty token the mock did not see expire;
    #: "issued" accepts only tokens from the mock's own ``/ims/token/v3`` (others: 401013).
    token_policy: TokenPolicy = "any"
    #: When set, only these ``x-api-key`` values pass the gateway (others: 403003).
    api_keys: frozenset[str] | None = None
    #: When set, the IMS token endpoint accepts only these client_id -> client_secret pairs.
    ims_clients: Mapping[str, str] | None = None
    #: Lifetime of issued tokens in seconds (the real service answers 86399).
    token_ttl_seconds: int = 86399
    #: A param the auth spec does not declare is refused (jsonschema additionalProperties).
    reject_unknown_params: bool = True
    #: Largest request body accepted (413 beyond) and deepest JSON nesting (400 beyond).
    max_body_bytes: int = 1024 * 1024
    max_json_depth: int = 32
    #: The control API under ``/__mock__``: "auto" enables it only when serving on loopback.
    control_api: ControlPolicy = "auto"
    #: Bearer token the control API wants when it is enabled beyond loopback.
    control_token: str | None = None
    #: How many requests the journal keeps (oldest dropped first).
    journal_size: int = 1000
    #: SQLite file of the state (connections, issued tokens); None keeps it in memory.
    state_path: str | None = None
    #: With ``state_path``: fsync every write (SQLite ``synchronous=FULL``) so a power cut loses
    #: nothing; by default writes survive a crash of the server but not of the machine.
    state_fsync: bool = False
    #: FACTS-2 §5.2: a flow whose ``scheduleParams.startTime`` lies in the past is refused
    #: with ``FLOW-1360-400`` only when this is true (the docs' own examples start in 2021,
    #: so by default such a flow is accepted and its first run is due at once).
    refuse_past_start_time: bool = False
    #: FACTS-2 §11.2 and FACTS 1418: deleting a base, source or target connection that a flow
    #: still uses is refused ("refuse": 1418 for a base connection, 1447 for the others) or
    #: allowed ("allow"; the flow keeps the dangling id).
    delete_in_use: Literal["refuse", "allow"] = "refuse"
    #: FACTS-2 §11.5: how long a run stays ``inProgress`` (by the mock's clock) before it ends.
    run_duration_seconds: int = 60
    #: At most this many runs of one flow are materialised per read (a flow backfilled from
    #: years ago catches up over several reads instead of answering slowly once).
    max_runs_per_sync: int = 100
    #: Extra settings for extensions (kept, never interpreted here).
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.base_path.startswith("/") or self.base_path.endswith("/"):
            raise ValueError("base_path must start with '/' and not end with '/'")
        if not 1 <= self.default_page_size <= self.max_page_size:
            raise ValueError("default_page_size must be between 1 and max_page_size")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | MockConfig | None) -> MockConfig:
        """Build a config from a mapping of field names (unknown names are an error)."""
        if values is None:
            return cls()
        if isinstance(values, MockConfig):
            return values
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ValueError(f"unknown mock settings: {', '.join(unknown)}")
        converted = dict(values)
        for key in ("known_sandboxes", "api_keys"):
            if converted.get(key) is not None:
                converted[key] = frozenset(converted[key])
        return cls(**converted)

    def replace(self, **changes: Any) -> MockConfig:
        """A copy with some settings changed."""
        return dataclasses.replace(self, **changes)
