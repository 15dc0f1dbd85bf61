"""The run context's helpers: the spec is loaded once per process while its file is unchanged."""

from __future__ import annotations

import dataclasses
import os
import shutil

import pytest

from contracts.engine.context import load_spec
from contracts.values.errors import SpecError
from tests.fixtures.acme import ACME


def test_a_spec_is_loaded_once_and_shared():
    assert load_spec(ACME) is load_spec(ACME)


def test_an_edited_spec_is_loaded_again(tmp_path):
    copy = tmp_path / "acme.yaml"
    shutil.copy(ACME.spec_path, copy)
    vendor = dataclasses.replace(ACME, spec_file=str(copy))  # an absolute path replaces specs/
    assert vendor.spec_path == copy
    first = load_spec(vendor)
    copy.write_text(copy.read_text() + "\n# edited\n")
    os.utime(copy, ns=(1, 1))  # a different modification time, whatever the clock's resolution
    assert load_spec(vendor) is not first
    copy.write_text("openapi: [")
    os.utime(copy, ns=(2, 2))
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec(vendor)
