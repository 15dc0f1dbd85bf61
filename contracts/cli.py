"""The ``contracts`` command: ``drift`` runs the suite and writes reports (and, with ``--record``, cassettes),
``replay`` checks recorded cassettes, ``report merge`` merges the reports of a run split by vendor, ``serve``
serves the fakes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from contracts.values.model import Vendor
from contracts.vendors import VENDORS

if TYPE_CHECKING:
    from contracts.pipeline import Published
    from contracts.report.model import ExitCode
    from contracts.transport.targets import Target
    from contracts.values.redaction import Redactor


def _exit_with(
    redactor: Redactor, command: Callable[[], ExitCode], *, setup_errors: tuple[type[Exception], ...] = ()
) -> NoReturn:
    """Exit with ``command``'s code. A problem in our setup (an unsupported schemathesis, or ``setup_errors``)
    is one line and exit 2; any other exception is a bug in the suite: its traceback (masked) and exit 4, never
    reported as anything a vendor did."""
    import traceback

    from contracts.report.model import ExitCode
    from contracts.values.errors import IncompatibleDependency

    ours: tuple[type[Exception], ...] = (IncompatibleDependency, *setup_errors)
    try:
        code = command()
    except ours as error:
        click.echo(f"error: {error}", err=True)
        code = ExitCode.USAGE_ERROR
    except Exception as error:
        click.echo(redactor.scrub("".join(traceback.format_exception(error))), err=True)
        click.echo("internal error: this is a bug in the contract suite, not a finding about a vendor", err=True)
        code = ExitCode.INTERNAL_ERROR
    sys.exit(int(code))


# Only click and the vendor records are imported up front, so `contracts --help` answers at once; each
# command imports the engine, the reports and the fakes when it runs (see benchmarks/README.md).

VENDOR_NAMES = [vendor.name for vendor in VENDORS]


def _selected(names: tuple[str, ...]) -> list[Vendor]:
    return [vendor for vendor in VENDORS if not names or vendor.name in names]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Contract tests and drift reports for third-party lead APIs."""


@main.command()
@click.option(
    "--target",
    "target_kind",
    type=click.Choice(["fake", "live"]),
    default="fake",
    show_default=True,
    help="The built-in fakes, or the live vendors configured from the environment.",
)
@click.option(
    "--vendor",
    "vendor_names",
    type=click.Choice(VENDOR_NAMES),
    multiple=True,
    help="Only these vendors (repeatable). Default: all.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Where drift.json, drift.md and drift.html are written.",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="History file the next run compares against. Default: OUT/history-TARGET.json.",
)
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".env"),
    show_default=True,
    help="Optional dotenv file with the V_API_KEY etc. variables (live target).",
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=None,
    help="Hypothesis examples per operation (default: CONTRACTS_MAX_EXAMPLES, else 25 on fakes and 5 live).",
)
@click.option(
    "--record",
    "record_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also save each vendor's exchanges as a cassette, RECORD/<vendor>.har (HAR 1.2, keys masked, people "
    "pseudonymised), for `contracts replay`.",
)
def drift(
    target_kind: str,
    vendor_names: tuple[str, ...],
    out: Path,
    history_path: Path | None,
    env_file: Path,
    max_examples: int | None,
    record_dir: Path | None,
) -> None:
    """Run every vendor's contract checks and write the drift reports.

    Exit codes: 0 the contracts hold (drift may exist), 1 a contract failure, 2 a usage or configuration
    error, 3 inconclusive (a vendor unreachable or rate-limited beyond its budget), 4 an internal error
    (a bug in the suite itself, never vendor drift).
    """
    from contracts.config import configured_redactor

    redactor = configured_redactor(VENDORS, env_file)
    _exit_with(
        redactor,
        lambda: _drift(redactor, target_kind, vendor_names, out, history_path, env_file, max_examples, record_dir),
    )


def _drift(
    redactor: Redactor,
    target_kind: str,
    vendor_names: tuple[str, ...],
    out: Path,
    history_path: Path | None,
    env_file: Path,
    max_examples: int | None,
    record_dir: Path | None = None,
) -> ExitCode:
    import logging
    import uuid

    from contracts.pipeline import cleanup_file, open_vendor_run, publish, record_cassette
    from contracts.values.redaction import RedactingFilter

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter(redactor))
    run_id = uuid.uuid4().hex[:12]
    results = []
    for vendor in _selected(vendor_names):

        def announce(target: Target, name: str = vendor.name) -> None:
            click.echo(f"{name}: checking against the {target.name} target ({target.base_url}) ...", err=True)

        run = open_vendor_run(
            vendor,
            target_kind,
            env_file=env_file,
            redactor=redactor,
            run_id=run_id,
            max_examples=max_examples,
            on_target=announce,
            cleanup_file=cleanup_file(target_kind, out),
        )
        if run.ctx is None:  # no target: a missing key (skipped) or bad configuration (error)
            problem = (run.problem or "").removeprefix(f"{vendor.name}: ")
            click.echo(redactor.scrub(f"{vendor.name}: {run.status}: {problem}"), err=True)
        try:
            results.append(run.run_all())
            if record_dir is not None:
                record_cassette(run, record_dir)
        finally:
            run.close()
    published = publish(
        results,
        target=target_kind,
        run_id=run_id,
        out=out,
        redactor=redactor,
        history_file=history_path,
        also_scan=[record_dir] if record_dir is not None else [],
    )
    return _report_published(redactor, published)


def _report_published(redactor: Redactor, published: Published) -> ExitCode:
    """Print what ``publish`` wrote (console summary, leaks, paths) and return the run's exit code."""
    from contracts.report.console import render_console
    from contracts.report.model import ExitCode

    if published.history_note is not None:
        click.echo(str(published.history_note), err=True)
    click.echo(redactor.scrub(render_console(published.report)))
    if published.leaks:
        for path, name in published.leaks:
            click.echo(f"SECRET LEAK: the value of {name} appeared in {path} (now masked); the run fails", err=True)
        return ExitCode.USAGE_ERROR
    paths = published.paths
    click.echo(f"\nReports: {paths['markdown']}  {paths['html']}  {paths['json']}  (history: {paths['history']})")
    overlays = [str(path) for name, path in paths.items() if name.startswith("overlay-")]
    if overlays:
        click.echo(f"Proposed spec changes from persisting drift (review; never applied): {'  '.join(overlays)}")
    return published.report.exit_code


@main.group()
def report() -> None:
    """Work with drift reports (merge the per-vendor reports of a run split across machines)."""


@report.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Where the merged drift.json, drift.md and drift.html are written.",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The merged history to compare with and update. Default: OUT/history-TARGET.json.",
)
@click.option(
    "--target",
    "target_kind",
    type=click.Choice(["fake", "live"]),
    default=None,
    help="The target the runs were against: reports of another are refused. Default: the first report's.",
)
@click.option(
    "--vendor",
    "vendor_names",
    type=click.Choice(VENDOR_NAMES),
    multiple=True,
    help="The vendors the merged report covers (repeatable). Default: all; one without a report is an error.",
)
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".env"),
    show_default=True,
    help="Optional dotenv file with the keys the written reports are scanned for.",
)
def merge(
    inputs: tuple[Path, ...],
    out: Path,
    history_path: Path | None,
    target_kind: str | None,
    vendor_names: tuple[str, ...],
    env_file: Path,
) -> None:
    """Merge the drift.json of runs split by vendor into one report and one history.

    INPUTS are the drift.json files written by `contracts drift --vendor X --out DIR` (or their DIRs).
    The merged drift.json, drift.md, drift.html and history are those one run over all the vendors would
    have written. Exit codes as for `contracts drift`, computed from the merged report; 2 also, with one
    line and nothing written, when an input is missing or corrupt, or comes from another target, other
    specs or another report format version.
    """
    from contracts.config import configured_redactor
    from contracts.pipeline import merge_reports
    from contracts.report.merge import ReportInputError

    redactor = configured_redactor(VENDORS, env_file)
    files = [path / "drift.json" if path.is_dir() else path for path in inputs]

    def run() -> ExitCode:
        published = merge_reports(
            files,
            vendors=_selected(vendor_names),
            target=target_kind,
            out=out,
            redactor=redactor,
            history_file=history_path,
        )
        return _report_published(redactor, published)

    _exit_with(redactor, run, setup_errors=(ReportInputError,))


@main.command()
@click.argument("cassettes", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".env"),
    show_default=True,
    help="Optional dotenv file with the keys a cassette must not hold.",
)
def replay(cassettes: tuple[Path, ...], env_file: Path) -> None:
    """Check recorded traffic (cassettes, or folders of *.har) against the current specs and the fakes.

    Every recorded response is checked against the spec as it is now, and every recorded request is replayed on
    the vendor's fake, its answer compared with the recorded one by shape. No key, no network. Exit codes: 0
    clean, 1 a contract failure or a fake that answers in another shape, 2 (one line, nothing written) for a
    cassette that is corrupt, of another format version, or holds what looks like a key. Default: the shipped
    tests/data/cassettes.
    """
    import time

    from contracts.config import configured_redactor
    from contracts.pipeline import replay as run_replay
    from contracts.report.model import ExitCode
    from contracts.transport.cassette import CassetteError

    redactor = configured_redactor(VENDORS, env_file)

    def run() -> ExitCode:
        started = time.monotonic()
        result = run_replay(list(cassettes) or [Path("tests/data/cassettes")], redactor=redactor)
        if not result.cassettes:
            click.echo("error: no cassette (*.har) given or found", err=True)
            return ExitCode.USAGE_ERROR
        for item in result.findings:
            click.echo(redactor.scrub(item.line()))
        failures = sum(1 for item in result.findings if item.finding.is_contract_failure)
        click.echo(
            f"replay: {len(result.cassettes)} cassette(s), {result.checked} recorded responses checked against the "
            f"specs, {result.replayed} requests replayed on the fakes, {failures} failure(s), "
            f"{len(result.findings) - failures} warning(s), {result.drift} drift observation(s) "
            f"({time.monotonic() - started:.1f} s)"
        )
        return ExitCode.CONTRACT_FAILURE if result.failed else ExitCode.OK

    _exit_with(redactor, run, setup_errors=(CassetteError,))


@main.command()
@click.option("--vendor", "vendor_names", type=click.Choice(VENDOR_NAMES), multiple=True, help="Only these vendors.")
@click.option(
    "--write",
    "write_to",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the ledger to this file (specs/FACTS.md) instead of printing it.",
)
def facts(vendor_names: tuple[str, ...], write_to: Path | None) -> None:
    """List every documented fact per vendor and operation, with its evidence level and the doc line it rests on."""
    from contracts.pipeline import facts_ledger

    text = facts_ledger(_selected(vendor_names))
    if write_to is None:
        click.echo(text, nl=False)
    else:
        write_to.write_text(text, encoding="utf-8")
        click.echo(f"wrote {write_to}", err=True)


@main.command()
@click.option("--vendor", "vendor_names", type=click.Choice(VENDOR_NAMES), multiple=True, help="Only these vendors.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (keep it on loopback).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0 picks a free port.")
@click.option(
    "--rate-limit",
    default=None,
    metavar="N/SECONDS",
    help="Make every fake enforce N requests per SECONDS (beyond it, the vendor's documented 429 and headers).",
)
def serve(vendor_names: tuple[str, ...], host: str, port: int, rate_limit: str | None) -> None:
    """Serve the vendor fakes over HTTP and print the environment a live run needs to test them."""
    from contracts.serve import bind, build_app, run_server

    limit = None
    if rate_limit:
        try:
            count, seconds = rate_limit.split("/")
            limit = (int(count), float(seconds))
        except ValueError:
            raise click.BadParameter("expected N/SECONDS, e.g. 100/60", param_hint="--rate-limit") from None
    sock = bind(host, port)
    actual_port = sock.getsockname()[1]
    app, served = build_app(_selected(vendor_names), host=host, port=actual_port, rate_limit=limit)
    click.echo(f"Serving {len(served)} vendor fakes on http://{host}:{actual_port} (Ctrl-C to stop).")
    click.echo("Use these variables for a live run against them (the keys are the fakes' own, not secrets):\n")
    for item in served:
        for name, value in item.environment().items():
            click.echo(f"{name}={value}")
    sys.stdout.flush()
    run_server(app, sock)


if __name__ == "__main__":
    main()
