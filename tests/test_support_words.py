"""How the signpost names each support resource: its kind once, and never twice over."""

from __future__ import annotations

from huddle_tui.config.team import SupportResource
from huddle_tui.rules.support import resource_lines


def test_a_resource_named_for_its_kind_is_not_labelled_twice() -> None:
    """A name that already says its kind gets no label; "other" gets none; the rest keep theirs."""
    lines = resource_lines((SupportResource("Employee Assistance Programme", "0800 123 456", "eap"),
                            SupportResource("Acme EAP", "0800 1", "eap"),
                            SupportResource("Samaritans", "116 123", "crisis"),
                            SupportResource("My GP practice", "01632 960 123", "other")))
    assert lines == ["  • Employee Assistance Programme: 0800 123 456",
                     "  • Acme EAP (Employee Assistance Programme): 0800 1",
                     "  • Samaritans (crisis line): 116 123",
                     "  • My GP practice: 01632 960 123"]
