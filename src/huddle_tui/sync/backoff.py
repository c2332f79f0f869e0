"""When to try an endpoint again: full-jitter exponential backoff that honours Retry-After.

A failed attempt that may succeed later (a connection error, a timeout, 408,
425, 429 or a 5xx gateway error) waits a random time in
``[0, min(CAP_S, BASE_S * 2**(failures - 1))]`` — "full jitter", which spreads
a whole team's clients apart after an outage — and never less than what the
server asked for in ``Retry-After``. Any other 4xx will not get better by
retrying. The random source is injected so tests can check the schedule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from email.utils import parsedate_to_datetime

BASE_S = 1.0
CAP_S = 300.0
MAX_RETRY_AFTER_S = 3600.0
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def is_retryable(status: int) -> bool:
    """Tell whether an HTTP status is worth retrying (the rest of 4xx/5xx are not)."""
    return status in RETRYABLE_STATUS


def jitter_ceiling(failures: int, base: float = BASE_S, cap: float = CAP_S) -> float:
    """The longest wait after `failures` failures in a row: base·2^(failures-1), capped."""
    if failures <= 0:
        return 0.0
    # 2**n overflows float long after the cap is reached; stop doubling there.
    return min(cap, base * 2.0 ** min(failures - 1, 62))


def delay(failures: int, rng: Callable[[], float], retry_after: float | None = None,
          base: float = BASE_S, cap: float = CAP_S) -> float:
    """Seconds to wait before the next attempt: full jitter, but at least Retry-After."""
    wait = rng() * jitter_ceiling(failures, base, cap)
    if retry_after is not None:
        wait = max(wait, min(retry_after, MAX_RETRY_AFTER_S))
    return wait


def parse_retry_after(value: str | None, now: Callable[[], float]) -> float | None:
    """Read a Retry-After header (seconds or an HTTP date) as seconds from now, or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now())

