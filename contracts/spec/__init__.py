"""The hand-written OpenAPI specs: loading and checking them, checking responses against them, and proposing
changes to them from persisting drift (OpenAPI Overlays).

Modules are imported where they are used (``from contracts.spec.conformance import ...``); ``__all__`` names them.
"""

__all__ = ["conformance", "document", "evidence", "overlay", "shape"]
