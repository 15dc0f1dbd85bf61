"""Plain values every layer shares: errors, findings, redaction, vendor records and run results.

Modules are imported where they are used (``from contracts.values.errors import ...``); ``__all__`` names them.
"""

__all__ = ["errors", "evidence", "findings", "model", "pseudonyms", "redaction", "results"]
