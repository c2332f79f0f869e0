"""Writing many records from a few threads (the demo) gives the same folder, and never hides a failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from huddle_tui.errors import StoreError
from huddle_tui.storage.batch import BatchWriter
from tests.storekit import store_at, summary


def test_every_queued_record_is_on_disk_after_close(tmp_path: Path) -> None:
    """Hundreds of records over several months, one anonymous: all read back, with its midnight mtime."""
    store = store_at(tmp_path / "shared")
    with BatchWriter(store, threads=3) as writer:
        saved = [writer.save("checkin", f"00000000-0000-4000-8000-{n:012d}",
                             f"2026-{1 + n % 5:02d}-0{1 + n % 9}",
                             {"member": "Ana", "mood": 1 + n % 5, "status": "ok"}, version=1)
                 for n in range(700)]
        anonymous = writer.save("checkin", "11111111-0000-4000-8000-000000000000", "2026-03-04",
                                {"mood": 2, "status": "", "visibility": "anonymous"}, anonymous=True,
                                version=1)
    history = store.read()
    assert not history.problems
    assert {r.id: r for r in [*saved, anonymous]} == history.records
    assert os.stat(store.target(anonymous)).st_mtime == pytest.approx(1772582400)  # 2026-03-04T00:00Z
    assert summary(store.read()) == summary(store_at(tmp_path / "shared").read())


def test_a_failed_write_is_raised(tmp_path: Path) -> None:
    """A month folder that is a link: the write is refused, and close() says so."""
    root = tmp_path / "shared"
    (root / "records" / "checkin").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (root / "records" / "checkin" / "2026-03").symlink_to(tmp_path / "elsewhere")
    writer = BatchWriter(store_at(root))
    writer.save("checkin", "00000000-0000-4000-8000-000000000001", "2026-03-02",
                {"member": "Ana", "mood": 3}, version=1)
    with pytest.raises(StoreError, match="symbolic link"):
        writer.close()
    assert list((tmp_path / "elsewhere").iterdir()) == []
