"""The ``contracts`` command: ``drift`` runs the suite and writes reports, ``serve`` serves the fakes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from contracts.values.model import Vendor
from contracts.vendors import VENDORS

if TYPE_CHECKING:
    from contracts.report.model import ExitCode
    from contracts.transport.targets import Target
    from contracts.values.redaction import Redactor

# Only click and the vendor records are imported up front, so `contracts --help` answers at once; each
# command imports the engine, the reports and the fakes when it runs (see benchmarks/README.md).

VENDOR_NAMES = [vendor.name for vendor in VENDORS]


def _selected(names: tuple[str, ...]) -> list[Vendor]:
    return [vendor for vendor in VENDORS if not names or vendor.name in names]


def _target(vendor: Vendor, kind: str, env_file: Path | None, max_examples: int | None) -> Target:
    from contracts.config import budget, live_target
    from contracts.engine.context import load_spec
    from contracts.transport.targets import FAKE_LIMITS, fake_target

    spec = load_spec(vendor)
    target = (
        fake_target(vendor.fake(), base_url=spec.server_url, limits=budget(FAKE_LIMITS, env_file))
        if kind == "fake"
        else live_target(vendor, spec, env_file=env_file)
    )
    return target.with_limits(max_examples=max_examples) if max_examples else target


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
def drift(
    target_kind: str,
    vendor_names: tuple[str, ...],
    out: Path,
    history_path: Path | None,
    env_file: Path,
    max_examples: int | None,
) -> None:
    """Run every vendor's contract checks and write the drift reports.

    Exit codes: 0 the contracts hold (drift may exist), 1 a contract failure, 2 a usage or configuration
    error, 3 inconclusive (a vendor unreachable or rate-limited beyond its budget), 4 an internal error
    (a bug in the suite itself, never vendor drift).
    """
    import traceback

    from contracts.config import configured_redactor
    from contracts.report.model import ExitCode

    redactor = configured_redactor(VENDORS, env_file)
    try:
        code = _drift(redactor, target_kind, vendor_names, out, history_path, env_file, max_examples)
    except Exception as error:  # a bug in the suite: show it (masked), and never report it as drift
        click.echo(redactor.scrub("".join(traceback.format_exception(error))), err=True)
        click.echo("internal error: this is a bug in the contract suite, not a finding about a vendor", err=True)
        code = ExitCode.INTERNAL_ERROR
    sys.exit(int(code))


def _drift(
    redactor: Redactor,
    target_kind: str,
    vendor_names: tuple[str, ...],
    out: Path,
    history_path: Path | None,
    env_file: Path,
    max_examples: int | None,
) -> ExitCode:
    import logging
    import uuid

    from contracts.engine.runner import run_vendor, skipped_result
    from contracts.report.console import render_console
    from contracts.report.history import build_report, load_history, save_history
    from contracts.report.render import write_reports
    from contracts.values.errors import ConfigError, ContractSuiteError, MissingCredentials
    from contracts.values.redaction import RedactingFilter, quarantine
    from contracts.values.results import Status, VendorResult

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter(redactor))
    run_id = uuid.uuid4().hex[:12]
    results: list[VendorResult] = []
    for vendor in _selected(vendor_names):
        try:
            target = _target(vendor, target_kind, env_file, max_examples)
        except (MissingCredentials, ConfigError) as error:
            results.append(skipped_result(vendor, target_kind, error))
            click.echo(
                redactor.scrub(
                    f"{vendor.name}: {'skipped' if isinstance(error, MissingCredentials) else 'error'}: {error.message}"
                ),
                err=True,
            )
            continue
        except ContractSuiteError as error:  # a broken spec
            results.append(
                VendorResult(
                    vendor=vendor.name, title=vendor.title, target=target_kind, status=Status.ERROR, reason=str(error)
                )
            )
            click.echo(redactor.scrub(f"{vendor.name}: error: {error}"), err=True)
            continue
        click.echo(f"{vendor.name}: checking against the {target.name} target ({target.base_url}) ...", err=True)
        results.append(run_vendor(vendor, target, redactor=redactor, run_id=run_id))
    history_file = history_path or out / f"history-{target_kind}.json"
    history, note = load_history(history_file)
    if note:
        click.echo(note, err=True)
    report, updated = build_report(
        results,
        target=target_kind,
        run_id=run_id,
        history=history,
        notes=[note] if note and "unreadable" in note else [],
    )
    paths = write_reports(report, out)
    save_history(history_file, updated)
    click.echo(redactor.scrub(render_console(report)))
    leaks = redactor.scan([out])
    if leaks:
        for path, name in leaks:
            click.echo(f"SECRET LEAK: the value of {name} appeared in {path} (now masked); the run fails", err=True)
        quarantine(redactor, leaks)
        return ExitCode.USAGE_ERROR
    click.echo(f"\nReports: {paths['markdown']}  {paths['html']}  {paths['json']}  (history: {history_file})")
    return report.exit_code


@main.command()
@click.option("--vendor", "vendor_names", type=click.Choice(VENDOR_NAMES), multiple=True, help="Only these vendors.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (keep it on loopback).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0 picks a free port.")
@click.option(
    "--rate-limit",
    default=None,
    metavar="N/SECONDS",
    help="Make every fake enforce N requests per SECONDS (429 with Retry-After beyond it).",
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
