"""Team-level numbers: mood distributions. Never one person's mood.

A mood distribution is only ever produced from at least K answers
(rules/privacy.py), so no aggregate can be traced back to one or two people.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from huddle_tui.rules.privacy import K


def mood_distribution(moods: Iterable[int]) -> dict[int, int] | None:
    """Count answers per mood 1–5, or None when fewer than K answered."""
    counts = Counter(m for m in moods if 1 <= m <= 5)
    if sum(counts.values()) < K:
        return None
    return {m: counts.get(m, 0) for m in range(1, 6)}
