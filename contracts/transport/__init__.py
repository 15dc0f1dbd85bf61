"""Targets (the built-in fakes, loopback or live vendors) and the one client every request goes through.

Modules are imported where they are used (``from contracts.transport.client import ...``); ``__all__`` names them.
"""

__all__ = ["cassette", "client", "targets"]
