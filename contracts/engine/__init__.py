"""The contract run: guard, probes, scenarios, list walks, property and stateful units, facts, drift observations
and clean-up.

``schemathesis_seam`` is the only module that imports schemathesis.

Modules are imported where they are used (``from contracts.engine.context import ...``); ``__all__`` names them.
"""

__all__ = [
    "cleanup",
    "context",
    "facts",
    "failures",
    "grading",
    "observe",
    "outcome",
    "probes",
    "property",
    "replay",
    "runner",
    "scenarios",
    "schemathesis_seam",
    "walks",
]
