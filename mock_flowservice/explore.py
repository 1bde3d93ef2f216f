"""Explore semantics of ``GET /connections/{id}/explore`` and ``/connectionSpecs/{id}/explore``.

A pure layer: :func:`browse` takes the served connection spec and the request's query
parameters and returns the JSON-able body, or raises a :class:`~mock_flowservice.errors.FlowError`.
The view only looks up the spec (from the connection or directly) and passes ``request.args``.

What is documented (FACTS F.4) and followed here:

* ``objectType=root`` answers a bare array of ``{type, name, path, canPreview, canFetchSchema}``;
  folders cannot be previewed, tables, views and files can.
* ``table``/``view``/``file`` answer ``{"format": "flat", "schema": {"columns": [...]}}``; with
  ``preview=true`` a ``data`` array of rows keyed by column name is added, and for files
  ``determineProperties=true`` adds ``properties`` (``fileType``, ``compressionType``, and
  ``columnDelimiter`` for delimited files).
* ``rest`` (REST/SDK sources) answers ``{"format": "hierarchical", "schema": <JSON schema>}``
  plus ``data`` under ``preview=true``; ``sourceParams`` is base64-encoded JSON.
* Errors: no ``exploreSpec`` (streaming sources) -> ``1336-400``; an ``objectType`` the source
  type does not have -> ``1358-400``; an empty ``object`` -> ``1337-400``.

Decisions the docs leave open (mock choices, not facts):

* ``objectType`` is compared case-insensitively (the OpenAPI enum is upper case, the tutorials
  lower case). The OpenAPI file marks it optional, so a missing one means ``root``.
* Valid types: Tabular ``root|table|view``, FileSystem ``root|folder|file``, Resource
  ``root|rest``. Resource ``root`` lists the single ``json`` object the tutorials query, so every
  explorable spec answers ``root``. ``table`` and ``view`` both find any tabular object.
* ``previewCount`` defaults to :data:`DEFAULT_PREVIEW_COUNT` (10, the value the docs' examples
  send) and is capped at the sample size; a non-integer or a value below 1 is a ``1100-400``.
  ``primaryKey`` must name a column that is not a lookup (``originalType`` ``Lookup``); preview
  rows are then ordered by it. Both are validated whenever given, even without ``preview``.
  ``primaryKey`` is ignored for ``rest``.
* ``preview`` and ``determineProperties`` accept ``true``/``false`` in any case, else 1100-400.
* ``fileType`` (or ``FileType``) must be ``delimited``, ``json`` or ``parquet`` in any case;
  when absent the file's own type is used; a type other than the file's is a ``1100-400``.
* An unknown table or view answers ``1330-400`` ("No columns were found for table ..."), the
  closest documented code; an unknown file or folder ``1439-404`` with the object type word.
* ``filters`` (tables and views only, FACTS-2 §1.9) is base64 of a PQL JSON filter
  (:mod:`mock_flowservice.pql`): bad base64 or JSON is ``1389-400``, a filter that cannot apply
  ``1335-400``; the preview shows the matching rows only.
* The REST ``object`` is accepted whatever its value (the docs only ever send ``json``).

Samples live in ``data/explore_samples.json`` (built by ``tools/build_explore_samples.py`` with
a fixed seed; Dynamics ``38ad80fe-...`` gets a CRM organisation, every other Tabular source a
small ``customers``/``orders`` sample). The file is read once, on first use; every answer is a
fresh copy, so callers may mutate it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import orjson

from mock_flowservice.config import MockConfig
from mock_flowservice.errors import FlowError, invalid_request, not_found
from mock_flowservice.pql import Filter, decode_base64, parse_filter
from mock_flowservice.validation import JsonRefused, decode_base64_json

__all__ = [
    "DEFAULT_PREVIEW_COUNT",
    "FILE_TYPES",
    "browse",
    "load_samples",
    "table_columns",
    "table_rows",
]

#: Rows returned by ``preview=true`` without ``previewCount`` (the docs' examples send 10).
DEFAULT_PREVIEW_COUNT = 10
#: Values accepted for ``fileType``.
FILE_TYPES = ("delimited", "json", "parquet")

Json = dict[str, Any]

#: exploreSpec.type (lower case) -> objectType values it accepts.
_OBJECT_TYPES: dict[str, frozenset[str]] = {
    "tabular": frozenset({"root", "table", "view"}),
    "filesystem": frozenset({"root", "folder", "file"}),
    "resource": frozenset({"root", "rest"}),
}
_NEEDS_OBJECT = frozenset({"table", "view", "file", "folder", "rest"})


@cache
def load_samples() -> Json:
    """The shipped sample data, parsed once. Treat as read-only."""
    resource = files("mock_flowservice") / "data" / "explore_samples.json"
    data: Json = json.loads(resource.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class _Options:
    """The query parameters that shape a preview."""

    preview: bool
    count: int
    primary_key: str | None
    file_type: str | None
    determine_properties: bool
    #: ``filters``: a base64 PQL row filter, for tables and views only.
    row_filter: Filter | None = None


def browse(
    spec: Mapping[str, Any], query: Mapping[str, str], config: MockConfig | None = None
) -> Any:
    """The ``/explore`` body for a source of connection spec ``spec``, given the query params.

    Raises ``FlowError`` 1336 (not explorable), 1358 (bad objectType), 1337 (empty object),
    1439 (unknown object) or 1100 (bad previewCount, primaryKey, flags, fileType, sourceParams).
    """
    kind = _explore_kind(spec)
    object_type = _object_type(query, kind)
    options = _parse_options(query)
    _check_source_params(query.get("sourceParams"), config or _defaults())
    if object_type == "root":
        return _root(kind, str(spec.get("id", "")))
    name = query.get("object", "").strip()
    if not name:
        raise FlowError("1337-400", param="object", objectType=query.get("objectType"))
    if options.row_filter is not None and object_type not in ("table", "view"):
        raise invalid_request("Row-level filters apply to tables and views only.")
    if object_type == "folder":
        return _folder(name)
    if object_type == "file":
        return _file(name, options)
    if object_type == "rest":
        return _rest(options)
    return _tabular_object(str(spec.get("id", "")), name, object_type, options)


# --- request parsing ---------------------------------------------------------------------------


def _explore_kind(spec: Mapping[str, Any]) -> str:
    explore_spec = spec.get("exploreSpec")
    kind = explore_spec.get("type") if isinstance(explore_spec, Mapping) else None
    if not isinstance(kind, str) or kind.lower() not in _OBJECT_TYPES:
        raise FlowError("1336-400", id=spec.get("id", ""))
    return kind.lower()


def _object_type(query: Mapping[str, str], kind: str) -> str:
    object_type = (query.get("objectType") or "root").strip().lower()
    if object_type not in _OBJECT_TYPES[kind]:
        raise FlowError("1358-400")
    return object_type


def _parse_options(query: Mapping[str, str]) -> _Options:
    file_type = query.get("fileType") or query.get("FileType")
    if file_type is not None and file_type.lower() not in FILE_TYPES:
        raise invalid_request(f"Unsupported fileType '{file_type}'. Use one of {FILE_TYPES}.")
    return _Options(
        preview=_flag(query, "preview"),
        count=_preview_count(query.get("previewCount")),
        primary_key=query.get("primaryKey") or None,
        file_type=file_type.lower() if file_type else None,
        determine_properties=_flag(query, "determineProperties"),
        row_filter=parse_filter(decode_base64(query["filters"])) if "filters" in query else None,
    )


def _flag(query: Mapping[str, str], name: str) -> bool:
    value = query.get(name)
    if value is None or value.lower() == "false":
        return False
    if value.lower() == "true":
        return True
    raise invalid_request(f"Invalid value '{value}' for {name}; use true or false.")


def _preview_count(value: str | None) -> int:
    if value is None:
        return DEFAULT_PREVIEW_COUNT
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise invalid_request(f"Invalid previewCount '{value}'; it must be an integer >= 1.")
    return count


@cache
def _defaults() -> MockConfig:
    """The default settings, made on first use (not at import: they are schema-checked)."""
    return MockConfig()


def _check_source_params(value: str | None, config: MockConfig) -> None:
    """``sourceParams`` must be base64 (standard or URL-safe) of a JSON object."""
    if value is None:
        return
    try:
        decoded = decode_base64_json(
            value, max_depth=config.max_json_depth, max_bytes=config.max_query_json_bytes
        )
    except JsonRefused:
        decoded = None
    if not isinstance(decoded, dict):
        raise invalid_request("sourceParams must be a base64-encoded JSON object.")


# --- listings ----------------------------------------------------------------------------------


def _item(entry: Mapping[str, Any]) -> Json:
    browsable = entry["type"] != "folder"
    return {
        "type": entry["type"],
        "name": entry["name"],
        "path": entry["path"],
        "canPreview": browsable,
        "canFetchSchema": browsable,
    }


def _root(kind: str, spec_id: str) -> list[Json]:
    if kind == "tabular":
        return [_item(obj) for obj in _tabular_sample(spec_id)["objects"]]
    if kind == "filesystem":
        return _children("")
    name = load_samples()["resource"]["object"]
    return [_item({"type": "rest", "name": name, "path": name})]


def _parent(path: str) -> str:
    """``acme/archive/`` -> ``acme/``; ``acme/x.csv`` -> ``acme/``; ``acme/`` -> ``""``."""
    head = path.rstrip("/").rpartition("/")[0]
    return f"{head}/" if head else ""


def _children(folder: str) -> list[Json]:
    entries = load_samples()["fileSystem"]["entries"]
    return [_item(e) for e in entries if _parent(e["path"]) == folder]


def _folder(name: str) -> list[Json]:
    path = name.strip("/")
    path = f"{path}/" if path else ""
    known = {e["path"] for e in load_samples()["fileSystem"]["entries"] if e["type"] == "folder"}
    if path and path not in known:
        raise not_found(name, "folder")
    return _children(path)


# --- schema and preview ------------------------------------------------------------------------


def _tabular_sample(spec_id: str) -> Json:
    tabular = load_samples()["tabular"]
    key = tabular["bySpecId"].get(spec_id, tabular["default"])
    sample: Json = tabular["samples"][key]
    return sample


def _table(spec_id: str, name: str) -> Json | None:
    sample = _tabular_sample(spec_id)["objects"]
    found: Json | None = next((obj for obj in sample if obj["path"] == name), None)
    return found


def _tabular_object(spec_id: str, name: str, object_type: str, options: _Options) -> Json:
    obj = _table(spec_id, name)
    if obj is None:
        raise FlowError("1330-400", tableName=name[:256])
    return _flat(obj, options)


def table_columns(spec_id: str, name: str) -> list[str] | None:
    """The column names of the sample table ``name`` of a tabular source, or None."""
    obj = _table(spec_id, name)
    return None if obj is None else [col["name"] for col in obj["columns"]]


def table_rows(spec_id: str, name: str, row_filter: Filter | None = None) -> int:
    """How many sample rows the table ``name`` of a tabular source has (after the filter);
    0 for a table the samples do not have."""
    obj = _table(spec_id, name)
    if obj is None:
        return 0
    names = [col["name"] for col in obj["columns"]]
    rows = [dict(zip(names, row, strict=True)) for row in obj["rows"]]
    return sum(1 for row in rows if row_filter is None or row_filter.matches(row))


def _file(name: str, options: _Options) -> Json:
    path = name.lstrip("/")
    entry = next((e for e in load_samples()["fileSystem"]["entries"] if e["path"] == path), None)
    if entry is None or entry["type"] != "file":
        raise not_found(name, "file")
    if options.file_type not in (None, entry["fileType"]):
        raise invalid_request(f"The file {path} cannot be read as {options.file_type}.")
    body = _flat(entry, options)
    if options.determine_properties:
        body["properties"] = _file_properties(entry["fileType"])
    return body


def _file_properties(file_type: str) -> Json:
    properties: Json = {"fileType": file_type, "compressionType": "none"}
    if file_type == "delimited":
        properties["columnDelimiter"] = ","
    return properties


def _json_copy(value: Any) -> Any:
    """A copy of packaged JSON data that an answer may own (orjson's round trip: a C-speed
    deep copy of JSON values; anything else is copied by ``copy.deepcopy``)."""
    try:
        return orjson.loads(orjson.dumps(value))
    except (TypeError, orjson.JSONEncodeError):
        return copy.deepcopy(value)


def _flat(obj: Mapping[str, Any], options: _Options) -> Json:
    """``format: flat`` body of one table, view or file, with preview rows when asked."""
    columns: list[Json] = obj["columns"]
    rows = _preview_rows(columns, obj["rows"], options.primary_key)
    if options.row_filter is not None:
        options.row_filter.check_columns([col["name"] for col in columns])
        rows = [row for row in rows if options.row_filter.matches(row)]
    body: Json = {"format": "flat", "schema": {"columns": _json_copy(columns)}}
    if options.preview:
        body["data"] = rows[: options.count]
    return body


def _preview_rows(
    columns: Sequence[Mapping[str, Any]], rows: Sequence[Sequence[Any]], primary_key: str | None
) -> list[Json]:
    names = [col["name"] for col in columns]
    records = [dict(zip(names, row, strict=True)) for row in rows]
    if primary_key is None:
        return records
    column = next((col for col in columns if col["name"] == primary_key), None)
    if column is None:
        raise invalid_request(f"primaryKey '{primary_key}' is not a column of this object.")
    if column.get("meta", {}).get("originalType") == "Lookup":
        raise invalid_request(f"primaryKey '{primary_key}' is a lookup attribute.")
    return sorted(records, key=lambda r: (r[primary_key] is None, r[primary_key]))


def _rest(options: _Options) -> Json:
    sample = load_samples()["resource"]
    body: Json = {"format": "hierarchical", "schema": _json_copy(sample["schema"])}
    if options.preview:
        body["data"] = _json_copy(sample["data"][: options.count])
    return body
