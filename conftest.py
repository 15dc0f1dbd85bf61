"""Root conftest: only fixture modules for the suite's own tests (the contract plugin loads by entry point)."""

pytest_plugins = [
    "tests.fixtures.environment",
    "tests.fixtures.fakes",
    "tests.fixtures.inprocess",
    "tests.fixtures.servers",
    "tests.fixtures.specs",
    "tests.fixtures.waits",
]
