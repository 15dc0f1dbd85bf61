"""The hand-written OpenAPI specs: loading and checking them, and checking responses against them.

Modules are imported where they are used (``from contracts.spec.conformance import ...``); ``__all__`` names them.
"""

__all__ = ["conformance", "document", "evidence", "shape"]
