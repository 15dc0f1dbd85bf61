"""What a schema documents about a JSON value, with ``$ref``, ``allOf`` and nullable ``anyOf``/``oneOf`` flattened.

The drift observer walks bodies alongside these shapes; the self-tests use
``iter_members`` to find, in any vendor's spec, a field of each kind to break.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from contracts.spec.document import Spec
from contracts.values.findings import json_pointer

MAX_DEPTH = 32


@dataclass
class Shape:
    properties: dict[str, Any] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    free_form: bool = False
    """``additionalProperties`` is given explicitly: the keys of this map are data, not documented members."""
    items: Any = None
    known_values: list[Any] | None = None
    enum: list[Any] | None = None
    types: set[str] = field(default_factory=set)
    formats: set[str] = field(default_factory=set)
    nullable: bool = False
    is_object: bool = False


def shape_of(spec: Spec, schema: Any) -> Shape:
    shape = Shape()
    _collect(spec, schema, shape, depth=0)
    return shape


def _collect(spec: Spec, schema: Any, shape: Shape, *, depth: int) -> None:
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return
    if "$ref" in schema:
        _collect(spec, spec.resolve_pointer(schema["$ref"]), shape, depth=depth + 1)
    types = schema.get("type")
    type_list = types if isinstance(types, list) else [types] if types else []
    shape.types.update(t for t in type_list if t != "null")
    if "null" in type_list:
        shape.nullable = True
    if "object" in type_list or "properties" in schema:
        shape.is_object = True
    for name, sub in schema.get("properties", {}).items():
        # The same member may be described in several allOf branches: all descriptions apply.
        shape.properties[name] = {"allOf": [shape.properties[name], sub]} if name in shape.properties else sub
    shape.required.update(schema.get("required", []))
    if "additionalProperties" in schema and schema["additionalProperties"] is not False:
        shape.free_form = True
    if "items" in schema:
        shape.items = schema["items"]
    if "x-known-values" in schema:
        shape.known_values = list(schema["x-known-values"])
    if "enum" in schema:
        shape.enum = [value for value in schema["enum"] if value is not None]
    if "format" in schema:
        shape.formats.add(schema["format"])
    for sub in schema.get("allOf", []):
        _collect(spec, sub, shape, depth=depth + 1)
    for keyword in ("anyOf", "oneOf"):
        for sub in schema.get(keyword, []):
            if isinstance(sub, dict) and sub.get("type") == "null":
                shape.nullable = True
                continue
            _collect(spec, sub, shape, depth=depth + 1)


@dataclass(frozen=True)
class Member:
    """A documented member of an object, wherever it sits in a response body."""

    pointer: str
    shape: Shape = field(compare=False)
    required: bool
    """Required in its parent, and every parent up to the root is required too."""


def iter_members(spec: Spec, schema: Any, *, _path: tuple[str, ...] = (), _required: bool = True) -> Iterator[Member]:
    """Every documented member reachable through objects (not arrays, not free-form maps), depth first."""
    shape = shape_of(spec, schema)
    if not shape.is_object or shape.free_form or len(_path) > MAX_DEPTH:
        return
    for name, sub in shape.properties.items():
        member_shape = shape_of(spec, sub)
        required = _required and name in shape.required
        yield Member(json_pointer([*_path, name]), member_shape, required)
        yield from iter_members(spec, sub, _path=(*_path, name), _required=required and not member_shape.nullable)
