"""Everything the suite knows about schemathesis, in one module: the only one that imports it.

What it offers the rest of the engine is ours, in our own types:

* ``build_schema``: a spec document and a schemathesis config (as data) become a schema whose every
  request, and every probe its checks send, goes through a ``VendorClient`` (``ClientTransport``);
* ``drive_operation``: one operation's cases drawn by Hypothesis from schemathesis's strategies, sent
  and checked (the examples, coverage and fuzzing modes of schemathesis's pytest integration, without
  its engine: the engine's response reuse, error feedback and success-rate targeting doubled the cost
  of a case, ``benchmarks/bench_property_vs_cli.py``); no early stop and no shrinking;
* ``run_stateful``: the spec's links followed by schemathesis's engine, which builds the state machine;
* every check failure as a ``CheckFailure`` value, every case as a ``SentCase``.

The fast driver and the transport rest on building blocks that schemathesis does not document:
``create_test``, ``HypothesisTestConfig``, ``CheckContext`` and ``run_checks``, ``overrides``, and the
read-only ``transport`` property of a schema (replaced per schema by a subclass). Requests are
serialized by the public ``serialize_case`` of schemathesis's ``requests`` transport (it replaced the
private ``_build_request_data`` and ``_copy_serializers_from``, at no cost: the same serializers, and
none of the TLS, timeout and proxy lookups our client does not use). ``SEAMS`` lists each one;
``python -m contracts.engine.schemathesis_seam`` says which of them moved in the installed version.
Importing this module checks the version first (``SUPPORTED_SCHEMATHESIS``) and refuses any other
with one line naming both, instead of failing later inside a run as if a spec were broken.
``CONTRACTS_ALLOW_UNTESTED_SCHEMATHESIS=1`` turns that refusal into a warning (the scheduled job that
tries the newest release uses it).
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import traceback
import unittest
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from http import HTTPStatus
from importlib.metadata import version as installed_version
from typing import Any
from urllib.parse import urlsplit

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from contracts.values.errors import ContractSuiteError, IncompatibleDependency, UnsafeRequest, VendorFault

SUPPORTED_RANGE = ">=4.32.4,<4.33"
SUPPORTED_SCHEMATHESIS = SpecifierSet(SUPPORTED_RANGE)
"""The releases whose undocumented building blocks (``SEAMS``) this module was written and tested against.

4.32.0-4.32.3 lack ``overrides.with_config_headers``; 4.29 has another ``create_test`` signature."""

ALLOW_UNTESTED = "CONTRACTS_ALLOW_UNTESTED_SCHEMATHESIS"


def check_schemathesis_version(found: str | None = None) -> None:
    """Refuse a schemathesis outside ``SUPPORTED_SCHEMATHESIS``; only warn under ``ALLOW_UNTESTED=1``."""
    found = found or installed_version("schemathesis")
    if Version(found) in SUPPORTED_SCHEMATHESIS:
        return
    message = (
        f"schemathesis {found} is installed; the contract suite supports schemathesis {SUPPORTED_RANGE}, "
        "whose internals its property driver uses (install with `-c constraints.txt`, or see "
        "`python -m contracts.engine.schemathesis_seam` for what moved)"
    )
    if os.environ.get(ALLOW_UNTESTED) == "1":
        # Printed, not a Python warning: test sessions that turn warnings into errors must still run.
        print(f"warning: {message}", file=sys.stderr)
        return
    raise IncompatibleDependency(message)


# -- the seams: what moved? --------------------------------------------------------------------------


@dataclass(frozen=True)
class Seam:
    """One undocumented schemathesis building block, and the parameters the driver passes it."""

    module: str
    name: str
    parameters: tuple[str, ...] = ()
    """Keyword parameters (or dataclass fields) the suite passes; empty for attributes it only reads."""

    @property
    def label(self) -> str:
        return f"{self.module}.{self.name}"

    def problem(self) -> str | None:
        """Why this seam no longer fits the installed schemathesis, or None."""
        try:
            target: Any = importlib.import_module(self.module)
        except ImportError as error:
            return f"module {self.module} is gone ({error})"
        for part in self.name.split("."):
            if not hasattr(target, part):
                return f"{self.label} is gone"
            target = inspect.getattr_static(target, part) if isinstance(target, type) else getattr(target, part)
        if not self.parameters:
            return None
        call: Any = target.fget if isinstance(target, property) else target
        try:
            accepted = set(inspect.signature(call).parameters)
        except (TypeError, ValueError):
            return f"{self.label} has no signature to check"
        missing = [name for name in self.parameters if name not in accepted]
        return f"{self.label} no longer takes {', '.join(missing)}" if missing else None


SEAMS: tuple[Seam, ...] = (
    Seam(
        "schemathesis.generation.hypothesis.builder",
        "create_test",
        ("operation", "test_func", "config"),
    ),
    Seam(
        "schemathesis.generation.hypothesis.builder",
        "HypothesisTestConfig",
        (
            "project",
            "modes",
            "settings",
            "explicit_setting_names",
            "apply_ci_profile",
            "seed",
            "override",
            "feedback",
        ),
    ),
    Seam("schemathesis.generation.hypothesis.builder", "HypothesisTestMode"),
    Seam("schemathesis.generation.hypothesis.builder", "MissingPathParameters.get"),
    Seam("schemathesis.generation.overrides", "for_operation", ("config", "operation")),
    Seam("schemathesis.generation.overrides", "with_config_headers", ("config", "operation")),
    Seam("schemathesis.generation", "derive_operation_seed"),
    Seam("schemathesis.generation.feedback", "FeedbackSources"),
    Seam(
        "schemathesis.checks",
        "CheckContext",
        (
            "override",
            "auth",
            "headers",
            "config",
            "transport_kwargs",
            "response_checks",
            "phase",
            "auth_enforced_operations",
        ),
    ),
    Seam("schemathesis.checks", "run_checks", ("case", "response", "ctx", "checks", "on_failure")),
    Seam("schemathesis.checks", "run_checks_for"),
    Seam("schemathesis.engine.run", "PhaseName"),
    Seam("schemathesis.transport.requests", "REQUESTS_TRANSPORT"),
    Seam("schemathesis.transport.requests", "RequestsTransport.serialize_case", ("case",)),
    Seam("schemathesis.transport", "BaseTransport.get_matching_media_types", ("media_type",)),
    Seam("schemathesis.schemas", "BaseSchema.transport"),
    Seam("schemathesis.engine.recorder", "ScenarioRecorder"),
)


def moved_seams() -> list[tuple[Seam, str]]:
    """Each seam that no longer fits the installed schemathesis, with what changed."""
    return [(seam, problem) for seam in SEAMS if (problem := seam.problem()) is not None]


def main() -> int:
    """``python -m contracts.engine.schemathesis_seam``: which undocumented building blocks moved."""
    found = installed_version("schemathesis")
    supported = Version(found) in SUPPORTED_SCHEMATHESIS
    print(f"schemathesis {found} ({'supported' if supported else 'outside'} {SUPPORTED_RANGE})")
    moved = moved_seams()
    for seam in SEAMS:
        problem = dict((s.label, p) for s, p in moved).get(seam.label)
        print(f"  {'MOVED' if problem else 'ok   '} {seam.label}{f': {problem}' if problem else ''}")
    print(f"{len(moved)} of {len(SEAMS)} seams moved")
    return 1 if moved else 0


if __name__ == "__main__":  # the report works whatever version is installed: it imports nothing below
    sys.exit(main())

check_schemathesis_version()

# The version is supported: the building blocks below are where SEAMS says.
import hypothesis  # noqa: E402
import requests  # noqa: E402
import schemathesis  # noqa: E402
from hypothesis.errors import HypothesisException  # noqa: E402
from requests.structures import CaseInsensitiveDict  # noqa: E402
from requests.utils import get_encoding_from_headers  # noqa: E402
from schemathesis.checks import CheckContext, load_all_checks, run_checks, run_checks_for  # noqa: E402
from schemathesis.core.control import SkipTest  # noqa: E402
from schemathesis.core.failures import Failure, MalformedJson, ServerError  # noqa: E402
from schemathesis.core.transport import Response  # noqa: E402
from schemathesis.engine import events, from_schema  # noqa: E402
from schemathesis.engine.recorder import ScenarioRecorder  # noqa: E402
from schemathesis.engine.run import PhaseName  # noqa: E402
from schemathesis.generation import derive_operation_seed, overrides  # noqa: E402
from schemathesis.generation.feedback import FeedbackSources  # noqa: E402
from schemathesis.generation.hypothesis.builder import (  # noqa: E402
    HypothesisTestConfig,
    HypothesisTestMode,
    MissingPathParameters,
    create_test,
)
from schemathesis.generation.hypothesis.reporting import ignore_hypothesis_output  # noqa: E402
from schemathesis.openapi.checks import (  # noqa: E402
    IgnoredAuth,
    JsonSchemaError,
    MalformedMediaType,
    MissingContentType,
    MissingHeaderNotRejected,
    MissingHeaders,
    UndefinedContentType,
    UndefinedStatusCode,
)
from schemathesis.transport.requests import REQUESTS_TRANSPORT, RequestsTransport  # noqa: E402

# -- our view of schemathesis's cases and failures ---------------------------------------------------


class FailureKind(StrEnum):
    """What a schemathesis check found, in the terms our findings need."""

    RESPONSE_SCHEMA = "response schema"
    HEADER_SCHEMA = "header schema"
    UNDOCUMENTED_STATUS = "undocumented status"
    CONTENT_TYPE = "content type"
    MISSING_HEADERS = "missing headers"
    IGNORED_AUTH = "ignored auth"
    MISSING_HEADER_NOT_REJECTED = "missing header not rejected"
    SERVER_ERROR = "server error"
    OTHER = "other"


@dataclass(frozen=True)
class CheckFailure:
    """One failure of one schemathesis check, as plain values."""

    check: str
    kind: FailureKind
    title: str
    message: str
    instance_path: tuple[str | int, ...] = ()
    instance: Any = None
    validation_message: str | None = None
    documented_statuses: tuple[str, ...] = ()
    status_code: int | None = None
    headers: tuple[str, ...] = ()
    """The missing headers (``MISSING_HEADERS``), or the one sent without (``MISSING_HEADER_NOT_REJECTED``)."""
    expected_statuses: tuple[int, ...] = ()


def describe_failure(check: str, failure: Failure) -> CheckFailure:
    """A schemathesis failure as a ``CheckFailure``."""
    base = CheckFailure(check=check, kind=FailureKind.OTHER, title=failure.title, message=failure.message or "")
    if isinstance(failure, JsonSchemaError):
        return replace(
            base,
            kind=FailureKind.RESPONSE_SCHEMA if check == "response_schema_conformance" else FailureKind.HEADER_SCHEMA,
            instance_path=tuple(failure.instance_path),
            instance=failure.instance,
            validation_message=failure.validation_message,
        )
    if isinstance(failure, UndefinedStatusCode):
        return replace(
            base,
            kind=FailureKind.UNDOCUMENTED_STATUS,
            documented_statuses=tuple(map(str, failure.defined_status_codes)),
            status_code=failure.status_code,
        )
    if isinstance(failure, MissingContentType | UndefinedContentType | MalformedMediaType | MalformedJson):
        return replace(base, kind=FailureKind.CONTENT_TYPE)
    if isinstance(failure, MissingHeaders):
        return replace(base, kind=FailureKind.MISSING_HEADERS, headers=tuple(failure.missing_headers))
    if isinstance(failure, IgnoredAuth):
        return replace(base, kind=FailureKind.IGNORED_AUTH)
    if isinstance(failure, MissingHeaderNotRejected):
        return replace(
            base,
            kind=FailureKind.MISSING_HEADER_NOT_REJECTED,
            headers=(failure.header_name,),
            status_code=failure.status_code,
            expected_statuses=tuple(failure.expected_statuses),
        )
    if isinstance(failure, ServerError):
        return replace(base, kind=FailureKind.SERVER_ERROR)
    return replace(base, kind=FailureKind.OTHER)


@dataclass(frozen=True)
class SentCase:
    """The request a case made, as our findings describe it."""

    label: str
    method: str
    path: str
    """The formatted path (parameters filled in), relative to the server."""
    query: Mapping[str, Any] | None
    body: Any
    mode: str
    """``positive``, ``negative``, or ``explicit`` (an example given, not generated)."""


@dataclass(frozen=True)
class CheckedResponse:
    status_code: int
    headers: Mapping[str, str]
    """Lower-cased names, first value of each."""
    content: bytes


@dataclass(frozen=True, slots=True)
class CheckedCase:
    """One case sent, its response, and each failure the checks found."""

    case: SentCase
    response: CheckedResponse
    failures: tuple[CheckFailure, ...]


def _sent(case: Any) -> SentCase:
    return SentCase(
        label=case.operation.label,
        method=case.method,
        path=case.formatted_path,
        query=dict(case.query) if case.query else None,
        body=getattr(case, "body", None),
        mode=case.meta.generation.mode.value if case.meta is not None else "explicit",
    )


def _checked_response(response: Response) -> CheckedResponse:
    return CheckedResponse(
        status_code=response.status_code,
        headers={name.lower(): values[0] for name, values in response.headers.items() if values},
        content=response.content,
    )


# -- the transport ---------------------------------------------------------------------------------


# Only used to give ``requests`` an absolute URL to prepare; nothing is ever sent to it.
_PLACEHOLDER_ORIGIN = "http://contracts.invalid"
# Transport headers httpx sets itself for the outgoing request.
_NOT_FORWARDED = frozenset({"host", "content-length", "connection", "transfer-encoding"})
# The client hands back the decoded body, so these would describe bytes schemathesis never sees.
_NOT_RETURNED = frozenset({"content-length", "transfer-encoding", "content-encoding"})


class ClientTransport(RequestsTransport):
    """Sends schemathesis cases with our client instead of a ``requests`` session.

    Each case is serialized exactly as schemathesis's own ``requests`` transport would send it (same
    serializers, same ``requests`` preparation), then sent synchronously: no ASGI app, event loop or
    thread per request, which is what the in-process ASGI route cost (about 1.5 ms a request).
    """

    def __init__(
        self, client: Any, *, server_path: str, source: str = "schemathesis", skip_refused: bool = False
    ) -> None:
        super().__init__()
        self.client = client
        self.server_path = server_path
        self.source = source
        self.skip_refused = skip_refused
        """Stateful runs: a request the client refuses (``UnsafeRequest``) discards its step (Hypothesis's
        ``reject``) instead of failing the run, so the state machine goes on with the steps it may send."""
        self.refused: list[str] = []

    def serialize_case(self, case: Any, **kwargs: Any) -> dict[str, Any]:
        """The case as ``requests`` keyword arguments, by schemathesis's own ``requests`` transport.

        Its public ``serialize_case`` and ``get_matching_media_types`` carry the registered serializers (built-in
        and user-registered alike); nothing is copied from it.
        """
        data: dict[str, Any] = REQUESTS_TRANSPORT.serialize_case(case, **kwargs)
        return data

    def get_matching_media_types(self, media_type: str) -> Iterator[tuple[str, Any]]:
        """The media types schemathesis can send, and their serializers: those of its ``requests`` transport."""
        matching: Iterator[tuple[str, Any]] = REQUESTS_TRANSPORT.get_matching_media_types(media_type)
        return matching

    def send(self, case: Any, *, session: requests.Session | None = None, **kwargs: Any) -> Response:
        # Redirects are not followed (the client never follows them), and there is no app to call.
        for ignored in ("max_redirects", "app"):
            kwargs.pop(ignored, None)
        if session is not None and session.headers:
            # Headers configured for the run rank below the ones given for this call, as in schemathesis.
            headers = kwargs.get("headers") or {}
            for name, value in session.headers.items():
                headers.setdefault(name, value)
            kwargs["headers"] = headers
        data = self.serialize_case(case, **kwargs)
        for body in ("json", "data", "files"):  # a body the caller passes replaces the generated one
            if body in kwargs:
                data[body] = kwargs[body]
        url = data["url"]
        if not urlsplit(url).scheme:
            url = f"{_PLACEHOLDER_ORIGIN}{url}"
        prepared = requests.Request(
            method=data["method"],
            url=url,
            headers=data.get("headers"),
            params=data.get("params"),
            cookies=data.get("cookies"),
            json=data.get("json"),
            data=data.get("data"),
            files=data.get("files"),
            auth=data.get("auth"),
        ).prepare()
        try:
            return self._exchange(prepared)
        except UnsafeRequest as refused:
            if not self.skip_refused:
                raise
            if refused.message not in self.refused:
                self.refused.append(refused.message)
            hypothesis.reject()  # the step is discarded, not failed: nothing was sent
            raise  # unreachable: reject() raises

    def _exchange(self, prepared: requests.PreparedRequest) -> Response:
        parts = urlsplit(prepared.url or "")
        path = parts.path
        if self.server_path and path.startswith(self.server_path):
            path = path[len(self.server_path) :] or "/"
        body = _body_bytes(prepared.body)
        exchange = self.client.request(
            prepared.method or "GET",
            path,
            headers={
                name: value if isinstance(value, str) else value.decode("latin-1")
                for name, value in prepared.headers.items()
                if name.lower() not in _NOT_FORWARDED
            },
            params=parts.query or None,
            content=body or None,
            source=self.source,
        )
        headers = {name: [value] for name, value in exchange.response_headers.items() if name not in _NOT_RETURNED}
        headers["content-length"] = [str(len(exchange.content))]
        status = exchange.status_code or 502
        return Response(
            status_code=status,
            headers=headers,
            content=exchange.content,
            request=prepared,
            elapsed=exchange.elapsed,
            verify=True,
            message=_reason(status),
            encoding=get_encoding_from_headers(CaseInsensitiveDict(exchange.response_headers)),
        )


def _body_bytes(body: object) -> bytes | None:
    """``requests`` prepares a body as text or bytes (multipart included); nothing else reaches us."""
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    raise TypeError(f"cannot send a streamed request body ({type(body).__name__})")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def install_transport(schema: Any, transport: ClientTransport) -> None:
    """Make ``schema`` send every case, and every check's probe, through ``transport``.

    schemathesis picks a schema's transport from its ``app`` (ASGI, WSGI or ``requests``) in a read-only
    property; a per-schema subclass overrides just that property. ``schema.app`` stays unset.
    """
    base = type(schema)
    schema.__class__ = type(f"ClientRouted{base.__name__}", (base,), {"transport": property(lambda self: transport)})


# -- the schema --------------------------------------------------------------------------------------

CaseEditor = Callable[[str, dict[str, Any], bool], None]
"""Edits a case's JSON object body in place: (operation label, body, positive) -> None."""


def build_schema(
    document: dict[str, Any],
    config: dict[str, Any],
    *,
    client: Any,
    server_path: str,
    source: str,
    edit_body: CaseEditor,
) -> Any:
    """A schemathesis schema for ``document`` under ``config`` (schemathesis's own config, as a dict).

    Every request goes through ``client``; every case with a JSON object body (generated or an
    explicit example) is handed to ``edit_body`` before it is sent.
    """
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config.from_dict(config))
    stateful = bool(config.get("phases", {}).get("stateful", {}).get("enabled"))
    install_transport(schema, ClientTransport(client, server_path=server_path, source=source, skip_refused=stateful))

    def edit(case: Any) -> Any:
        if isinstance(case.body, dict):
            positive = case.meta is None or case.meta.generation.mode.value == "positive"
            edit_body(case.operation.label, case.body, positive)
        return case

    @schema.hook
    def map_case(context: Any, case: Any) -> Any:
        return edit(case)

    @schema.hook
    def before_add_examples(context: Any, examples: list[Any]) -> None:
        # Explicit examples (the examples phase) do not pass through map_case.
        for case in examples:
            edit(case)

    return schema


# -- one operation's property cases ------------------------------------------------------------------

PHASE_MODES = {
    "examples": HypothesisTestMode.EXAMPLES,
    "coverage": HypothesisTestMode.COVERAGE,
    "fuzzing": HypothesisTestMode.FUZZING,
}
"""Our phase names, in the order they run, and the schemathesis test mode that draws each one's cases."""


@dataclass(slots=True)
class DriveResult:
    """What driving one operation did: cases checked, requests refused, and what stopped it, if anything."""

    cases: int = 0
    refused: list[str] = field(default_factory=list)
    fault: VendorFault | None = None


class _Stop(BaseException):
    """Ends a Hypothesis run from inside the test body without it counting as a failing example.

    Hypothesis catches ``Exception`` to shrink and replay; a ``BaseException`` passes straight through.
    """

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error


def drive_operation(
    schema: Any,
    method: str,
    path: str,
    *,
    phases: Sequence[str],
    on_checked: Callable[[CheckedCase], None],
    vendor: str | None = None,
) -> DriveResult:
    """Run ``phases`` (examples, coverage, fuzzing; in that order) for one operation of ``schema``.

    Every case goes through the schema's transport, and every check schemathesis has enabled for the
    operation runs on every response, with no early stop and no shrinking. The check context is shared
    across the operation's phases, so ``ignored_auth`` probes once per operation, as the engine does.

    A vendor fault ends the run early and is returned in ``DriveResult.fault``. A spec whose cases
    cannot be generated raises ``ContractSuiteError``. A bug of ours (in this loop or in ``on_checked``)
    is re-raised as itself, with its traceback: it is not a finding, and Hypothesis never replays it.
    """
    load_all_checks()
    operation = schema[path][method.lower()]
    config = schema.config
    result = DriveResult()
    auth_enforced: set[str] = set()
    override = overrides.for_operation(config, operation=operation)
    auth = config.auth_for(operation=operation)
    configured_headers = config.headers_for(operation=operation)
    headers = CaseInsensitiveDict(configured_headers) if configured_headers else None
    response_checks = run_checks_for(schema).for_responses()
    for phase in [mode for mode in PHASE_MODES if mode in phases]:
        checks_ctx = CheckContext(
            override=override,
            auth=auth,
            headers=headers,
            config=config.checks_config_for(operation=operation, phase=phase),
            transport_kwargs=None,
            response_checks=response_checks,
            phase=PhaseName(phase),
            auth_enforced_operations=auth_enforced,
        )
        test = _build_test(schema, operation, phase=phase, body=_case_checker(checks_ctx, result, on_checked))
        try:
            with warnings.catch_warnings(record=True), ignore_hypothesis_output():
                test()
        except _Stop as stop:
            if isinstance(stop.error, VendorFault):
                result.fault = stop.error
                return result
            raise stop.error from None
        except (SkipTest, unittest.SkipTest):
            continue  # nothing to draw in this phase (no examples, say)
        except HypothesisException as error:
            raise ContractSuiteError(
                f"{operation.label}: cannot generate {phase} cases ({type(error).__name__}: {error})", vendor=vendor
            ) from error
        missing = MissingPathParameters.get(test)
        if missing:
            raise ContractSuiteError(f"{operation.label}: {missing}", vendor=vendor)
    return result


def _case_checker(
    checks_ctx: CheckContext, result: DriveResult, on_checked: Callable[[CheckedCase], None]
) -> Callable[[Any], None]:
    """The Hypothesis test body: send one case, run every enabled check, hand the result on."""

    def check_case(case: Any) -> None:
        failures: list[CheckFailure] = []
        try:
            response = case.call()
            run_checks(
                case=case,
                response=response,
                ctx=checks_ctx,
                checks=checks_ctx.internals.checks,
                on_failure=lambda check, _collected, failure: failures.append(describe_failure(check, failure)),
            )
            result.cases += 1
            on_checked(CheckedCase(_sent(case), _checked_response(response), tuple(failures)))
        except UnsafeRequest as refused:
            if refused.message not in result.refused:
                result.refused.append(refused.message)
        except Exception as error:  # a vendor fault or a bug of ours (here or in on_checked): the run ends, unshrunk
            raise _Stop(error) from error

    return check_case


def _build_test(schema: Any, operation: Any, *, phase: str, body: Callable[[Any], None]) -> Callable[[], None]:
    config = schema.config
    try:
        test: Callable[[], None] = create_test(
            operation=operation,
            test_func=body,
            config=HypothesisTestConfig(
                project=config,
                modes=[PHASE_MODES[phase]],
                # The fuzzing phase's settings (max_examples, deadline, database, derandomize) for every mode,
                # as schemathesis's pytest integration does; the CI profile is not applied, so CI runs what a
                # developer runs.
                settings=config.get_hypothesis_settings(operation=operation, phase="fuzzing", apply_ci_profile=False),
                explicit_setting_names=config.explicit_hypothesis_settings(operation=operation, phase="fuzzing"),
                apply_ci_profile=False,
                seed=derive_operation_seed(config.seed, operation.label),
                override=overrides.with_config_headers(config, operation=operation),
                feedback=FeedbackSources(),
            ),
        )
    except Exception as error:  # InvalidSchema, an unusable regex, ...: our spec cannot be tested as written
        raise ContractSuiteError(f"{operation.label}: cannot build {phase} cases: {error}") from error
    return test


# -- the spec's links, on schemathesis's engine --------------------------------------------------------


@dataclass(frozen=True)
class StatefulEvent:
    """What the stateful engine reported: a checked case, or an error with the operation it concerns."""

    checked: CheckedCase | None = None
    error: BaseException | None = None
    label: str | None = None


def run_stateful(schema: Any) -> Iterator[StatefulEvent]:
    """Follow the spec's links with schemathesis's engine (its stateful phase builds the state machine).

    Yields every checked case and every error the engine did not stop for. A fatal engine error raises
    ``ContractSuiteError``.
    """
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            yield from (StatefulEvent(checked=checked) for checked in _checked_cases(event.recorder))
        elif isinstance(event, events.NonFatalError):
            yield StatefulEvent(error=event.value, label=event.label)
        elif isinstance(event, events.FatalError):
            raise ContractSuiteError(f"schemathesis stopped: {describe_error(None, event.exception)}")


def refused_requests(schema: Any) -> list[str]:
    """Why the client refused the requests a stateful run's steps would have sent (their steps were discarded)."""
    transport = schema.transport
    return list(transport.refused) if isinstance(transport, ClientTransport) else []


def _checked_cases(recorder: ScenarioRecorder) -> Iterator[CheckedCase]:
    for case_id, node in recorder.cases.items():
        interaction = recorder.interactions.get(case_id)
        if interaction is None or interaction.response is None:
            continue
        failures = tuple(
            describe_failure(check.name, check.failure_info.failure)
            for check in recorder.checks.get(case_id, ())
            if check.failure_info is not None
        )
        yield CheckedCase(_sent(node.value), _checked_response(interaction.response), failures)


def is_spec_problem(error: BaseException) -> bool:
    """schemathesis's own word that the spec cannot be tested as written (not a bug of ours)."""
    return isinstance(error, schemathesis.errors.InvalidSchema | schemathesis.errors.InvalidRegexPattern)


def describe_error(label: str | None, error: BaseException) -> str:
    where = f"{label}: " if label else ""
    frames = "".join(traceback.format_exception(error)[-3:])
    return f"{where}{type(error).__name__}: {error}\n{frames}"
