"""Loading a vendor's OpenAPI 3.1 spec: validation, $ref resolution, operations and response schemas.

The spec is the single source of schema truth. Everything that needs a schema
(explicit checks, drift observations, schemathesis) gets it from a ``Spec``.
"""

from __future__ import annotations

import calendar
import copy
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import jsonschema_rs
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from contracts.values.errors import SpecError
from contracts.values.findings import json_pointer

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _rs_format(name: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator({"format": name}, validate_formats=True)


_RS_EMAIL = _rs_format("email")
_RS_UUID = _rs_format("uuid")
_RS_DATE_TIME = _rs_format("date-time")
_FIRST_LEAP_SECOND_YEAR = 1972
"""UTC has had leap seconds since 1972 (RFC 3339 Appendix D); none can end an earlier month."""
_LEAP_SECOND = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):60(?:\.\d+)?(?:[Zz]|([+-])(\d\d):(\d\d))")


def is_email(value: object) -> bool:
    """RFC 5321 mailbox, as jsonschema-rs (and so schemathesis) judges it; jsonschema's own only wants an "@"."""
    return not isinstance(value, str) or _RS_EMAIL.is_valid(value)


def is_uuid(value: object) -> bool:
    """RFC 9562 8-4-4-4-12 hex, any case. jsonschema's own goes through ``uuid.UUID``, which also takes a
    trailing "}" or extra hyphens."""
    return not isinstance(value, str) or _RS_UUID.is_valid(value)


def is_date_time(value: object) -> bool:
    """RFC 3339 §5.6 date-time, with §5.7's rule that second 60 only ends a month (23:59:60 UTC).

    Neither library gets §5.7 right alone: jsonschema's (rfc3339-validator) refuses every leap second,
    and its ``$`` lets a trailing newline through; jsonschema-rs takes 23:59:60 UTC on any day.
    """
    if not isinstance(value, str):
        return True
    if not _RS_DATE_TIME.is_valid(value):
        return False
    leap = _LEAP_SECOND.match(value)
    if leap is None:
        return True
    year, month, day, hour, minute, sign, offset_hours, offset_minutes = leap.groups()
    if int(year) < _FIRST_LEAP_SECOND_YEAR:
        return False
    offset = timedelta(hours=int(offset_hours or 0), minutes=int(offset_minutes or 0))
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute))
        utc = local + offset if sign == "-" else local - offset
    except (ValueError, OverflowError):  # pragma: no cover - jsonschema-rs has checked the fields
        return False
    # jsonschema-rs has checked that it is 23:59 in UTC; §5.7 also wants the last day of a month.
    return utc.day == calendar.monthrange(utc.year, utc.month)[1]


RS_FORMATS: Mapping[str, Callable[[str], bool]] = {"date-time": is_date_time}
"""Formats the fast validators check in Python: the ones where jsonschema-rs's built-in is not the rule above.
email and uuid stay built in, and FORMAT_CHECKER calls that same code, so both layers judge every value alike."""


def _build_format_checker() -> FormatChecker:
    """jsonschema's checkers, with email, uuid and date-time judged exactly as the fast validators judge them."""
    checker = FormatChecker()
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    for name, check in (("email", is_email), ("uuid", is_uuid), ("date-time", is_date_time)):
        checker.checks(name)(check)
    return checker


FORMAT_CHECKER = _build_format_checker()


@dataclass(frozen=True)
class ResponseSpec:
    status: str
    """``"200"``, ``"4XX"`` or ``"default"``, as written in the spec."""
    pointer: str
    """JSON pointer of the response object in the spec (after following a response-level $ref)."""
    media_types: tuple[str, ...]
    headers: Mapping[str, Mapping[str, Any]]
    """Lower-cased header name -> the documented header object ($ref followed)."""
    has_schema: bool
    header_schemas: Mapping[str, str] = field(default_factory=dict)
    """Lower-cased header name -> JSON pointer of its schema, for each documented header that has one."""


@dataclass(frozen=True)
class HeaderCheck:
    """What checking one documented response header takes, resolved once per response (``Spec.header_checks``)."""

    name: str
    """Lower-cased."""
    required: bool
    schema: str | None
    """JSON pointer of its schema, None when it has none."""
    types: tuple[str, ...]
    """The JSON types its schema names: how its wire text is read."""
    validator: jsonschema_rs.Validator | None


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    pointer: str
    responses: Mapping[str, ResponseSpec]
    path_parameters: tuple[str, ...]
    security_schemes: tuple[str, ...]
    request_media_types: tuple[str, ...] = ()
    extensions: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def is_write(self) -> bool:
        return self.method.upper() not in ("GET", "HEAD", "OPTIONS")

    def response_for(self, status_code: int) -> ResponseSpec | None:
        """The documented response for a status: exact code first, then ``4XX``-style ranges, then ``default``."""
        exact = self.responses.get(str(status_code))
        if exact is not None:
            return exact
        ranged = self.responses.get(f"{str(status_code)[0]}XX")
        return ranged if ranged is not None else self.responses.get("default")

    @property
    def documented_statuses(self) -> tuple[str, ...]:
        return tuple(self.responses)

    @cached_property
    def _matcher(self) -> re.Pattern[str]:
        names = iter(self.path_template_names)
        pattern = re.sub(r"\\\{[^/]+?\\\}", lambda _: f"(?P<p{next(names)[0]}>[^/]+)", re.escape(self.path))
        return re.compile(f"^{pattern}$")

    @cached_property
    def path_template_names(self) -> tuple[tuple[int, str], ...]:
        """(position, name) of each ``{parameter}`` in the path template, in order."""
        return tuple(enumerate(re.findall(r"\{([^/]+?)\}", self.path)))

    def matches(self, method: str, path: str) -> bool:
        return method.upper() == self.method.upper() and bool(self._matcher.match(path))

    def path_values(self, path: str) -> dict[str, str]:
        """The path parameters of a concrete request path (percent-decoded); empty when it does not match."""
        found = self._matcher.match(path)
        if found is None:
            return {}
        return {name: unquote(found.group(f"p{index}")) for index, name in self.path_template_names}


class Spec:
    """A loaded, validated, fully resolvable OpenAPI 3.1 document."""

    def __init__(self, raw: dict[str, Any], *, source: str) -> None:
        self.raw = raw
        self.source = source
        if str(raw.get("openapi", "")).split(".")[:2] != ["3", "1"]:
            raise SpecError(f"expected OpenAPI 3.1, found openapi: {raw.get('openapi')!r}", path=source)
        self._resource = DRAFT202012.create_resource(raw)
        self.uri = f"urn:contracts:spec:{Path(source).stem}"
        self._registry: Registry[Any] = Registry().with_resource(self.uri, self._resource)
        # $refs first: the meta-schema validator follows them itself and would fail on a dangling one
        # with an error that names neither the file nor the pointer.
        self._check_refs()
        self._validate_meta_schema()
        self.operations = tuple(self._collect_operations())
        self._validators: dict[str, Draft202012Validator] = {}
        self._fast_validators: dict[str, jsonschema_rs.Validator] = {}
        self._schema_pointers: dict[tuple[str, str], str | None] = {}
        self._schema_types: dict[str, tuple[str, ...]] = {}
        self._header_checks: dict[str, tuple[HeaderCheck, ...]] = {}

    @classmethod
    def load(cls, path: Path) -> Spec:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SpecError(f"cannot read spec: {exc.strerror}", path=str(path)) from exc
        except UnicodeDecodeError as exc:
            raise SpecError(f"not UTF-8 text (byte {exc.start}: {exc.reason})", path=str(path)) from exc
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise SpecError(f"not valid YAML{where}: {problem}", path=str(path)) from exc
        if not isinstance(raw, dict):
            raise SpecError("the document is not a mapping", path=str(path))
        return cls(raw, source=str(path))

    # -- validation ---------------------------------------------------------------------------

    def _validate_meta_schema(self) -> None:
        errors = sorted(OpenAPIV31SpecValidator(self.raw).iter_errors(), key=lambda e: list(e.path))
        if errors:
            first = errors[0]
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            # openapi-spec-validator's message continues with "Failed validating ... On instance ...".
            message = first.message.splitlines()[0] if first.message else "invalid"
            raise SpecError(
                f"does not validate against the OpenAPI 3.1 meta-schema: {message}{more}",
                path=self.source,
                pointer=json_pointer(first.path),
            )

    def _check_refs(self) -> None:
        resolver = self._registry.resolver(base_uri=self.uri)
        for pointer, ref in self.iter_refs():
            try:
                resolver.lookup(ref if not ref.startswith("#") else f"{self.uri}{ref}")
            except Unresolvable as exc:
                raise SpecError(f"$ref {ref!r} does not resolve", path=self.source, pointer=pointer) from exc

    def iter_refs(self) -> Iterator[tuple[str, str]]:
        """Every ``$ref`` in the document with the pointer of the object holding it."""

        def walk(node: Any, parts: list[str | int]) -> Iterator[tuple[str, str]]:
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    yield json_pointer(parts), ref
                for key, value in node.items():
                    yield from walk(value, [*parts, key])
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    yield from walk(value, [*parts, index])

        yield from walk(self.raw, [])

    # -- navigation ---------------------------------------------------------------------------

    def resolve_pointer(self, pointer: str) -> Any:
        """The node at a JSON pointer (``#/components/...`` or ``/components/...``), following a final $ref."""
        node: Any = self._resolver_lookup(pointer).contents
        while isinstance(node, dict) and "$ref" in node and len(node) == 1:
            node = self._resolver_lookup(node["$ref"]).contents
        return node

    def _resolver_lookup(self, pointer: str) -> Any:
        fragment = pointer.removeprefix("#")
        try:
            return self._registry.resolver(base_uri=self.uri).lookup(f"{self.uri}#{fragment}")
        except Unresolvable as exc:
            raise SpecError(f"{pointer!r} does not resolve", path=self.source) from exc

    def _collect_operations(self) -> Iterator[Operation]:
        global_security = self._security_names(self.raw.get("security", []))
        for path, item in self.raw.get("paths", {}).items():
            path_level_params = item.get("parameters", [])
            for method in HTTP_METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                pointer = json_pointer(["paths", path, method])
                responses = {
                    str(status): self._response_spec(
                        str(status), response, json_pointer([*_parts(pointer), "responses", str(status)])
                    )
                    for status, response in operation.get("responses", {}).items()
                }
                parameters = [self._deref(p) for p in [*path_level_params, *operation.get("parameters", [])]]
                security = operation.get("security")
                request_body = self._deref(operation.get("requestBody", {}))
                yield Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=operation.get("operationId", f"{method}_{path}"),
                    pointer=pointer,
                    responses=responses,
                    path_parameters=tuple(p["name"] for p in parameters if p.get("in") == "path"),
                    security_schemes=global_security if security is None else self._security_names(security),
                    request_media_types=tuple(request_body.get("content", {})),
                    extensions={k: v for k, v in operation.items() if k.startswith("x-")},
                )

    def _deref(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = self._resolver_lookup(node["$ref"]).contents
        return node

    def _response_spec(self, status: str, response: dict[str, Any], pointer: str) -> ResponseSpec:
        while "$ref" in response:
            pointer = response["$ref"].lstrip("#")
            response = self._resolver_lookup(response["$ref"]).contents
        content = response.get("content", {})
        headers: dict[str, Mapping[str, Any]] = {}
        header_schemas: dict[str, str] = {}
        for name, header in response.get("headers", {}).items():
            at = json_pointer([*_parts(pointer), "headers", name])
            while isinstance(header, dict) and "$ref" in header:
                at = header["$ref"].lstrip("#")
                header = self._resolver_lookup(header["$ref"]).contents
            headers[name.lower()] = header
            if isinstance(header, dict) and "schema" in header:
                header_schemas[name.lower()] = f"{at}/schema"
        return ResponseSpec(
            status=status,
            pointer=pointer,
            media_types=tuple(content),
            headers=headers,
            has_schema=any("schema" in media for media in content.values()),
            header_schemas=header_schemas,
        )

    @staticmethod
    def _security_names(requirements: list[dict[str, Any]]) -> tuple[str, ...]:
        return tuple(name for requirement in requirements for name in requirement)

    def operation(self, label: str) -> Operation:
        """Look up an operation by its label, e.g. ``"GET /leads/{id}"``."""
        for operation in self.operations:
            if operation.label == label:
                return operation
        known = ", ".join(op.label for op in self.operations)
        raise SpecError(f"no operation {label!r}; the spec has: {known}", path=self.source)

    @cached_property
    def _by_specificity(self) -> list[Operation]:
        """Operations with fewer path parameters first: a literal segment wins over a parameter
        (``/leads/variable-keys`` before ``/leads/{id}``)."""
        return sorted(self.operations, key=lambda op: len(op.path_template_names))

    def match(self, method: str, path: str) -> Operation | None:
        """The operation a concrete request path (without the server prefix) belongs to."""
        for operation in self._by_specificity:
            if operation.matches(method, path):
                return operation
        return None

    @property
    def server_url(self) -> str:
        servers = self.raw.get("servers") or [{"url": "/"}]
        return str(servers[0]["url"]).rstrip("/")

    @property
    def server_path(self) -> str:
        """The path prefix of the first server URL (``/api/public`` for ``https://host/api/public``)."""
        return urlsplit(self.server_url).path.rstrip("/")

    def security_scheme(self, name: str) -> dict[str, Any]:
        schemes = self.raw.get("components", {}).get("securitySchemes", {})
        if name not in schemes:
            raise SpecError(f"no security scheme {name!r}", path=self.source, pointer="/components/securitySchemes")
        return dict(self._deref(schemes[name]))

    def credential_headers(self, scheme_name: str, key: str) -> dict[str, str]:
        """Headers that present ``key`` the way the named security scheme says."""
        scheme = self.security_scheme(scheme_name)
        if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":
            return {"Authorization": f"Bearer {key}"}
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            return {scheme["name"]: key}
        raise SpecError(f"security scheme {scheme_name!r} is not a bearer or header API key", path=self.source)

    def credential_header_names(self) -> set[str]:
        names = set()
        for scheme in self.raw.get("components", {}).get("securitySchemes", {}).values():
            scheme = self._deref(scheme)
            if scheme.get("type") == "http":
                names.add("authorization")
            elif scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                names.add(scheme["name"].lower())
        return names

    # -- schemas ------------------------------------------------------------------------------

    def response_schema_pointer(self, response: ResponseSpec, media_type: str = "application/json") -> str | None:
        """Memoised: every checked response asks, and resolving through the registry costs more than the check."""
        key = (response.pointer, media_type)
        if key not in self._schema_pointers:
            content = self.resolve_pointer(response.pointer).get("content", {})
            has_schema = media_type in content and "schema" in content[media_type]
            self._schema_pointers[key] = (
                f"{response.pointer}/content/{_escape(media_type)}/schema" if has_schema else None
            )
        return self._schema_pointers[key]

    def schema_types(self, pointer: str) -> tuple[str, ...]:
        """The JSON types the schema at ``pointer`` names (``type``, a string or a list; none when absent). Memoised:
        a header's value is read by its types on every checked response."""
        fragment = pointer.removeprefix("#")
        if fragment not in self._schema_types:
            declared = self.schema_at(fragment).get("type", ())
            self._schema_types[fragment] = (declared,) if isinstance(declared, str) else tuple(declared)
        return self._schema_types[fragment]

    def header_checks(self, response: ResponseSpec) -> tuple[HeaderCheck, ...]:
        """Each documented header of ``response``, with its compiled validator. Memoised: every response is checked."""
        checks = self._header_checks.get(response.pointer)
        if checks is None:
            checks = tuple(
                HeaderCheck(
                    name=name,
                    required=bool(header.get("required")),
                    schema=schema,
                    types=self.schema_types(schema) if schema is not None else (),
                    validator=self.fast_validator(schema) if schema is not None else None,
                )
                for name, header in response.headers.items()
                for schema in [response.header_schemas.get(name)]
            )
            self._header_checks[response.pointer] = checks
        return checks

    def validator(self, pointer: str) -> Draft202012Validator:
        """A format-checking 2020-12 validator for the schema at ``pointer`` (``#/components/schemas/Lead``).

        Pure Python and slow, but its errors carry what a finding needs (keyword, path, branch context):
        it explains a failure that ``fast_validator`` has found.
        """
        fragment = pointer.removeprefix("#")
        if fragment not in self._validators:
            self._resolver_lookup(fragment)  # raises SpecError on a bad pointer
            schema = {"$ref": f"{self.uri}#{fragment}"}
            self._validators[fragment] = Draft202012Validator(
                schema, registry=self._registry, format_checker=FORMAT_CHECKER
            )
        return self._validators[fragment]

    def fast_validator(self, pointer: str) -> jsonschema_rs.Validator:
        """The compiled jsonschema-rs validator for the schema at ``pointer``, formats on: the yes/no of every check.

        Compiled once per pointer, against the whole document so its $refs resolve, and reused for every response.
        """
        fragment = pointer.removeprefix("#")
        validator = self._fast_validators.get(fragment)
        if validator is None:
            self._resolver_lookup(fragment)  # raises SpecError on a bad pointer
            # A pointer into paths holds "{id}", which is not allowed in a URI: percent-encode it.
            schema = {"$ref": f"{self.uri}#{quote(fragment, safe=_FRAGMENT_SAFE)}"}
            validator = jsonschema_rs.Draft202012Validator(
                schema, registry=self._rs_registry, validate_formats=True, formats=dict(RS_FORMATS)
            )
            self._fast_validators[fragment] = validator
        return validator

    @cached_property
    def _rs_registry(self) -> jsonschema_rs.Registry:
        return jsonschema_rs.Registry([(self.uri, self.raw)], draft=jsonschema_rs.Draft202012)

    def schema_at(self, pointer: str) -> dict[str, Any]:
        node = self.resolve_pointer(pointer)
        if not isinstance(node, dict):
            raise SpecError(f"{pointer!r} is not a schema", path=self.source)
        return node

    def examples(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every media-type example in the spec as ``(example pointer, schema pointer, example object)``."""
        for pointer, node in _walk_media_types(self.raw):
            if "schema" not in node:
                continue
            for name, example in node.get("examples", {}).items():
                example = self._deref(example)
                yield f"{pointer}/examples/{_escape(name)}", f"{pointer}/schema", example

    def copy_raw(self) -> dict[str, Any]:
        return copy.deepcopy(self.raw)


def _walk_media_types(root: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    def walk(node: Any, parts: list[str | int]) -> Iterator[tuple[str, dict[str, Any]]]:
        if isinstance(node, dict):
            if parts and parts[-2:-1] == ["content"] and isinstance(node, dict):
                yield json_pointer(parts), node
            for key, value in node.items():
                yield from walk(value, [*parts, key])
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, [*parts, index])

    yield from walk(root, [])


_FRAGMENT_SAFE = "/~!$&'()*+,;=:@"
"""What RFC 3986 allows unescaped in a fragment (besides letters, digits and ``-._``)."""


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
