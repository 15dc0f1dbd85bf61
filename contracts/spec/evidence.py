"""Which doc line backs each fact of a spec: the ``x-evidence`` annotations, read the way facts are named.

Specs write ``x-evidence: {level, source, quote[, confirmed: {by, on, note}]}`` on any node: an operation,
a response, a header, a schema or one of its properties. A fact takes the evidence of the nearest node
above it: a body field that has none takes its parent object's, then its response's, then its
operation's. An ``x-evidence`` on a property covers the field's presence, type, format and nullability.
A node marked ``x-inferred`` (with its ``x-inferred-reason``) and no ``x-evidence`` is ``inferred``, with
the reason as its quote.

Where the docs agree on what a field is but not on where it sits (a page that wraps the object in an
envelope, say), ``x-evidence-presence`` on a node says how the docs back that the fields at and below it are
there at all: a missing field takes the nearest ``x-evidence-presence``, and without one its ``x-evidence``.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from contracts.spec.document import Operation, ResponseSpec, Spec
from contracts.values.errors import SpecError
from contracts.values.evidence import Evidence, Level

EVIDENCE_KEY = "x-evidence"
PRESENCE_KEY = "x-evidence-presence"
_MAX_DEPTH = 24


class EvidenceIndex:
    """Evidence lookups over one spec; every lookup is memoised (findings and facts ask many times)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._fields: dict[tuple[str, str, str, str, str], Evidence | None] = {}

    # -- reading one node -------------------------------------------------------------------------

    def at(self, node: Any, *, where: str, key: str = EVIDENCE_KEY) -> Evidence | None:
        """The evidence written on ``node`` itself (``where`` names it in errors), or None."""
        if not isinstance(node, dict):
            return None
        written = node.get(key)
        if written is not None:
            try:
                return Evidence.from_json(written)
            except ValueError as error:
                raise SpecError(str(error), path=self.spec.source, pointer=where) from error
        if key == EVIDENCE_KEY and node.get("x-inferred") is True:
            reason = str(node.get("x-inferred-reason", "")).strip() or "the page is silent"
            return Evidence(Level.INFERRED, source=self._source_of(node), quote=reason)
        return None

    def _source_of(self, node: dict[str, Any]) -> str:
        source = node.get("x-doc-source") or self.spec.raw.get("info", {}).get("x-sources", ["the vendor's docs"])[0]
        return str(source)

    # -- facts ------------------------------------------------------------------------------------

    def for_operation(self, operation: Operation) -> Evidence | None:
        return self.at(self.spec.resolve_pointer(operation.pointer), where=operation.pointer)

    def for_security(self, operation: Operation) -> Evidence | None:
        """That the operation needs credentials: the evidence on its security scheme(s), if any is written."""
        for name in operation.security_schemes:
            found = self.at(self.spec.security_scheme(name), where=f"/components/securitySchemes/{name}")
            if found is not None:
                return found
        return None

    def for_response(self, operation: Operation, response: ResponseSpec) -> Evidence | None:
        """A documented status: the response's own evidence, else its operation's."""
        written = self.at(self._response_node(operation, response), where=response.pointer)
        return written or self.for_operation(operation)

    def for_header(self, operation: Operation, response: ResponseSpec, header: str) -> Evidence | None:
        node = response.headers.get(header.lower())
        return self.at(node, where=f"{response.pointer}/headers/{header}") or self.for_response(operation, response)

    def for_field(
        self, operation: Operation, response: ResponseSpec, pointer: str, media_type: str = "application/json"
    ) -> Evidence | None:
        """A body field (``/data/email``, array items as numbers or ``*``): the nearest evidence on the way down."""
        return self._memo(operation, response, pointer, media_type, EVIDENCE_KEY)

    def for_presence(
        self, operation: Operation, response: ResponseSpec, pointer: str, media_type: str = "application/json"
    ) -> Evidence | None:
        """That a body field is there at all: the nearest ``x-evidence-presence``, else the field's evidence."""
        return self._memo(operation, response, pointer, media_type, PRESENCE_KEY) or self.for_field(
            operation, response, pointer, media_type
        )

    def _memo(
        self, operation: Operation, response: ResponseSpec, pointer: str, media_type: str, key: str
    ) -> Evidence | None:
        memo = (operation.pointer, response.pointer, pointer, media_type, key)
        if memo not in self._fields:
            self._fields[memo] = self._walk(operation, response, pointer, media_type, key)
        return self._fields[memo]

    def _walk(
        self, operation: Operation, response: ResponseSpec, pointer: str, media_type: str, key: str
    ) -> Evidence | None:
        found = self.for_response(operation, response) if key == EVIDENCE_KEY else None
        schema_pointer = self.spec.response_schema_pointer(response, media_type)
        if schema_pointer is None:
            return found
        node: Any = self.spec.resolve_pointer(schema_pointer)
        found = self._nearest(node, schema_pointer, key) or found
        for depth, segment in enumerate(_segments(pointer)):
            if depth > _MAX_DEPTH:
                break
            node = self._child(node, segment)
            if node is None:
                break
            found = self._nearest(node, f"{schema_pointer} ({pointer})", key) or found
        return found

    def _nearest(self, node: Any, where: str, key: str = EVIDENCE_KEY) -> Evidence | None:
        """Evidence on a schema node, on its ``$ref`` sibling keys first, then on what the ``$ref`` names."""
        own = self.at(node, where=where, key=key)
        if own is not None:
            return own
        if isinstance(node, dict) and "$ref" in node:
            return self.at(self.spec.resolve_pointer(node["$ref"]), where=node["$ref"], key=key)
        return None

    def _child(self, node: Any, segment: str) -> Any:
        node = self._deref(node)
        if not isinstance(node, dict):
            return None
        properties = node.get("properties", {})
        if segment in properties:
            return properties[segment]
        if "items" in node and (segment == "*" or segment.isdigit()):
            return node["items"]
        for keyword in ("allOf", "anyOf", "oneOf"):
            for branch in node.get(keyword, []):
                child = self._child(branch, segment)
                if child is not None:
                    return child
        additional = node.get("additionalProperties")
        return additional if isinstance(additional, dict) else None

    def _deref(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = self.spec.resolve_pointer(node["$ref"])
        return node

    def _response_node(self, operation: Operation, response: ResponseSpec) -> Any:
        return self.spec.resolve_pointer(response.pointer)

    @cached_property
    def operations(self) -> dict[str, Operation]:
        return {operation.label: operation for operation in self.spec.operations}


def _segments(pointer: str) -> list[str]:
    if not pointer or pointer == "/":
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.lstrip("/").split("/")]
