"""Persisting drift as a reviewable spec patch: an OpenAPI Overlay 1.0 document, never applied automatically.

``propose`` turns the drift findings that persisted across runs into Overlay actions on the vendor's spec,
one action per proposed change, each naming the findings that ask for it (``x-findings``: id, kind,
vendor, operation, status, pointer, expected, observed, first_seen):

* an undocumented body member: added to the ``properties`` of the schema object that documents its parent,
  typed as observed (objects and arrays with the members and items their observed value shows, when the
  finding holds it whole);
* an undocumented header: added to the ``headers`` of the documented response it came with;
* a value beyond a field's ``x-known-values``: appended to that list;
* an optional member never present: removed from the schema object that documents it;
* a nullable member always null: documented as ``type: "null"`` (removed, then added back), so the spec
  says what the vendor sends.

**Targets.** Each target is an RFC 9535 normalized path (``$['components']['schemas']['Lead']['properties']``)
to the node of ``specs/<vendor>.yaml`` that holds the change. The finding's JSON pointer is walked through
the response's schema the way the drift observer reads it: ``$ref`` followed to the component, ``allOf``
branches and the non-null branch of a nullable ``anyOf``/``oneOf`` searched in that order, array indices
through ``items``. A member is added to the first schema node of its parent that declares ``properties``
(the component where its siblings live), so every response using that component documents it. Removing a
member, or making it always null, is proposed only when every response documented with that schema node
showed the same drift in this run: otherwise other operations that share the component would break. A
finding the overlay cannot place is listed under ``x-not-proposed`` with the reason.

``apply_overlay`` is a small applier of Overlay 1.0 ``update``/``remove`` actions (JSONPath by
python-jsonpath, in its RFC 9535 strict mode); ``overlay_errors`` checks a document against the Overlay 1.0
structure (the JSON schema ``OVERLAY_SCHEMA``, after the specification's published schema).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsonpath
from jsonschema import Draft202012Validator

from contracts.spec.document import Spec
from contracts.values.errors import ContractSuiteError
from contracts.values.findings import Finding, Kind, Location

OVERLAY_VERSION = "1.0.0"
MAX_DEPTH = 32

OVERLAY_KINDS = frozenset({Kind.UNDOCUMENTED_FIELD, Kind.ENUM_MISMATCH, Kind.NEVER_PRESENT})
"""The drift kinds an overlay proposes a spec change for (as the drift observer reports them)."""

_EXTENSIONS = {"patternProperties": {"^x-": True}}
OVERLAY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "description": "An Overlay 1.0.x document (after https://spec.openapis.org/overlay/1.0/schema/2024-10-22)",
    "type": "object",
    "properties": {
        "overlay": {"type": "string", "pattern": r"^1\.0\.\d+$"},
        "info": {"$ref": "#/$defs/info"},
        "extends": {"type": "string", "format": "uri-reference"},
        "actions": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"$ref": "#/$defs/action"}},
    },
    "required": ["overlay", "info", "actions"],
    "$ref": "#/$defs/extensions",
    "unevaluatedProperties": False,
    "$defs": {
        "info": {
            "type": "object",
            "properties": {"title": {"type": "string"}, "version": {"type": "string"}},
            "required": ["title", "version"],
            "$ref": "#/$defs/extensions",
            "unevaluatedProperties": False,
        },
        "action": {
            "type": "object",
            "properties": {
                "target": {"type": "string", "pattern": r"^\$"},
                "description": {"type": "string"},
                "update": {"type": ["string", "boolean", "object", "array", "number", "null"]},
                "remove": {"type": "boolean", "default": False},
            },
            "required": ["target"],
            "$ref": "#/$defs/extensions",
            "unevaluatedProperties": False,
        },
        "extensions": _EXTENSIONS,
    },
}

_JSONPATH = jsonpath.JSONPathEnvironment(strict=True)
_SCHEMA_VALIDATOR = Draft202012Validator(OVERLAY_SCHEMA)


class OverlayError(ContractSuiteError):
    """An overlay that cannot be applied as written (a target that selects nothing, in strict mode; a bad update)."""


def overlay_errors(document: Any) -> list[str]:
    """What keeps ``document`` from being an Overlay 1.0 document (empty when it is one)."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(_SCHEMA_VALIDATOR.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ]


# -- paths ----------------------------------------------------------------------------------------


def _parts(pointer: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]] if pointer else []


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def normalized_path(pointer: str, document: Any = None) -> str:
    """The RFC 9535 normalized path of a JSON pointer into ``document``: ``/a/b~1c/0`` -> ``$['a']['b/c'][0]``.

    A segment is an index selector where ``document`` has an array at that point, else a name selector
    (a spec's keys are names, even ``"200"``), quoted as RFC 9535 says.
    """
    selectors = []
    node = document
    for part in _parts(pointer):
        if isinstance(node, list) and part.isdigit():
            selectors.append(f"[{int(part)}]")
            node = node[int(part)] if int(part) < len(node) else None
        else:
            selectors.append(f"['{_quote(part)}']")
            node = node.get(part) if isinstance(node, dict) else None
    return "$" + "".join(selectors)


def _quote(name: str) -> str:
    escaped = []
    for char in name:
        if char in ("\\", "'"):
            escaped.append("\\" + char)
        elif ord(char) < 0x20:
            escaped.append(
                {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\u{ord(char):04x}")
            )
        else:
            escaped.append(char)
    return "".join(escaped)


def _raw(document: Any, pointer: str) -> Any:
    node = document
    for part in _parts(pointer):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


# -- applying -------------------------------------------------------------------------------------


def apply_overlay(document: dict[str, Any], overlay: dict[str, Any], *, strict: bool = False) -> dict[str, Any]:
    """A copy of ``document`` with the overlay's actions applied in order (``document`` is left as it was).

    ``update`` merges an object into each selected object (members of both that are objects merge
    recursively; any other value replaces) and appends to each selected array. ``remove: true`` removes
    each selected node. A target that selects nothing is a no-op, as Overlay 1.0 says, unless ``strict``.
    """
    errors = overlay_errors(overlay)
    if errors:
        raise OverlayError(f"not an Overlay 1.0 document: {errors[0]}")
    result = copy.deepcopy(document)
    for index, action in enumerate(overlay["actions"]):
        target = action["target"]
        try:
            matches = list(_JSONPATH.finditer(target, result))
        except jsonpath.JSONPathError as error:
            raise OverlayError(f"action {index}: target {target!r} is not a JSONPath expression: {error}") from error
        if not matches:
            if strict:
                raise OverlayError(f"action {index}: target {target!r} selects nothing")
            continue
        if action.get("remove", False):
            # Later array indices first, so the earlier ones still point at what was selected.
            for match in sorted(
                matches, key=lambda m: m.parts[-1] if m.parts and isinstance(m.parts[-1], int) else 0, reverse=True
            ):
                if match.parent is None:
                    raise OverlayError(f"action {index}: the root cannot be removed")
                container: Any = match.parent.obj
                del container[match.parts[-1]]
        elif "update" in action:
            for match in matches:
                _update(index, match.obj, action["update"])
    return result


def _update(index: int, node: Any, update: Any) -> None:
    if isinstance(node, list):
        node.append(copy.deepcopy(update))
    elif isinstance(node, dict) and isinstance(update, dict):
        _merge(node, update)
    else:
        raise OverlayError(f"action {index}: an update needs an object or an array target and an object for an object")


def _merge(node: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(node.get(key), dict) and isinstance(value, dict):
            _merge(node[key], value)
        else:
            node[key] = copy.deepcopy(value)


# -- walking the spec as the observer reads it ------------------------------------------------------


def _nodes(spec: Spec, pointer: str, depth: int = 0) -> Iterator[str]:
    """Pointers of the schema nodes that together document the value at ``pointer``: itself, its ``$ref``
    target, its ``allOf`` branches and the non-null branches of ``anyOf``/``oneOf``, depth first."""
    node = _raw(spec.raw, pointer)
    if not isinstance(node, dict) or depth > MAX_DEPTH:
        return
    yield pointer
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        yield from _nodes(spec, ref[1:], depth + 1)
    for index, _ in enumerate(node.get("allOf", [])):
        yield from _nodes(spec, f"{pointer}/allOf/{index}", depth + 1)
    for keyword in ("anyOf", "oneOf"):
        for index, sub in enumerate(node.get(keyword, [])):
            if not (isinstance(sub, dict) and sub.get("type") == "null"):
                yield from _nodes(spec, f"{pointer}/{keyword}/{index}", depth + 1)


def _child(spec: Spec, pointer: str, segment: str) -> str | None:
    """The schema of member (or array element, for an index or ``*``) ``segment`` of the value at ``pointer``."""
    nodes = list(_nodes(spec, pointer))
    for node in nodes:
        properties = _raw(spec.raw, f"{node}/properties")
        if isinstance(properties, dict) and segment in properties:
            return f"{node}/properties/{_escape(segment)}"
    if segment == "*" or segment.isdigit():
        for node in nodes:
            if isinstance(_raw(spec.raw, f"{node}/items"), dict):
                return f"{node}/items"
    return None


def _schema_for(spec: Spec, root: str, body_pointer: str) -> str | None:
    pointer: str | None = root
    for segment in _parts(body_pointer):
        if pointer is None:
            return None
        pointer = _child(spec, pointer, segment)
    return pointer


def _object_owners(spec: Spec, pointer: str) -> list[str]:
    """The schema nodes that may document a new member of the object at ``pointer``: those that declare
    ``properties`` (after ``$ref``s and ``allOf``), in the observer's order, else the first typed ``object``."""
    nodes = list(_nodes(spec, pointer))
    declaring = [node for node in nodes if isinstance(_raw(spec.raw, f"{node}/properties"), dict)]
    if declaring:
        return declaring
    for node in nodes:
        types = _raw(spec.raw, node).get("type")
        if types == "object" or (isinstance(types, list) and "object" in types):
            return [node]
    return []


@dataclass(frozen=True)
class _Usages:
    members: dict[str, set[tuple[str, str, str]]]
    """Property schema node -> every (operation, documented status, generic body pointer) it documents."""
    objects: dict[str, set[tuple[str, str, str]]]
    """Schema node declaring ``properties`` -> every (operation, status, generic pointer) of an object it documents."""


def _usages(spec: Spec) -> _Usages:
    """Where each schema node is used: every documented response's body, walked as the observer walks it."""
    members: dict[str, set[tuple[str, str, str]]] = {}
    objects: dict[str, set[tuple[str, str, str]]] = {}

    def walk(operation: str, status: str, pointer: str, path: list[str], stack: tuple[str, ...]) -> None:
        if len(path) > MAX_DEPTH:
            return
        here = "".join(f"/{_escape(part)}" for part in path)
        for node in _nodes(spec, pointer):
            if node in stack:
                return  # a recursive schema
            properties = _raw(spec.raw, f"{node}/properties")
            if isinstance(properties, dict):
                objects.setdefault(node, set()).add((operation, status, here))
                for name in properties:
                    member = f"{node}/properties/{_escape(name)}"
                    members.setdefault(member, set()).add((operation, status, f"{here}/{_escape(name)}"))
                    walk(operation, status, member, [*path, name], (*stack, node))
            if isinstance(_raw(spec.raw, f"{node}/items"), dict):
                walk(operation, status, f"{node}/items", [*path, "*"], (*stack, node))

    for operation in spec.operations:
        for status, response in operation.responses.items():
            root = spec.response_schema_pointer(response)
            if root is not None:
                walk(operation.label, status, root, [], ())
    return _Usages(members=members, objects=objects)


def _generic(pointer: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/*", pointer)


# -- proposing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Persisting:
    """A drift finding and when it was first seen: what the overlay proposes from."""

    finding: Finding
    first_seen: str


@dataclass
class _Action:
    target: str
    description: str
    update: Any = None
    remove: bool = False
    findings: list[Persisting] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        action: dict[str, Any] = {"target": self.target, "description": self.description}
        if self.remove:
            action["remove"] = True
        else:
            action["update"] = self.update
        action["x-findings"] = [_evidence(item) for item in self.findings]
        return action


def _evidence(item: Persisting) -> dict[str, Any]:
    finding = item.finding
    documented = {"documented_by": finding.evidence.to_json()} if finding.evidence is not None else {}
    return {
        "id": finding.fingerprint,
        "kind": str(finding.kind),
        "vendor": finding.vendor,
        "operation": finding.operation,
        "status": finding.status_code,
        "location": str(finding.location),
        "pointer": finding.path,
        "expected": finding.expected,
        "observed": finding.observed,
        "first_seen": item.first_seen,
        **documented,  # the doc line the field rests on, for a documented one (never present, always null)
    }


def is_proposable(finding: Finding) -> bool:
    """A drift observation of a kind the overlay proposes a spec change for."""
    return finding.kind in OVERLAY_KINDS and finding.check == "drift_observation" and not finding.is_contract_failure


def propose(
    spec: Spec,
    vendor: str,
    persisting: Iterable[Persisting],
    *,
    current: Iterable[Finding] = (),
    version: str,
    extends: str | None = None,
) -> dict[str, Any] | None:
    """The Overlay 1.0 document proposing the spec changes ``persisting`` drift asks for; None when it asks for none.

    ``current`` is every finding of this run for the vendor (the persisting ones included): a member is
    removed or made always null only when every response its schema node documents showed it so.
    ``version`` becomes ``info.version``; ``extends`` (the spec's location relative to the overlay) is
    written when given.
    """
    items = sorted(
        (item for item in persisting if is_proposable(item.finding) and item.finding.vendor == vendor),
        key=lambda item: (item.finding.operation, item.finding.status_code or 0, item.finding.kind, item.finding.path),
    )
    planner = _Planner(spec, [*current, *(item.finding for item in items)])
    planner.choose_owners(items)
    for item in items:
        planner.plan(item)
    if not planner.actions:
        return None
    document: dict[str, Any] = {
        "overlay": OVERLAY_VERSION,
        "info": {"title": f"{vendor}: spec changes proposed from persisting drift", "version": version},
    }
    if extends is not None:
        document["extends"] = extends
    document["x-review"] = (
        "Proposed by `contracts drift` from drift findings seen in at least two runs in a row. Never applied "
        "automatically: review each action (its x-findings are the evidence), then apply it with an Overlay tool."
    )
    document["actions"] = [action.as_dict() for action in planner.actions]
    if planner.skipped:
        document["x-not-proposed"] = planner.skipped
    errors = overlay_errors(document)
    if errors:  # pragma: no cover - a bug here, not in the vendor
        raise AssertionError(f"the proposed overlay is not an Overlay 1.0 document: {errors}")
    return document


class _Planner:
    def __init__(self, spec: Spec, current: Sequence[Finding]) -> None:
        self.spec = spec
        self.actions: list[_Action] = []
        self.skipped: list[dict[str, str]] = []
        self._by_key: dict[tuple[str, ...], _Action] = {}
        self._current = current
        self._usages: _Usages | None = None
        self._owner: dict[str, str] = {}

    @property
    def usages(self) -> _Usages:
        if self._usages is None:
            self._usages = _usages(self.spec)
        return self._usages

    def _path(self, pointer: str) -> str:
        return normalized_path(pointer, self.spec.raw)

    def skip(self, item: Persisting, reason: str) -> None:
        self.skipped.append({"id": item.finding.fingerprint, "pointer": item.finding.path, "reason": reason})

    def plan(self, item: Persisting) -> None:
        finding = item.finding
        try:
            operation = self.spec.operation(finding.operation)
        except ContractSuiteError:
            return self.skip(item, f"the spec has no operation {finding.operation!r}")
        response = operation.response_for(finding.status_code or 0)
        if response is None:
            return self.skip(item, f"{finding.operation} documents no response {finding.status_code}")
        if finding.location is Location.HEADER:
            if finding.kind is Kind.UNDOCUMENTED_FIELD:
                return self._header(item, response.pointer)
            return self.skip(item, "only undocumented headers are proposed")
        root = self.spec.response_schema_pointer(response)
        if root is None:
            return self.skip(item, f"{finding.operation} {response.status} documents no JSON body schema")
        if finding.kind is Kind.UNDOCUMENTED_FIELD:
            return self._member(item, root)
        if finding.kind is Kind.ENUM_MISMATCH:
            return self._known_value(item, root)
        return self._never_present(item, root, response.status)

    def _action(self, key: tuple[str, ...], item: Persisting, make: Any) -> None:
        action = self._by_key.get(key)
        if action is None:
            action = make()
            self._by_key[key] = action
            self.actions.append(action)
        action.findings.append(item)

    def _header(self, item: Persisting, response_pointer: str) -> None:
        name = item.finding.path.lstrip("/")
        headers = _raw(self.spec.raw, f"{response_pointer}/headers")
        header = {
            "description": f"Sent by the vendor, undocumented (seen since {item.first_seen}; added from drift).",
            "schema": {"type": "string"},
        }
        if isinstance(headers, dict):
            target, update = f"{response_pointer}/headers", {name: header}
        else:
            target, update = response_pointer, {"headers": {name: header}}
        self._action(
            ("header", target, name),
            item,
            lambda: _Action(self._path(target), f"Document the response header `{name}`.", update),
        )

    def choose_owners(self, items: Sequence[Persisting]) -> None:
        """Where each undocumented member goes: the widest schema node of its parent that documents only objects
        where the member was seen (so responses sharing a component without it do not come to miss it), else the
        first (a shared component); then, when another finding of the same member went to one of this one's
        nodes, there too, so that one change documents it once."""
        candidates: dict[str, tuple[str, list[str]]] = {}
        for item in items:
            finding = item.finding
            if finding.kind is not Kind.UNDOCUMENTED_FIELD or finding.location is not Location.BODY:
                continue
            owners = self._owners(item)
            if not owners:
                continue
            name = _parts(finding.path)[-1]
            seen = {
                (other.operation, self._status_key(other), _generic(other.path.rsplit("/", 1)[0]))
                for other in self._current
                if other.kind is Kind.UNDOCUMENTED_FIELD
                and other.location is Location.BODY
                and _parts(other.path)[-1:] == [name]
            }
            covered = [node for node in owners if self.usages.objects.get(node, set()) <= seen]
            first = max(covered, key=lambda node: len(self.usages.objects.get(node, ()))) if covered else owners[0]
            candidates[finding.fingerprint] = (name, owners)
            self._owner[finding.fingerprint] = first
        for key, (name, owners) in candidates.items():
            chosen = {self._owner[other] for other, (n, _) in candidates.items() if n == name and other != key}
            self._owner[key] = next((node for node in owners if node in chosen), self._owner[key])

    def _owners(self, item: Persisting) -> list[str]:
        finding = item.finding
        operation = self.spec.operation(finding.operation) if self._has(finding.operation) else None
        response = operation.response_for(finding.status_code or 0) if operation is not None else None
        root = self.spec.response_schema_pointer(response) if response is not None else None
        if root is None:
            return []
        parent = _schema_for(self.spec, root, "".join(f"/{_escape(p)}" for p in _parts(finding.path)[:-1]))
        return _object_owners(self.spec, parent) if parent is not None else []

    def _has(self, label: str) -> bool:
        return any(operation.label == label for operation in self.spec.operations)

    def _member(self, item: Persisting, root: str) -> None:
        finding = item.finding
        owner = self._owner.get(finding.fingerprint)
        if owner is None:
            return self.skip(item, "no schema object documents its parent")
        name = _parts(finding.path)[-1]
        schema = _schema_of_observed(finding.observed)
        schema["description"] = f"Sent by the vendor, undocumented (seen since {item.first_seen}; added from drift)."
        key = ("member", owner, name)
        existing = self._by_key.get(key)
        if existing is not None:  # the same member asked for again (another operation sharing the component)
            _widen(existing.update, name, schema)
            existing.findings.append(item)
            return
        if isinstance(_raw(self.spec.raw, f"{owner}/properties"), dict):
            target, update = f"{owner}/properties", {name: schema}
        else:
            target, update = owner, {"properties": {name: schema}}
        types = schema.get("type")
        self._action(
            key,
            item,
            lambda: _Action(self._path(target), f"Document the member `{name}` ({types}) as optional.", update),
        )

    def _known_value(self, item: Persisting, root: str) -> None:
        leaf = _schema_for(self.spec, root, item.finding.path)
        node = (
            next(
                (n for n in _nodes(self.spec, leaf) if isinstance(_raw(self.spec.raw, f"{n}/x-known-values"), list)),
                None,
            )
            if leaf is not None
            else None
        )
        if node is None:
            return self.skip(item, "no x-known-values documents this value")
        try:
            value = json.loads(item.finding.observed)
        except ValueError:
            return self.skip(item, "the observed value was truncated in the finding")
        target = f"{node}/x-known-values"
        self._action(
            ("known", target, json.dumps(value, sort_keys=True)),
            item,
            lambda: _Action(self._path(target), f"Add {item.finding.observed} to the known values.", value),
        )

    def _never_present(self, item: Persisting, root: str, status: str) -> None:
        finding = item.finding
        always_null = finding.observed.startswith("null in")
        member = _schema_for(self.spec, root, finding.path)
        if member is None:
            return self.skip(item, "no schema documents it")
        same = {
            (other.operation, self._status_key(other), other.path)
            for other in self._current
            if other.kind is Kind.NEVER_PRESENT
            and other.observed.startswith("null in") == always_null
            and other.location is Location.BODY
        }
        elsewhere = sorted(self.usages.members.get(member, set()) - same)
        if elsewhere:
            where = ", ".join(f"{op} {st} {path}" for op, st, path in elsewhere[:3])
            more = f" and {len(elsewhere) - 3} more" if len(elsewhere) > 3 else ""
            return self.skip(item, f"its schema also documents {where}{more}, which did not show it so in this run")
        name = _parts(member)[-1]
        properties = member.rsplit("/", 1)[0]
        documented = json.dumps(_raw(self.spec.raw, member), sort_keys=True)
        self._action(
            ("remove", member),
            item,
            lambda: _Action(
                self._path(member),
                f"Remove the member `{name}`: {finding.observed}."
                if not always_null
                else f"Replace the documented `{name}` ({documented}): {finding.observed}.",
                remove=True,
            ),
        )
        if always_null:
            update = {
                name: {
                    "type": "null",
                    "description": f"Always null from the vendor (since {item.first_seen}); "
                    f"documented as {documented}.",
                }
            }
            self._action(
                ("null", member),
                item,
                lambda: _Action(self._path(properties), f"Document `{name}` as always null.", update),
            )

    def _status_key(self, finding: Finding) -> str:
        try:
            response = self.spec.operation(finding.operation).response_for(finding.status_code or 0)
        except ContractSuiteError:
            return ""
        return response.status if response is not None else ""


_JSON_TYPES = ("object", "array", "string", "boolean", "integer", "number", "null")


def _schema_of_observed(observed: str) -> dict[str, Any]:
    """A schema for the observed value ``"<type> <json>"``: its type, and for an object or an array the
    members and items its value shows when the finding holds it whole (not truncated)."""
    kind, _, text = observed.partition(" ")
    if kind not in _JSON_TYPES:
        return {}
    try:
        return _infer(json.loads(text))
    except ValueError:
        return {"type": kind}


def _infer(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {"type": "object", "properties": {key: _infer(member) for key, member in value.items()}}
    if isinstance(value, list):
        schema: dict[str, Any] = {"type": "array"}
        items = [_infer(element) for element in value]
        if items and all(item == items[0] for item in items):
            schema["items"] = items[0]
        return schema
    if value is None:
        return {"type": "null"}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    return {"type": "string"}


def _widen(update: dict[str, Any], name: str, schema: dict[str, Any]) -> None:
    """Make the member's proposed schema accept another observed type too (integer within number)."""
    proposed = update.get(name) if name in update else update.get("properties", {}).get(name)
    if not isinstance(proposed, dict) or proposed.get("type") == schema.get("type"):
        return
    types = {
        t
        for value in (proposed.get("type"), schema.get("type"))
        for t in (value if isinstance(value, list) else [value])
        if t
    }
    if {"integer", "number"} <= types:
        types.discard("integer")
    proposed.clear()
    proposed.update({"type": sorted(types) if len(types) > 1 else types.pop(), "description": schema["description"]})
