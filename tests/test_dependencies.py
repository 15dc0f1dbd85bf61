"""Dependencies: compatible ranges in pyproject.toml, exact pins in constraints.txt, and the two agree."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from contracts.engine import schemathesis_seam

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
DECLARED = [
    Requirement(text)
    for text in [
        *PROJECT["dependencies"],
        *[dep for group in PROJECT["optional-dependencies"].values() for dep in group],
    ]
]


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        name, _, version = line.partition("==")
        if version:
            found[canonicalize_name(name)] = version.strip()
    return found


@pytest.mark.parametrize("requirement", DECLARED, ids=str)
def test_each_dependency_is_a_compatible_range_pinned_exactly_in_the_constraints(requirement):
    assert all(spec.operator != "==" for spec in requirement.specifier), f"{requirement}: a range, not a pin"
    pinned = pins().get(canonicalize_name(requirement.name))
    assert pinned is not None, f"{requirement.name} is not pinned in constraints.txt"
    assert requirement.specifier.contains(pinned), f"the pin {pinned} is outside {requirement}"


def test_the_schemathesis_range_is_the_one_the_seam_was_tested_against():
    (schemathesis,) = [req for req in DECLARED if req.name == "schemathesis"]
    assert schemathesis.specifier == schemathesis_seam.SUPPORTED_SCHEMATHESIS
