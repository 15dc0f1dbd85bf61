"""Live configuration from the environment and .env: clear one-line errors, skips that name variables.

Every test starts without configuration (tests/fixtures/environment.py) and sets what it needs.
"""

from __future__ import annotations

import pytest

from contracts.config import budget, configured_redactor, live_target, run_limits
from contracts.engine.context import load_spec
from contracts.transport.targets import FAKE_LIMITS, LIVE_LIMITS
from contracts.values.errors import ConfigError, MissingCredentials
from contracts.values.model import Capability
from contracts.values.redaction import MASK
from contracts.vendors import VENDORS, get_vendor


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
    monkeypatch.setenv("CONTRACTS_PHASES", " Fuzzing, examples,fuzzing ")
    for limits in (budget(FAKE_LIMITS), run_limits()):
        assert (limits.max_examples, limits.phases) == (1000, ("fuzzing", "examples"))


def test_the_redactor_knows_every_configured_key_before_anything_runs(monkeypatch, tmp_path):
    monkeypatch.setenv("AURA_API_KEY", "aura_pk_live_fromenvironment")
    env_file = tmp_path / ".env"
    env_file.write_text("DIALNEXA_RESTRICTED_API_KEY=key_r:fromdotenvfile\n")
    redactor = configured_redactor(VENDORS, env_file)
    assert redactor.scrub("a aura_pk_live_fromenvironment b key_r:fromdotenvfile") == f"a {MASK} b {MASK}"
