"""`huddle export` writes the same lines whether the history index is there or not.

A cold export reads, verifies and indexes every file, then writes each
record with `json_line`, which builds the envelope's text without the dict;
both must give exactly what a warm export and `dumps(record.as_json())` give.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle_tui import paths
from huddle_tui.config.team import TeamConfig
from huddle_tui.storage.cache import close_all
from huddle_tui.storage.envelope import Record, dumps, json_line
from huddle_tui.storage.folder import FolderStore
from huddle_tui.storage.stamps import folder_tag
from tests.conftest import cli
from tests.storekit import age, plant

# Text that often holds C1 controls, quotes, backslashes and other characters JSON escapes.
_EDGES = st.sampled_from(["\x00", "\x1b", "\x7f", "\x85", "\x9b", "\xa0", '"', "\\", "é", "\u2028",
                          "\U0001f600"])
TEXT = st.lists(st.one_of(st.characters(), _EDGES), max_size=20).map("".join)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                    max_leaves=10)
ODD: Any = st.none() | st.booleans() | st.integers() | TEXT | st.lists(st.integers(), max_size=2)


@given(kind=TEXT, rid=TEXT, version=st.integers(), day=TEXT, written_at=TEXT, deleted=st.booleans(),
       payload=st.dictionaries(TEXT, JSON, max_size=4))
def test_json_line_equals_dumps_of_as_json(kind: str, rid: str, version: int, day: str, written_at: str,
                                           deleted: bool, payload: dict[str, Any]) -> None:
    """Any record of the usual field types: byte for byte the text dumps() makes of as_json()."""
    record = Record(kind, rid, version, day, written_at, deleted, payload, "0" * 64)
    line = json_line(record)
    assert line == dumps(record.as_json())
    assert json.loads(line) == json.loads(dumps(record.as_json()))


@given(version=ODD, deleted=ODD, payload=ODD, written_at=ODD)
def test_json_line_of_fields_of_other_types_falls_back_to_dumps(version: Any, deleted: Any, payload: Any,
                                                                 written_at: Any) -> None:
    """A record built in code with a field of another type (no file has one) still matches dumps()."""
    record = Record("checkin", "r1", version, "2026-11-26", written_at, deleted, payload, "0" * 64)
    assert json_line(record) == dumps(record.as_json())


def _folder(team: TeamConfig) -> Path:
    """A shared folder with a released and a held anonymous answer, a corrupt file and a copy."""
    shared = team.shared_dir
    store = FolderStore(shared, durable=False)
    # 2026-11-23: three named check-ins and one anonymous answer, and no placeholder: no member
    # could have given it, so it is held. 2026-11-24: one named and three placeholders, so three.
    for name in ("Ana", "Ben", "Chen"):
        store.save("checkin", f"named-{name}", "2026-11-23", {"member": name, "mood": 4, "status": "ok"})
    store.save("checkin", "anon-held", "2026-11-23", {"visibility": "anonymous", "mood": 1, "status": ""})
    store.save("checkin", "named-Dara", "2026-11-24", {"member": "Dara", "mood": 3, "status": "é\x85"})
    store.save("checkin", "anon-kept", "2026-11-24", {"visibility": "anonymous", "mood": 2, "status": ""})
    for name in ("Ana", "Ben", "Chen"):
        store.save("checkin", f"held-{name}", "2026-11-24", {"member": name, "visibility": "withheld"})
    store.save("concern", "c1", "2026-11-24", {"text": "the build", "kind": "blocker", "member": "Ana"})
    store.save("checkin", "named-Ana", "2026-11-23", {"member": "Ana", "mood": 5, "status": "better"})
    month = shared / "records" / "checkin" / "2026-11"
    (month / "broken.json").write_bytes(b'{"checksum":"sha256:')
    first = sorted(month.glob("named-Ben.*"))[0]
    shutil.copy(first, first.with_name(first.stem + ".sync-conflict-20261126-085912-ABCDEFG.json"))
    plant(shared, "checkin", "2026-11-25", {"member": "Eve", "mood": "great"})  # breaks a payload rule
    age(shared)
    return shared


def test_a_cold_export_writes_what_a_warm_one_does(team: TeamConfig,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Cache deleted, then kept: the same bytes and problems; the lines are dumps() of each record."""
    shared = _folder(team)
    index = paths.index_dir()
    close_all()  # each command below as a process of its own, which opens the cache afresh
    shutil.rmtree(index, ignore_errors=True)
    cold = cli(capsys, "export", "--config", str(team.path))
    assert index.exists()
    warm = cli(capsys, "export", "--config", str(team.path))
    assert cold == warm
    code, out, err = cold
    assert out.count('"id":"named-Ben"') == 1 and '"version":2' in out  # the copy and the edit merged
    expected = sorted((r for r in FolderStore(shared).read().records.values() if r.id != "anon-held"),
                      key=lambda r: (r.date, r.kind, r.id))
    assert code == 0 and out == "".join(dumps(r.as_json()) + "\n" for r in expected)
    assert "\\u0085" in out and "\x85" not in out
    assert "huddle: 1 anonymous answers left out" in err
    assert "broken.json: not a huddle record" in err and "invalid checkin: mood" in err
    close_all()
    shutil.rmtree(index)
    assert cli(capsys, "export", "--config", str(team.path), "--format", "csv") \
        == cli(capsys, "export", "--config", str(team.path), "--format", "csv")



def test_a_cold_read_makes_the_cache_folder_and_one_file_per_shared_folder(tmp_path: Path) -> None:
    """The cache's folder is made when missing, with one SQLite file for the shared folder."""
    root = tmp_path / "shared"
    store = FolderStore(root, durable=False)
    store.save("checkin", "a", "2026-10-05", {"member": "Ana", "mood": 3, "status": ""})
    store.save("checkin", "b", "2026-11-05", {"member": "Ben", "mood": 4, "status": ""})
    age(root)
    index = tmp_path / "deep" / "index"
    cold = FolderStore(root, durable=False, index_dir=index).read()
    assert [p.name for p in index.glob("*.sqlite3")] == [f"{folder_tag(root)}.sqlite3"]
    close_all()
    shutil.rmtree(index)
    FolderStore(root, durable=False, index_dir=index).read()
    warm = FolderStore(root, durable=False, index_dir=index).read()
    assert [p.name for p in index.glob("*.sqlite3")] == [f"{folder_tag(root)}.sqlite3"]
    assert warm.records == cold.records
