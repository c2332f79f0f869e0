"""dumps() escapes C1 controls exactly as the original character-by-character loop did."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from huddle_tui.storage import envelope

# Text that often holds C1 controls, their neighbours and other non-ASCII characters.
_EDGES = st.sampled_from(["\x7f", "\x80", "\x85", "\x9b", "\x9f", "\xa0", "é", "\u2028", "\U0001f600"])
TEXT = st.lists(st.one_of(st.characters(), _EDGES), max_size=40).map("".join)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | TEXT,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                    max_leaves=12)


def _escape_c1_reference(text: str) -> str:
    """The original implementation: one Python-level step per character."""
    if not any("\x80" <= ch <= "\x9f" for ch in text):
        return text
    return "".join(f"\\u{ord(ch):04x}" if "\x80" <= ch <= "\x9f" else ch for ch in text)


@given(TEXT)
def test_escape_c1_equals_the_reference_on_any_text(text: str) -> None:
    """Any text, JSON or not, comes out byte for byte as the reference makes it."""
    assert envelope._escape_c1(text) == _escape_c1_reference(text)


@given(JSON)
def test_dumps_equals_the_reference_and_reads_back(data: Any) -> None:
    """dumps() of any JSON value matches the reference, has no raw C1, and parses to the same value."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    out = envelope.dumps(data)
    assert out == _escape_c1_reference(raw)
    assert not any("\x80" <= ch <= "\x9f" for ch in out)
    assert json.loads(out) == data
