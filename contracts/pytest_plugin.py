"""The pytest plugin: the ``live`` marker, vendor runs as fixtures, redaction, reports at session end.

Registered through the ``pytest11`` entry point. A test asks ``contract_run(vendor, target)``
for the session's run of one vendor against ``fake`` or ``live``; the run is created once,
its credentials guard checked once, and its findings collected. At the end of the session the
plugin adds the drift observations, writes the same reports as ``contracts drift`` when asked
to (``--contracts-report DIR``, or by default for a session that ran live tests), and scans
everything the run wrote for configured keys.

``vendor_fakes`` offers the suite's fakes to the tests of your own integration (``contracts.testing``).

Under pytest-xdist every worker is a session of its own: its own runs, its own in-process fakes,
one run id shared by all workers (so records created live carry one marker). A vendor's run is then
split between workers, so no worker can write its report: ``--contracts-report`` is refused with
``-n``, and a distributed live session says that it wrote none.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from contracts.config import configured_redactor
from contracts.values.findings import Finding
from contracts.values.model import Vendor
from contracts.values.redaction import RedactingFilter, Redactor
from contracts.values.results import Outcome, Status
from contracts.vendors import VENDORS

if TYPE_CHECKING:
    from contracts.engine.context import RunContext
    from contracts.engine.runner import Unit, VendorRun
    from contracts.testing import VendorFakesFactory

# The engine (and schemathesis with it) is imported only when a test asks for a contract run: this plugin
# is loaded into every pytest session of the environment it is installed in, whatever that session tests.


@dataclass
class SessionRun:
    """One vendor's run against one target for the whole pytest session, as tests see it."""

    vendor_run: VendorRun

    def require(self) -> None:
        """Skip (not configured, inconclusive) or fail loudly (credentials rejected) before any check runs."""
        run = self.vendor_run
        if run.status is Status.SKIPPED:
            pytest.skip(run.problem or "not configured")
        if run.status is Status.INCONCLUSIVE:
            pytest.skip(f"inconclusive: {run.problem}")
        if run.status is Status.ERROR:
            pytest.fail(f"{run.vendor.name} ({run.target_name}): {run.problem}", pytrace=False)

    @property
    def ctx(self) -> RunContext | None:
        """The engine's run context (target, client, fake), once the run has one."""
        return self.vendor_run.ctx

    def run(self, unit: Unit) -> Outcome:
        self.require()
        return self.vendor_run.run(unit)


_RUNS = pytest.StashKey[dict[tuple[str, str], SessionRun]]()
_REDACTOR = pytest.StashKey[Redactor]()
_RUN_ID = pytest.StashKey[str]()
_UNREPORTED = pytest.StashKey[list[str]]()
"""Controller of a distributed session: the targets whose reports workers could not write."""
_WORKER_RUN_ID = "contracts_run_id"
_WORKER_UNREPORTED = "contracts_unreported"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contracts", "vendor contract suite")
    group.addoption(
        "--contracts-report",
        metavar="DIR",
        default=None,
        help="write drift.json/.md/.html and the history for the contract runs of this session into DIR "
        "(default for sessions that ran live tests: reports/)",
    )
    group.addoption(
        "--contracts-env-file",
        metavar="PATH",
        default=".env",
        help="dotenv file with V_API_KEY etc. for live runs (default: .env)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "live: talks to the real vendor APIs with sandbox keys from the environment "
        "(select with `pytest -m live`; deselected by default)",
    )
    config.stash[_RUNS] = {}
    config.stash[_UNREPORTED] = []
    worker_input: dict[str, Any] = getattr(config, "workerinput", {})
    config.stash[_RUN_ID] = worker_input.get(_WORKER_RUN_ID) or uuid.uuid4().hex[:12]
    if config.getoption("--contracts-report") and _distributed(config):
        raise pytest.UsageError(
            "--contracts-report needs the whole session in one process: under pytest-xdist each worker holds "
            "only part of a vendor's run (run without -n, or with -n 0)"
        )
    redactor = configured_redactor(VENDORS, Path(config.getoption("--contracts-env-file")))
    config.stash[_REDACTOR] = redactor


def _distributed(config: pytest.Config) -> bool:
    """The controller of a pytest-xdist session (whose tests run in worker processes)."""
    if hasattr(config, "workerinput") or config.getoption("collectonly", False):
        return False
    return config.getoption("dist", "no") != "no" and bool(config.getoption("tx", None))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, in the controller: every worker's runs share the controller's run id."""
    node.workerinput[_WORKER_RUN_ID] = node.config.stash[_RUN_ID]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object | None) -> None:
    """pytest-xdist, in the controller: collect the targets whose reports a worker did not write."""
    unreported = getattr(node, "workeroutput", {}).get(_WORKER_UNREPORTED, [])
    node.config.stash[_UNREPORTED].extend(unreported)


_LOG_HANDLERS = ("log_file_handler", "log_cli_handler", "caplog_handler", "report_handler")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Mask keys in every log record pytest writes (log file, live log, captured logs in reports).

    Filters go on the handlers: a filter on a logger would miss records that propagate from child
    loggers such as ``httpcore``, whose debug records include raw response headers.
    """
    redacting = RedactingFilter(session.config.stash[_REDACTOR])
    logging_plugin = session.config.pluginmanager.get_plugin("logging-plugin")
    handlers = [getattr(logging_plugin, name, None) for name in _LOG_HANDLERS] + logging.getLogger().handlers
    for handler in handlers:
        if isinstance(handler, logging.Handler):
            handler.addFilter(redacting)


def _open(config: pytest.Config, vendor: Vendor, target_name: str) -> SessionRun:
    runs = config.stash[_RUNS]
    key = (vendor.name, target_name)
    if key not in runs:
        from contracts.pipeline import cleanup_file, open_vendor_run

        run = open_vendor_run(
            vendor,
            target_name,
            env_file=Path(config.getoption("--contracts-env-file")),
            redactor=config.stash[_REDACTOR],
            run_id=config.stash[_RUN_ID],
            cleanup_file=cleanup_file(target_name, Path(config.getoption("--contracts-report") or "reports")),
        )
        runs[key] = SessionRun(run)
    return runs[key]


@pytest.fixture(scope="session")
def contract_run(pytestconfig: pytest.Config) -> Callable[[Vendor, str], SessionRun]:
    """``contract_run(vendor, "fake" | "live")``: the session's run of one vendor, created on first use."""

    def get(vendor: Vendor, target_name: str) -> SessionRun:
        return _open(pytestconfig, vendor, target_name)

    return get


def render_failures(findings: list[Finding]) -> str:
    """The message a failing contract test shows: one headline per finding, with how to reproduce it."""
    lines = [f"{len(findings)} contract failure(s):"]
    for finding in findings:
        lines.append(f"  {finding.headline()}")
        if finding.example:
            request = f"{finding.example.get('method', '')} {finding.example.get('url', '')}".strip()
            lines.append(f"      request: {request}")
    return "\n".join(lines)


def assert_contract_holds(outcome: Outcome, redactor: Redactor | None = None) -> None:
    """Skip a skipped or inconclusive check; fail with every contract failure it found."""
    if outcome.skipped:
        pytest.skip(outcome.skipped)
    failures = outcome.contract_failures
    if failures:
        message = render_failures(failures)
        pytest.fail(redactor.scrub(message) if redactor else message, pytrace=False)
    if outcome.inconclusive:
        pytest.skip(f"inconclusive: {outcome.inconclusive}")


@pytest.fixture
def vendor_fakes() -> Iterator[VendorFakesFactory]:
    """``with vendor_fakes("nexor") as nexor:``: the suite's verified fakes for your integration's tests.

    Mounts each named vendor's fake at its documented base URL for every httpx client the test creates (see
    ``contracts.testing``); any mount the test left running is stopped when it ends.
    """
    from contracts.testing import VendorFakesFactory

    factory = VendorFakesFactory(track=True)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture(scope="session")
def contract_redactor(pytestconfig: pytest.Config) -> Redactor:
    return pytestconfig.stash[_REDACTOR]


# -- keeping keys out of reports ------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _scrub_report(item.config, report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    _scrub_report(collector.config, report)
    return report


def _scrub_report(config: pytest.Config, report: pytest.TestReport | pytest.CollectReport) -> None:
    redactor = config.stash.get(_REDACTOR, None)
    if not redactor:
        return
    if report.longrepr is not None:
        if isinstance(report.longrepr, tuple):
            path, line, reason = report.longrepr
            report.longrepr = (path, line, redactor.scrub(reason))
        else:
            text = str(report.longrepr)
            if redactor.contains_secret(text):
                report.longrepr = redactor.scrub(text)
    report.sections = [(title, redactor.scrub(content)) for title, content in report.sections]


# -- reports at the end of the session -------------------------------------------------------------


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    runs = config.stash.get(_RUNS, {})
    redactor = config.stash.get(_REDACTOR, Redactor())
    report_dir = config.getoption("--contracts-report")
    ran_live = any(target == "live" for _, target in runs)
    if report_dir is None and ran_live:
        report_dir = "reports"
    worker_output: dict[str, Any] | None = getattr(config, "workeroutput", None)
    if worker_output is not None:
        # A pytest-xdist worker holds part of each run: the controller says what went unreported and
        # scans the artifacts (JUnit XML and the log file are the controller's).
        if report_dir is not None and runs:
            worker_output[_WORKER_UNREPORTED] = sorted({target for _, target in runs})
        for run in runs.values():
            run.vendor_run.close()
        return
    for run in runs.values():  # what the session created (a worker's stays in the ledger for the next run)
        run.vendor_run.clean_up()
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    artifacts = _artifacts(config, report_dir)
    leaks: list[tuple[Path, str]] = []
    wrote_reports = False
    if report_dir is not None and runs:
        from contracts.pipeline import publish

        for target in sorted({target for _, target in runs}):
            results = [run.vendor_run.result() for (_, t), run in runs.items() if t == target]
            published = publish(
                results,
                target=target,
                run_id=config.stash[_RUN_ID],
                out=Path(report_dir),
                redactor=redactor,
                also_scan=artifacts,
            )
            leaks.extend(published.leaks)
            wrote_reports = True
    for run in runs.values():
        run.vendor_run.close()
    if not wrote_reports and artifacts:
        from contracts.pipeline import scan_for_leaks

        leaks = scan_for_leaks(redactor, artifacts)
    if leaks:
        for path, name in dict.fromkeys(leaks):
            message = f"SECRET LEAK: the value of {name} appeared in {path} (now masked)"
            if terminal is not None:
                terminal.write_line(message, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif wrote_reports and terminal is not None:
        terminal.write_line(
            f"contracts: reports written to {Path(report_dir or '.')}/ (drift.md, drift.html, drift.json)"
        )
    unreported_by_workers: list[str] = config.stash.get(_UNREPORTED, [])
    unreported = sorted(set(unreported_by_workers))
    if unreported and terminal is not None:
        terminal.write("\n")  # pytest-xdist leaves the cursor after its progress
        terminal.write_line(
            f"contracts: no drift reports written: the {' and '.join(unreported)} runs were split between "
            "pytest-xdist workers; run without -n for the reports",
            yellow=True,
            bold=True,
        )


def _artifacts(config: pytest.Config, report_dir: str | None) -> list[Path]:
    """Everything the session wrote that a key could have reached: the report directory, JUnit XML, log file."""
    paths = [Path(report_dir)] if report_dir else []
    xml = getattr(config.option, "xmlpath", None)
    if xml:
        paths.append(Path(xml))
    log_file = config.getoption("log_file", None) if hasattr(config.option, "log_file") else None
    if log_file:
        paths.append(Path(log_file))
    return paths
