"""Every behaviour the Flow Service docs leave open is decided here, once.

Each field of :class:`MockConfig` names the decision it settles (``DECISIONS.md`` rows in the
comments, which explain the choice). ``create_app`` takes a ``MockConfig`` or a plain mapping
of the same field names, so tests and users change a decision in one place.

Settings are checked when loaded, against one JSON Schema derived from the fields
(:func:`settings_schema`: each field's type, its choices, the bounds in its metadata, its
``#:`` comment as the description): an unknown name, a wrong type or a misspelled choice is a
:class:`ConfigError` naming the setting and what it allows.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import inspect
import json
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError


__all__ = [
    "DEFAULT_BASE_PATH",
    "ConfigError",
    "MockConfig",
    "is_secret_setting",
    "masked_settings",
    "settings_schema",
]

DEFAULT_BASE_PATH = "/data/foundation/flowservice"

SandboxPolicy = Literal["default", "require"]
TokenPolicy = Literal["any", "issued"]
ControlPolicy = Literal["auto", "on", "off"]


class ConfigError(ValueError):
    """Settings that do not fit :func:`settings_schema` (the message names each setting)."""


#: Field metadata of a setting that holds a secret: never shown back (JSON Schema's
#: ``writeOnly``); error messages and ``mock-flowservice config`` mask its value.
_SECRET = {"writeOnly": True}


def _at_least(bound: int) -> Any:
    """Field metadata: the setting is an integer of at least ``bound``."""
    return {"minimum": bound}


@dataclass(frozen=True)
class MockConfig:
    """Settings of one mock app. Immutable: build a new one with :meth:`replace`."""

    #: URL prefix of every Flow Service route (the real gateway's base path).
    base_path: str = field(default=DEFAULT_BASE_PATH, metadata={"pattern": "^/(.*[^/])?$"})
    #: DECISIONS #3: a request without ``x-sandbox-name`` uses ``default_sandbox`` ("default") or
    #: is refused with ``FLOW-2105-400`` ("require").
    missing_sandbox: SandboxPolicy = "default"
    default_sandbox: str = "prod"
    #: DECISIONS #3: when set, any other sandbox name answers ``FLOW-2100-404``.
    known_sandboxes: frozenset[str] | None = None
    #: DECISIONS #1: what a secret param (``"format": "password"``) reads back as.
    secret_mask: str = "********"
    #: DECISIONS #4: page size of ``GET /connections`` without ``limit``, and the largest allowed.
    default_page_size: int = field(default=20, metadata=_at_least(1))
    max_page_size: int = field(default=1000, metadata=_at_least(1))
    #: Bearer tokens: "any" accepts every non-empty token the mock did not see expire;
    #: "issued" accepts only tokens from the mock's own ``/ims/token/v3`` (others: 401013).
    token_policy: TokenPolicy = "any"
    #: When set, only these ``x-api-key`` values pass the gateway (others: 403003).
    api_keys: frozenset[str] | None = None
    #: The realistic gateway in one switch: only tokens the mock's IMS endpoint issued (and not
    #: expired), ``x-api-key`` the client id the token was issued to (403003), org ids of the
    #: form ``<24 hex>@AdobeOrg`` (403027), only ``prod`` and the ``known_sandboxes``.
    strict: bool = False
    #: When set, the IMS token endpoint accepts only these client_id -> client_secret pairs.
    ims_clients: Mapping[str, str] | None = field(default=None, metadata=_SECRET)
    #: Lifetime of issued tokens in seconds (the real service answers 86399).
    token_ttl_seconds: int = field(default=86399, metadata=_at_least(1))
    #: A param the auth spec does not declare is refused (jsonschema additionalProperties).
    reject_unknown_params: bool = True
    #: Largest request body accepted (413 beyond) and deepest JSON nesting (400 beyond).
    max_body_bytes: int = field(default=1024 * 1024, metadata=_at_least(1))
    max_json_depth: int = field(default=32, metadata=_at_least(1))
    #: Largest JSON a query parameter carries once base64-decoded (a continuation token,
    #: explore's ``sourceParams``); longer ones are refused like malformed ones.
    max_query_json_bytes: int = field(default=8 * 1024, metadata=_at_least(1))
    #: The control API under ``/__mock__``: "auto" enables it only when serving on loopback.
    control_api: ControlPolicy = "auto"
    #: Bearer token the control API wants when it is enabled beyond loopback.
    control_token: str | None = field(default=None, metadata=_SECRET)
    #: Host names (any port) the control API answers besides loopback (``localhost``,
    #: ``127.0.0.1``, ``[::1]``); ``serve --host`` adds the address it listens on. Any other
    #: ``Host`` is refused, so a DNS-rebinding page cannot reach it.
    control_hosts: frozenset[str] = frozenset()
    #: Origins (``http://localhost:3000``) whose pages may call the control API; any other
    #: ``Origin`` than the mock's own is refused.
    control_origins: frozenset[str] = frozenset()
    #: How many requests the journal keeps (oldest dropped first).
    journal_size: int = field(default=1000, metadata=_at_least(0))
    #: And how many bytes of entries at most (measured as their JSON text; oldest dropped).
    journal_max_bytes: int = field(default=16 * 1024 * 1024, metadata=_at_least(1))
    #: A request body longer than this is journaled as its size and sha256 digest only, and an
    #: answer longer than this without its body (``response: null``).
    journal_body_bytes: int = field(default=64 * 1024, metadata=_at_least(0))
    #: SQLite file of the state (connections, issued tokens); None keeps it in memory.
    state_path: str | None = None
    #: With ``state_path``: fsync every write (SQLite ``synchronous=FULL``) so a power cut loses
    #: nothing; by default writes survive a crash of the server but not of the machine.
    state_fsync: bool = False
    #: With ``state_path``: how long a starting mock waits for another process that holds the
    #: file's lock before it refuses to start ("locked by another process").
    state_open_timeout_seconds: float = field(default=10.0, metadata=_at_least(0))
    #: A flow whose ``scheduleParams.startTime`` lies in the past is refused
    #: with ``FLOW-1360-400`` only when this is true (the docs' own examples start in 2021,
    #: so by default such a flow is accepted and its first run is due at once).
    refuse_past_start_time: bool = False
    #: Deleting a base, source or target connection that a flow
    #: still uses is refused ("refuse": 1418 for a base connection, 1447 for the others) or
    #: allowed ("allow"; the flow keeps the dangling id).
    delete_in_use: Literal["refuse", "allow"] = "refuse"
    #: How long a Salesforce JWT (AWS) connection stays ``initializing`` (by the mock's clock)
    #: before it reads back ``enabled``.
    initializing_seconds: int = field(default=10, metadata=_at_least(0))
    #: How long a run stays ``inProgress`` (by the mock's clock) before it ends.
    run_duration_seconds: int = field(default=60, metadata=_at_least(0))
    #: At most this many runs of one flow are materialised per read (a flow backfilled from
    #: years ago catches up over several reads instead of answering slowly once).
    max_runs_per_sync: int = field(default=100, metadata=_at_least(1))
    #: Extra settings for extensions (kept, never interpreted here).
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def issued_tokens_only(self) -> bool:
        """Whether only tokens from the mock's IMS endpoint pass (``token_policy`` or strict)."""
        return self.strict or self.token_policy == "issued"

    @property
    def allowed_sandboxes(self) -> frozenset[str] | None:
        """The sandbox names the gateway accepts (None: any); strict adds ``prod``."""
        if self.strict:
            return frozenset({"prod"}) | (self.known_sandboxes or frozenset())
        return self.known_sandboxes

    def __post_init__(self) -> None:
        _check(self._changed())
        if not self.base_path.startswith("/") or self.base_path.endswith("/"):
            raise ConfigError("base_path must start with '/' and not end with '/'")
        if not 1 <= self.default_page_size <= self.max_page_size:
            raise ConfigError("default_page_size must be between 1 and max_page_size")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | MockConfig | None) -> MockConfig:
        """Build a config from a mapping of field names, checked against the schema."""
        if values is None:
            return cls()
        if isinstance(values, MockConfig):
            return values
        if not isinstance(values, Mapping):
            raise ConfigError(f"mock settings must be a mapping, not {type(values).__name__}")
        _check(values)
        converted = dict(values)
        for key in ("known_sandboxes", "api_keys", "control_hosts", "control_origins"):
            if converted.get(key) is not None:
                converted[key] = frozenset(converted[key])
        return cls(**converted)

    def to_json(self) -> dict[str, Any]:
        """The settings as JSON values (sets as sorted lists), as a ``--config`` file holds them."""
        return {f.name: _json_value(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def _changed(self) -> dict[str, Any]:
        """The settings that differ from their defaults (which fit the schema), as JSON."""
        schemas = _field_schemas()
        shown = self.to_json()
        return {name: value for name, value in shown.items() if value != schemas[name]["default"]}

    def replace(self, **changes: Any) -> MockConfig:
        """A copy with some settings changed."""
        return dataclasses.replace(self, **changes)


def _json_value(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value, key=str)
    if isinstance(value, Mapping):
        return dict(value)
    return value


# -- the schema, derived from the fields ---------------------------------------------------

_SCALARS: dict[Any, str] = {str: "string", int: "integer", bool: "boolean", float: "number"}


def _type_schema(hint: Any) -> dict[str, Any]:
    """The JSON Schema of one field's type (``X | None`` admits null)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [arg for arg in args if arg is not type(None)]
        schema = _type_schema(inner)
        if "enum" in schema:
            return {"enum": [*schema["enum"], None]}
        return {**schema, "type": [schema["type"], "null"]}
    if origin is Literal:
        return {"enum": list(args)}
    if origin in (frozenset, set, list, tuple):
        return {"type": "array", "items": _type_schema(args[0]), "uniqueItems": True}
    if origin in (Mapping, dict):
        values = {} if args[1] is Any else {"additionalProperties": _type_schema(args[1])}
        return {"type": "object", **values}
    return {"type": _SCALARS[hint]}


def _descriptions() -> dict[str, str]:
    """Each field's ``#:`` comment (none when the source cannot be read)."""
    try:
        source = inspect.getsource(MockConfig)
    except (OSError, TypeError):  # pragma: no cover - a frozen build without sources
        return {}
    found: dict[str, str] = {}
    comment: list[str] = []
    for line in source.splitlines():
        text = line.strip()
        if text.startswith("#:"):
            comment.append(text[2:].strip())
            continue
        named = re.match(r"(\w+): ", text)
        if named and comment:
            found[named[1]] = " ".join(comment)
        comment = []
    return found


@functools.cache
def _field_schemas() -> dict[str, dict[str, Any]]:
    """Each setting's schema without its description: type, choices, bounds, default."""
    hints = typing.get_type_hints(MockConfig)
    schemas: dict[str, dict[str, Any]] = {}
    for spec in dataclasses.fields(MockConfig):
        default = spec.default_factory() if callable(spec.default_factory) else spec.default
        schemas[spec.name] = {
            **_type_schema(hints[spec.name]),
            **spec.metadata,
            "default": _json_value(default),
        }
    return schemas


@functools.cache
def settings_schema() -> dict[str, Any]:
    """The JSON Schema of a ``--config`` file: one property per :class:`MockConfig` field."""
    notes = _descriptions()
    properties = {
        name: {**({"description": notes[name]} if name in notes else {}), **schema}
        for name, schema in _field_schemas().items()
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "mock-flowservice settings (MockConfig)",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


@functools.cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator  # imported on first use, not with the package

    return Draft202012Validator(settings_schema())


def _check(values: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` naming every setting that does not fit the schema.

    Settings that fit pass a check compiled for their names (fastjsonschema, a few ms once)
    without importing ``jsonschema`` (about 40 ms of every server's start);
    ``jsonschema`` judges and describes everything else, so every message is its own.
    """
    unknown = sorted(set(values) - set(_field_schemas()), key=str)
    if unknown:
        raise ConfigError(f"unknown mock settings: {', '.join(map(_unknown, unknown))}")
    if _surely_valid(values):
        return
    errors = sorted(_validator().iter_errors(dict(values)), key=lambda e: list(map(str, e.path)))
    if errors:
        raise ConfigError("; ".join(_message(error) for error in errors))


def _surely_valid(values: Mapping[str, Any]) -> bool:
    """True when known settings certainly fit :func:`settings_schema` (it is never wrong to
    say False: the validator then decides)."""
    try:
        _fast_check(frozenset(values))(dict(values))
    except Exception:  # JsonSchemaException, or anything odd: the validator decides
        return False
    return True


@functools.lru_cache(maxsize=64)
def _fast_check(names: frozenset[str]) -> Callable[[Any], Any]:
    """A check of these settings alone, compiled once per set of names.

    Only the shared meaning of the keywords the settings use (type, enum, pattern, minimum,
    items, uniqueItems, additionalProperties; annotations ignored) is relied on, and draft-07
    gives them the meaning 2020-12 does.
    """
    import fastjsonschema  # imported on first use, not with the package

    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {name: _field_schemas()[name] for name in sorted(names)},
        "additionalProperties": False,
    }
    check: Callable[[Any], Any] = fastjsonschema.compile(
        schema, use_default=False, use_formats=False
    )
    return check


def _unknown(name: Any) -> str:
    close = difflib.get_close_matches(str(name), _field_schemas(), n=1)
    return f"{name} (did you mean {close[0]}?)" if close else str(name)


def _message(error: ValidationError) -> str:
    """``setting: got VALUE, allowed: WHAT`` for the deepest part of the setting at fault."""
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.path)
    allowed = _allowed(error.schema) if isinstance(error.schema, Mapping) else "nothing"
    secret = is_secret_setting(str(error.path[0])) if error.path else False
    shown = "*** (a secret, not shown)" if secret else _shown(error.instance)
    return f"{where.lstrip('.')}: got {shown}, allowed: {allowed}"


def is_secret_setting(name: str) -> bool:
    """Whether a setting holds a secret (its value is never shown back)."""
    prop = _field_schemas().get(name, {})
    return bool(prop.get("writeOnly"))


def masked_settings(config: MockConfig) -> dict[str, Any]:
    """:meth:`MockConfig.to_json` with every secret replaced by the mask (keys of a mapping
    kept)."""
    shown = config.to_json()
    for name, value in shown.items():
        if value is not None and is_secret_setting(name):
            mask = config.secret_mask
            shown[name] = dict.fromkeys(value, mask) if isinstance(value, dict) else mask
    return shown


def _shown(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


_NOUNS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
    "array": "a list",
    "object": "an object",
}


def _allowed(schema: Mapping[str, Any]) -> str:
    """What a (sub)schema allows, in words."""
    if "enum" in schema:
        return ", ".join(json.dumps(choice) for choice in schema["enum"])
    kinds = schema.get("type", [])
    words = []
    for kind in [kinds] if isinstance(kinds, str) else kinds:
        word = _NOUNS[kind]
        if kind == "array":
            word += f" of {_allowed(schema.get('items', {})).removeprefix('a ')}s"
        elif kind == "object" and isinstance(schema.get("additionalProperties"), Mapping):
            word += f" of {_allowed(schema['additionalProperties']).removeprefix('a ')}s"
        elif kind == "integer" and "minimum" in schema:
            word += f" of at least {schema['minimum']}"
        elif kind == "string" and "pattern" in schema:
            word += f" matching {schema['pattern']}"
        words.append(word)
    return " or ".join(words)
