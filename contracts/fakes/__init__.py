"""In-process fakes of each vendor, written from the vendors' docs.

What other packages may use: the fakes' shared machinery is private (``_core``); serving them needs only the
"not served" answer and the rate limit, exported here.
"""

from __future__ import annotations

from contracts.fakes._core import NOT_SERVED_BODY, RateLimit

__all__ = ["NOT_SERVED_BODY", "RateLimit"]
