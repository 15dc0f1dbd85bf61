"""Live configuration from the environment and .env: clear one-line errors, skips that name variables.

Every test starts without configuration (tests/fixtures/environment.py) and sets what it needs.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
from dotenv import dotenv_values

import contracts
from contracts import config
from contracts.config import SECRET_SUFFIXES, _RunEnv, _VendorEnv, budget, configured_redactor, live_target, run_limits
from contracts.engine import schemathesis_seam
from contracts.engine.context import load_spec
from contracts.transport.targets import FAKE_LIMITS, LIVE_LIMITS
from contracts.values.errors import ConfigError, MissingCredentials
from contracts.values.model import Capability
from contracts.values.redaction import MASK
from contracts.vendors import VENDORS, get_vendor

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / ".env.example"


def variables_the_code_reads() -> set[str]:
    """Every environment variable live configuration reads, derived from the code rather than listed: the run
    settings' fields under their prefix, and for each vendor its settings' fields and the variables its scenarios
    name, under the vendor's ``env_prefix``."""
    run_prefix = _RunEnv.model_config.get("env_prefix", "")
    names = {f"{run_prefix}{field}".upper() for field in _RunEnv.model_fields}
    for vendor in VENDORS:
        names |= {vendor.env(field.upper()) for field in _VendorEnv.model_fields}
        names |= {vendor.env(name.upper()) for scenario in vendor.scenarios for name in scenario.variables}
    return names | {schemathesis_seam.ALLOW_UNTESTED}


def target_for(name: str, **kwargs):
    vendor = get_vendor(name)
    return live_target(vendor, load_spec(vendor), **kwargs)


@pytest.mark.parametrize(
    ("vendor", "variables"),
    [
        ("nexor", ("NEXOR_API_KEY",)),
        ("pollybot", ("POLLYBOT_API_KEY", "POLLYBOT_BASE_URL")),
        ("dialnexa", ("DIALNEXA_API_KEY",)),
        ("aura", ("AURA_API_KEY",)),
    ],
)
def test_a_vendor_without_a_key_is_skipped_naming_the_variables(vendor, variables):
    with pytest.raises(MissingCredentials) as caught:
        target_for(vendor)
    assert caught.value.variables == variables
    assert str(caught.value) == f"{vendor}: not configured: set {', '.join(variables)}"


def test_pollybot_needs_its_workspace_host(monkeypatch):
    monkeypatch.setenv("POLLYBOT_API_KEY", "sk-workspace_" + "a" * 51)
    with pytest.raises(MissingCredentials, match="POLLYBOT_BASE_URL"):
        target_for("pollybot")


def test_defaults_come_from_the_spec_and_the_documented_limits(monkeypatch):
    monkeypatch.setenv("AURA_API_KEY", "aura_pk_live_abcdefghijklmnop")
    monkeypatch.setenv("AURA_LEAD_ID", "550e8400-e29b-41d4-a716-446655440000")
    target = target_for("aura")
    assert target.base_url == "https://api.aura-app.ai"
    assert target.api_key.reveal() == "aura_pk_live_abcdefghijklmnop"
    assert "abcdefghijklmnop" not in repr(target)
    assert target.limits.rate_limit == get_vendor("aura").rate_limit
    assert target.limits.max_examples == 5
    assert target.capabilities == frozenset({Capability.KNOWN_LEAD})


def test_base_url_flags_budget_and_variables(monkeypatch):
    monkeypatch.setenv("NEXOR_API_KEY", "nxr_live_abcdefghijklmnop")
    monkeypatch.setenv("NEXOR_BASE_URL", "http://127.0.0.1:9/nexor/api/public/")
    monkeypatch.setenv("NEXOR_ALLOW_WRITES", "1")
    monkeypatch.setenv("NEXOR_REQUEST_BUDGET", "42")
    monkeypatch.setenv("NEXOR_WORKFLOW_ID", "0b7d3c2a-1e4f-4a5b-8c6d-7e8f9a0b1c2d")
    monkeypatch.setenv("CONTRACTS_MAX_EXAMPLES", "3")
    target = target_for("nexor")
    assert target.base_url == "http://127.0.0.1:9/nexor/api/public"
    assert target.allows(Capability.WRITES)
    assert not target.allows(Capability.OUTREACH)
    assert not target.allows(Capability.UNDOCUMENTED_METHODS)
    assert target.limits.request_budget == 42
    assert target.limits.max_examples == 3
    assert target.variables == {"workflow_id": "0b7d3c2a-1e4f-4a5b-8c6d-7e8f9a0b1c2d"}


def test_values_come_from_a_dotenv_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DIALNEXA_API_KEY=key_abc:def0123456789\nDIALNEXA_LEAD_ID=lead_abc123\n")
    target = target_for("dialnexa", env_file=env_file)
    assert target.api_key.reveal() == "key_abc:def0123456789"
    assert target.lead_id == "lead_abc123"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEXOR_REQUEST_BUDGET", "lots", "NEXOR_REQUEST_BUDGET: Input should be a valid integer"),
        ("NEXOR_ALLOW_WRITES", "perhaps", "NEXOR_ALLOW_WRITES: Input should be a valid boolean"),
        ("CONTRACTS_READ_TIMEOUT", "-1", "CONTRACTS_READ_TIMEOUT: Input should be greater than 0"),
        ("NEXOR_BASE_URL", "api.getnexor.ai", "NEXOR_BASE_URL must be an http(s) URL"),
        ("CONTRACTS_PHASES", "examples,stateful", "CONTRACTS_PHASES: expected a comma-separated subset of"),
        ("CONTRACTS_MAX_EXAMPLES", "0", "CONTRACTS_MAX_EXAMPLES: Input should be greater than or equal to 1"),
    ],
    ids=["budget", "flag", "timeout", "url", "phases", "examples"],
)
def test_bad_values_give_one_line_config_errors(monkeypatch, name, value, message):
    monkeypatch.setenv("NEXOR_API_KEY", "nxr_live_abcdefghijklmnop")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        target_for("nexor")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert "abcdefghijklmnop" not in str(caught.value)


def test_run_limits_from_the_environment(monkeypatch):
    monkeypatch.setenv("CONTRACTS_TIME_BUDGET", "60")
    monkeypatch.setenv("CONTRACTS_RETRIES", "0")
    limits = run_limits()
    assert (limits.time_budget, limits.retries) == (60.0, 0)


def test_the_default_budgets_are_lean_live_and_thorough_on_the_fakes():
    assert run_limits().phases == LIVE_LIMITS.phases == ("examples",)
    assert budget(FAKE_LIMITS) == FAKE_LIMITS
    assert FAKE_LIMITS.phases == ("examples", "coverage", "fuzzing")


def test_the_deep_run_switch_applies_to_fakes_and_live_runs(monkeypatch):
    monkeypatch.setenv("CONTRACTS_MAX_EXAMPLES", "1000")
    monkeypatch.setenv("CONTRACTS_STATEFUL_EXAMPLES", "100")
    monkeypatch.setenv("CONTRACTS_PHASES", " Fuzzing, examples,fuzzing ")
    for limits in (budget(FAKE_LIMITS), run_limits()):
        assert (limits.max_examples, limits.stateful_examples, limits.phases) == (1000, 100, ("fuzzing", "examples"))


def test_the_redactor_knows_every_configured_key_before_anything_runs(monkeypatch, tmp_path):
    monkeypatch.setenv("AURA_API_KEY", "aura_pk_live_fromenvironment")
    env_file = tmp_path / ".env"
    env_file.write_text("DIALNEXA_RESTRICTED_API_KEY=key_r:fromdotenvfile\n")
    redactor = configured_redactor(VENDORS, env_file)
    assert redactor.scrub("a aura_pk_live_fromenvironment b key_r:fromdotenvfile") == f"a {MASK} b {MASK}"


# -- .env.example: exactly the variables the code reads ----------------------------------------------------------

ENVIRONMENT_NAMES = {"environ", "getenv", "putenv", "dotenv_values", "load_dotenv", "BaseSettings"}


def environment_readers() -> set[tuple[str, str]]:
    """``(module file, top-level definition)`` of every place in the package that reads the environment or a dotenv
    file: ``os.environ``/``os.getenv``, python-dotenv, or a pydantic-settings model."""
    found = set()
    for path in sorted(Path(contracts.__file__).parent.rglob("*.py")):
        for statement in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(statement, ast.Import | ast.ImportFrom):
                continue
            names = {node.id for node in ast.walk(statement) if isinstance(node, ast.Name)}
            names |= {node.attr for node in ast.walk(statement) if isinstance(node, ast.Attribute)}
            if names & ENVIRONMENT_NAMES:
                found.add((str(path), getattr(statement, "name", type(statement).__name__)))
    return found


def test_the_environment_is_read_only_where_the_read_set_comes_from():
    """Only the settings models and the two helpers the read set above accounts for touch the environment: a new
    ``os.environ`` read elsewhere fails here, and a new settings field or scenario variable changes the read set."""
    module = inspect.getsourcefile(config)
    assert environment_readers() == {
        (module, "_VendorEnv"),  # V_<field> for each vendor
        (module, "_RunEnv"),  # CONTRACTS_<field>
        (module, "_scenario_variables"),  # V_<scenario variable>
        (module, "_read_env_file"),  # the same names, from the dotenv file
        (module, "configured_redactor"),  # V_API_KEY and V_RESTRICTED_API_KEY, to mask them
        # CONTRACTS_ALLOW_UNTESTED_SCHEMATHESIS, checked where schemathesis is imported
        (inspect.getsourcefile(schemathesis_seam), "check_schemathesis_version"),
    }
    assert {field.upper() for field in _VendorEnv.model_fields} >= set(SECRET_SUFFIXES)


def env_example_lines() -> list[str]:
    return ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()


def test_env_example_lists_exactly_the_variables_the_code_reads():
    listed = list(dotenv_values(ENV_EXAMPLE))
    assert len(listed) == len(set(listed)), "a variable is listed twice"
    read = variables_the_code_reads()
    assert sorted(set(listed) - read) == [], ".env.example lists variables the code does not read"
    assert sorted(read - set(listed)) == [], ".env.example misses variables the code reads"
    assert {"NEXOR_WORKFLOW_ID", "POLLYBOT_BASE_URL", "CONTRACTS_PHASES"} <= read  # the derivation sees all kinds


def test_every_variable_in_env_example_is_commented_and_grouped_by_vendor():
    lines = env_example_lines()
    assignments = [(index, line.split("=", 1)[0]) for index, line in enumerate(lines) if re.match(r"[A-Z]", line)]
    for index, name in assignments:
        assert lines[index - 1].startswith("# "), f"{name} has no comment above it"
        assert lines[index].endswith("="), f"{name} has a value: an example sets nothing, its comment gives the default"
    order = [name.split("_", 1)[0] for _, name in assignments]
    groups = list(dict.fromkeys(order))
    assert groups == [vendor.env_prefix for vendor in VENDORS] + ["CONTRACTS"]
    assert order == sorted(order, key=groups.index), "each vendor's variables together"
    headers = [line.lower() for line in lines if line.startswith("# --- ")]
    assert len(headers) == len(groups), "one '# --- ...' header per group"
    for header, prefix in zip(headers, groups, strict=True):
        assert prefix.lower() in header, f"{header!r} does not head the {prefix} group"


def test_env_example_copied_as_it_is_changes_nothing():
    """Its values are empty, which the settings read as unset: every vendor is skipped, every limit is the default."""
    for vendor in VENDORS:
        with pytest.raises(MissingCredentials):
            live_target(vendor, load_spec(vendor), env_file=ENV_EXAMPLE)
    assert run_limits(ENV_EXAMPLE) == run_limits()
    assert budget(FAKE_LIMITS, ENV_EXAMPLE) == FAKE_LIMITS
    assert configured_redactor(VENDORS, ENV_EXAMPLE).scrub("nothing to mask") == "nothing to mask"


def test_dotenv_is_gitignored_and_the_readme_points_to_env_example():
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "cp .env.example .env" in readme
    prefixes = tuple(f"{vendor.env_prefix}_" for vendor in VENDORS)
    for name in sorted(variables_the_code_reads()):
        generic = f"V_{name.split('_', 1)[1]}" if name.startswith(prefixes) else name
        assert f"`{name}`" in readme or f"`{generic}" in readme, f"README's variable table does not mention {name}"
