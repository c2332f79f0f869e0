"""Kept answers' CRCs: over the blob's bytes, and a row kept with the older CRC (over its repr) still read."""

from __future__ import annotations

import marshal
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huddle_tui.storage.cache import _BLOB_CRC, Cache, Damaged, _crc

VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text() | st.binary(),
                      lambda inner: (st.lists(inner, max_size=4)
                                     | st.dictionaries(st.text(), inner, max_size=4)),
                      max_leaves=12)


def opened(path: Path) -> Cache:
    """A cache file for a made-up shared folder."""
    return Cache(path, "/shared/team")


def row(cache: Cache, name: str) -> tuple[str, bytes, int]:
    """The answer's row as kept: key, blob, CRC."""
    found = cache.db.execute("select key, value, crc from answers where name = ?", (name,)).fetchone()
    assert found is not None
    return found[0], found[1], found[2]


def keep_the_old_way(cache: Cache, name: str, key: str, value: Any) -> None:
    """Keep an answer as a cache made before CRCs were taken over the blob's bytes did."""
    blob = marshal.dumps(value)
    cache.db.execute("insert or replace into answers values (?, ?, ?, ?)",
                     (name, key, blob, _crc((name, key, blob))))


@settings(max_examples=40, deadline=None)
@given(value=VALUES, key=st.text(max_size=30))
def test_an_answer_comes_back_as_kept_under_either_crc(tmp_path_factory: pytest.TempPathFactory, value: Any,
                                                       key: str) -> None:
    """Kept now or kept the old way, an answer reads back equal; the old row's CRC is then the new kind."""
    cache = opened(tmp_path_factory.mktemp("c") / "cache.sqlite3")
    cache.keep("now", key, value)
    assert row(cache, "now")[2] & _BLOB_CRC
    assert cache.answer("now", key) == value
    keep_the_old_way(cache, "before", key, value)
    assert not row(cache, "before")[2] & _BLOB_CRC
    assert cache.answer("before", key) == value
    assert row(cache, "before")[2] & _BLOB_CRC  # made anew once read
    assert cache.answer("before", key) == value
    assert cache.answers("") == {"now": (key, value), "before": (key, value)}
    assert cache.answer("now", key + "x") is None
    cache.db.close()


@settings(max_examples=40, deadline=None)
@given(value=VALUES, at=st.integers(min_value=0), old=st.booleans())
def test_a_changed_byte_of_a_kept_answer_is_found(tmp_path_factory: pytest.TempPathFactory, value: Any,
                                                  at: int, old: bool) -> None:
    """Any byte of the blob changed on disk is Damaged, never an answer, whichever CRC the row holds."""
    cache = opened(tmp_path_factory.mktemp("c") / "cache.sqlite3")
    if old:
        keep_the_old_way(cache, "a", "k", value)
    else:
        cache.keep("a", "k", value)
    _, blob, crc = row(cache, "a")
    at %= len(blob)
    damaged = blob[:at] + bytes([blob[at] ^ 0x01]) + blob[at + 1:]
    cache.db.execute("update answers set value = ? where name = 'a'", (damaged,))
    with pytest.raises(Damaged):
        cache.answer("a", "k")
    with pytest.raises(Damaged):
        cache.answers("a")
    assert row(cache, "a")[2] == crc  # a damaged row's CRC is never made anew
    cache.db.close()


def test_an_old_row_is_read_while_another_process_writes(tmp_path: Path) -> None:
    """Its CRC is made anew only when the file is free: a reader never waits for a writer to do it."""
    path = tmp_path / "cache.sqlite3"
    cache = opened(path)
    keep_the_old_way(cache, "a", "k", {"plan": ["Ana", "Ben"]})
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("begin immediate")
    try:
        assert cache.answer("a", "k") == {"plan": ["Ana", "Ben"]}
        assert not row(cache, "a")[2] & _BLOB_CRC
    finally:
        writer.execute("rollback")
        writer.close()
    assert cache.answer("a", "k") == {"plan": ["Ana", "Ben"]}
    assert row(cache, "a")[2] & _BLOB_CRC
    cache.db.close()

