"""A record file's name, <id>.<version>.<sum8>.json, is written and read by storage/envelope.py alone.

Record.file_name writes it; parse_file_name reads an own name back and
named_version reads the version a copy's name claims. Readers that parsed
names their own way (a regex in scan.py, string slicing in folder.py, a
suffix test in server/state.py) could drift apart from the writer: a name
one took for ours another would not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import named_version, parse_file_name
from huddle_tui.storage.fileio import temp_path_for
from huddle_tui.storage.folder import FolderStore

SRC = Path(__file__).resolve().parent.parent / "src" / "huddle_tui"
RID = "7c1e4a52-9b0d-4f3e-8a61-2d5c9e0b7f14"
DAY = "2026-11-26"
SYNCTHING = ".sync-conflict-20261126-085912-ABCDEFG.json"
DROPBOX = " (Ana's conflicted copy 2026-11-26).json"

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", fullmatch=True) | st.uuids().map(str)


@given(kind=st.sampled_from(envelope.KINDS), rid=ids, version=st.integers(1, 10**12),
       mood=st.integers(1, 5), deleted=st.booleans())
def test_every_name_written_reads_back_as_its_parts(kind: str, rid: str, version: int, mood: int,
                                                    deleted: bool) -> None:
    """Whatever record is encoded, its name parses to its id, version and checksum prefix."""
    record, _ = envelope.encode(kind, rid, version, DAY, DAY, {"mood": mood}, deleted)
    name = record.file_name()
    assert parse_file_name(name) == (rid, version, record.checksum[:8])
    assert named_version(name, rid) == version
    assert named_version(name, rid + "x") == 0
    stem = name.removesuffix(envelope.FILE_SUFFIX)
    for copy in (stem + SYNCTHING, stem + DROPBOX):  # another name, the same claim to the version
        assert parse_file_name(copy) is None and named_version(copy, rid) == version


def own_name() -> str:
    """A real record's own file name."""
    return envelope.encode("checkin", RID, 3, DAY, DAY, {"mood": 4})[0].file_name()


@pytest.mark.parametrize("name", [
    f"{RID}.3.deadbeef{SYNCTHING}", f"{RID}.3.deadbeef{DROPBOX}",  # sync tools' copies
    f".syncthing.{RID}.3.deadbeef.json.tmp", f"{RID}.3.deadbeef.json.part",  # and their temp files
    f"{RID}.0.deadbeef.json", f"{RID}.03.deadbeef.json", f"{RID}.٣.deadbeef.json",  # no version written so
    f"{RID}.3.DEADBEEF.json", f"{RID}.3.deadbee.json", f"{RID}.3.deadbeef0.json",  # nor sum8
    f"-{RID}.3.deadbeef.json", f"a.{RID}.3.deadbeef.json", "x" * 65 + ".3.deadbeef.json",  # nor id
    f"{RID}.3.deadbeef.json\n", f"{RID}.3.deadbeef", f"{RID}.3.deadbeef.JSON",
])
def test_only_a_name_file_name_could_write_parses(name: str) -> None:
    """A copy's, a temp file's or a hand-made name is never taken for an own name."""
    assert parse_file_name(name) is None


def test_a_temp_file_of_an_own_name_is_not_one() -> None:
    """Our own temp file for a record keeps its name inside another: not an own name."""
    assert parse_file_name(temp_path_for(Path(own_name())).name) is None
    assert parse_file_name(own_name()) is not None


@pytest.mark.parametrize(("name", "foreign"), [
    (f"{RID}.3.deadbeef.json", False),
    (f"{RID}.03.deadbeef.json", True),  # an old reader's regex took these for own names
    (f"{RID}.٣.deadbeef.json", True),
    (f"{RID}.3.deadbeef{SYNCTHING}", True),
])
def test_an_unusable_file_is_called_a_copy_by_the_same_rule(tmp_path: Path, name: str, foreign: bool) -> None:
    """A damaged file is reported; it is also counted a copy exactly when its name does not parse."""
    folder = tmp_path / "records" / "checkin" / DAY[:7]
    folder.mkdir(parents=True)
    (folder / name).write_bytes(b'{"checksum":"sha256:')
    history = FolderStore(tmp_path).read()
    assert [p.path.name for p in history.problems] == [name]
    assert [p.name for p in history.foreign_copies] == ([name] if foreign else [])


def code_strings(path: Path) -> list[str]:
    """The string constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(s.value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            for s in node.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs]


def test_no_other_module_reads_the_name_its_own_way() -> None:
    """The suffix and the name's pattern appear in envelope.py's code only."""
    readers = sorted({str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
                      for text in code_strings(path) if text == ".json" or r"\.json" in text})
    assert readers == ["storage/envelope.py"]
