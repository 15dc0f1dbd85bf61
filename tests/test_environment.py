"""The suite's autouse environment fixture (tests/fixtures/environment.py): a developer's configuration, in the
environment or in a ``.env`` file, never reaches a test or the processes it starts."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic_settings import BaseSettings

from contracts import config
from contracts.vendors import VENDORS
from tests.fixtures.environment import CONTRACT_SUITE, ROOT, applies_to, configuration_variables, is_configuration

DEVELOPER_KEY = "nxr_live_fromthedeveloper000000000000000"

INNER_TEST = """
import os
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.config import live_target, run_limits
from contracts.engine.context import load_spec
from contracts.transport.targets import LIVE_LIMITS
from contracts.values.errors import MissingCredentials
from contracts.vendors import get_vendor


def test_nothing_the_developer_configured_is_seen():
    assert {"NEXOR_API_KEY", "nexor_lead_id", "CONTRACTS_MAX_EXAMPLES"}.isdisjoint(os.environ)
    assert os.environ["UNRELATED"] == "kept"
    assert not Path(".env").exists()
    nexor = get_vendor("nexor")
    with pytest.raises(MissingCredentials):
        live_target(nexor, load_spec(nexor), env_file=Path(".env"))  # the default of the CLI and the plugin
    assert run_limits(Path(".env")).max_examples == LIVE_LIMITS.max_examples
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(sorted(os.environ))"], capture_output=True, text=True, check=True
    )
    assert "NEXOR_API_KEY" not in child.stdout
    assert "--contracts-env-file=" in os.environ["PYTEST_ADDOPTS"]
"""


def test_a_developers_configuration_never_reaches_a_test(pytester, monkeypatch):
    """Set in the environment and in ``.env`` in the working directory, as a developer would have them."""
    monkeypatch.setenv("NEXOR_API_KEY", DEVELOPER_KEY)
    monkeypatch.setenv("nexor_lead_id", "123e4567-e89b-12d3-a456-426614174000")  # read case-insensitively
    monkeypatch.setenv("CONTRACTS_MAX_EXAMPLES", "1000")
    monkeypatch.setenv("UNRELATED", "kept")
    (pytester.path / ".env").write_text(f"NEXOR_API_KEY={DEVELOPER_KEY}\nCONTRACTS_MAX_EXAMPLES=1000\n")
    pytester.makeconftest('pytest_plugins = ["tests.fixtures.environment"]')
    pytester.makepyfile(test_inner=INNER_TEST)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert os.environ["NEXOR_API_KEY"] == DEVELOPER_KEY, "the variables come back after the test"


def names_the_configuration_reads() -> set[str]:
    """What contracts/config.py reads: the fields of its settings classes, and the vendors' scenario variables."""
    names: set[str] = set()
    for value in vars(config).values():
        if isinstance(value, type) and issubclass(value, BaseSettings) and value is not BaseSettings:
            prefix = value.model_config.get("env_prefix")
            prefixes = [prefix] if prefix else [f"{vendor.env_prefix}_" for vendor in VENDORS]
            names |= {f"{prefix}{field}".upper() for prefix in prefixes for field in value.model_fields}
    for vendor in VENDORS:
        names |= {vendor.env(name.upper()) for name in vendor.variable_names}
    return names


def test_every_variable_the_configuration_reads_is_removed():
    names = names_the_configuration_reads()
    assert {"NEXOR_API_KEY", "POLLYBOT_BASE_URL", "AURA_REQUEST_BUDGET", "CONTRACTS_PHASES"} <= names
    assert "NEXOR_WORKFLOW_ID" in names
    assert [name for name in names if not (is_configuration(name) and is_configuration(name.lower()))] == []
    assert configuration_variables(["PATH", "HOME", "PYTEST_XDIST_WORKER", "NEXORIAN", "CONTRACTS"]) == []


def test_this_test_runs_clean_in_an_empty_directory():
    assert configuration_variables(os.environ) == []
    assert Path.cwd() != ROOT
    assert not Path(".env").exists()
    assert os.environ["PYTEST_ADDOPTS"] == f"--contracts-env-file={Path.cwd() / '.env'}"


def test_the_contract_suite_keeps_the_configuration():
    """``pytest -m live`` needs the keys; ``CONTRACTS_MAX_EXAMPLES=1000 pytest tests/contract`` is the deep run."""
    assert not applies_to(CONTRACT_SUITE / "test_contract.py")
    assert applies_to(Path(__file__))
