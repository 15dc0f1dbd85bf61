"""One operation's property cases, drawn by Hypothesis from schemathesis's strategies, sent and checked.

This is the loop schemathesis's own pytest integration runs (``create_test``
with the examples, coverage and fuzzing modes), not its engine. The engine
wraps every drawn case in run-wide machinery our runs do not use: response
values fed back into later draws, error feedback, an outage supervisor, and a
``hypothesis.target`` on the success rate whose hill-climbing replays and
mutates cases. On our four specs that machinery doubled the cost of each case
(``benchmarks/bench_property_vs_cli.py``). What the engine's extra draws
reach, the run reaches on purpose instead: the examples phase carries the known
lead and an unknown id, and the stateful unit follows the spec's links.

Every case goes through the schema's transport (the ``ClientTransport``), and
every check schemathesis has enabled for the operation runs on every response,
with no early stop and no shrinking: each checked case is handed to
``on_checked`` with the failures it showed. A check context is shared across
an operation's cases, so ``ignored_auth`` re-sends a request without
credentials once per operation, as the engine does.

A vendor fault or a bug of ours stops the operation at once: Hypothesis is
not allowed to treat it as a test failure and replay it while shrinking.

``create_test``, ``CheckContext`` and ``run_checks`` are schemathesis's own
building blocks, not its documented API; schemathesis is pinned in
``constraints.txt`` and ``tests/engine/test_driver.py`` covers what this module relies on.
"""

from __future__ import annotations

import traceback
import unittest
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from warnings import catch_warnings

from hypothesis.errors import HypothesisException
from requests.structures import CaseInsensitiveDict
from schemathesis.checks import CheckContext, load_all_checks, run_checks, run_checks_for
from schemathesis.core.control import SkipTest
from schemathesis.core.failures import Failure
from schemathesis.core.transport import Response
from schemathesis.engine.run import PhaseName
from schemathesis.generation import derive_operation_seed, overrides
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.hypothesis.builder import (
    HypothesisTestConfig,
    HypothesisTestMode,
    MissingPathParameters,
    create_test,
)
from schemathesis.generation.hypothesis.reporting import ignore_hypothesis_output

from contracts.values.errors import ContractSuiteError, UnsafeRequest, VendorFault

PHASE_MODES = {
    "examples": HypothesisTestMode.EXAMPLES,
    "coverage": HypothesisTestMode.COVERAGE,
    "fuzzing": HypothesisTestMode.FUZZING,
}
"""Our phase names, in the order they run, and the schemathesis test mode that draws each one's cases."""


@dataclass(frozen=True, slots=True)
class CheckedCase:
    """One case sent, its response, and each failure a check found, with the check's name."""

    case: Any
    response: Response
    failures: tuple[tuple[str, Failure], ...]


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
    operation: Any,
    *,
    phases: Sequence[str],
    on_checked: Callable[[CheckedCase], None],
    vendor: str | None = None,
) -> DriveResult:
    """Run ``phases`` (examples, coverage, fuzzing; in that order) for one operation of ``schema``.

    Raises ``ContractSuiteError`` when the cases cannot be generated or a bug of ours breaks a case;
    a vendor fault ends the run early and is returned in ``DriveResult.fault``.
    """
    load_all_checks()
    config = schema.config
    result = DriveResult()
    # Shared by every phase of the operation: once `ignored_auth` has seen a missing and a wrong key refused,
    # it does not probe again.
    auth_enforced: set[str] = set()
    # The check context is built as schemathesis's engine builds it for an operation, so the checks behave as
    # they do there; only its checks config and phase differ from phase to phase.
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

        check_case = _case_checker(checks_ctx, result, on_checked)
        test = _build_test(schema, operation, phase=phase, body=check_case, vendor=vendor)
        try:
            with catch_warnings(record=True), ignore_hypothesis_output():
                test()
        except _Stop as stop:
            if isinstance(stop.error, VendorFault):
                result.fault = stop.error
                return result
            raise ContractSuiteError(
                f"{operation.label}: a bug in the suite or its spec stopped the {phase} cases: "
                f"{type(stop.error).__name__}: {stop.error} ({_raised_at(stop.error)})",
                vendor=vendor,
            ) from stop.error
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
        failures: list[tuple[str, Failure]] = []
        try:
            response = case.call()
            run_checks(
                case=case,
                response=response,
                ctx=checks_ctx,
                checks=checks_ctx.internals.checks,
                on_failure=lambda check, _collected, failure: failures.append((check, failure)),
            )
            result.cases += 1
            on_checked(CheckedCase(case=case, response=response, failures=tuple(failures)))
        except UnsafeRequest as refused:
            if refused.message not in result.refused:
                result.refused.append(refused.message)
        except Exception as error:  # a vendor fault or a bug of ours (here or in on_checked): the run ends, unshrunk
            raise _Stop(error) from error

    return check_case


def _build_test(
    schema: Any, operation: Any, *, phase: str, body: Callable[[Any], None], vendor: str | None
) -> Callable[[], None]:
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
        raise ContractSuiteError(f"{operation.label}: cannot build {phase} cases: {error}", vendor=vendor) from error
    return test


def _raised_at(error: BaseException) -> str:
    """Where ``error`` was raised: the innermost frame of its traceback."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "no traceback"
    frame = frames[-1]
    return f"{frame.filename}:{frame.lineno} in {frame.name}"
