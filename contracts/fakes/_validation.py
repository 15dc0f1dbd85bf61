"""Format checks the fakes use on request input.

They use jsonschema-rs, the engine schemathesis validates with, so that a value schemathesis
generates as a bad email is one the fake rejects too.
"""

from __future__ import annotations

import uuid

import jsonschema_rs

_EMAIL = jsonschema_rs.Draft202012Validator({"type": "string", "format": "email"}, validate_formats=True)


def is_email(value: str) -> bool:
    return bool(_EMAIL.is_valid(value))


def is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False
