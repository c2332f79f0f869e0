"""A clock tests move by hand, so no assertion depends on how fast the machine is."""

from __future__ import annotations


class FakeClock:
    """Stands in for time.monotonic: it only moves when the test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        """Start at an arbitrary instant (the model must not assume zero)."""
        self.t = start

    def __call__(self) -> float:
        """Read the clock, as time.monotonic would be read."""
        return self.t

    def step(self, seconds: float) -> None:
        """Let `seconds` pass."""
        self.t += seconds
