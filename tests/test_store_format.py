"""Guards in the record format: safe names, a size limit, one folder per kind and month."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import CorruptRecord
from tests.storekit import record_files, save_checkin, store_at

RID = "7d4f3a52-1c0e-5b8e-9a6f-2f1d0c9b8a7e"


@pytest.mark.parametrize(("kind", "rid"), [("../../etc", RID), ("checkin", "../../../x"),
                                           ("checkin", "a/b"), ("Check In", RID), ("checkin", "")])
def test_kinds_and_ids_that_would_escape_the_folder_are_refused(kind: str, rid: str) -> None:
    """Neither written nor read: a teammate's or an endpoint's record cannot name a path outside."""
    with pytest.raises(ValueError, match="unsafe"):
        envelope.encode(kind, rid, 1, "2026-11-26", "2026-11-26T09:00:00.000000Z", {})
    body = envelope.dumps({"schema": 1, "kind": kind, "id": rid, "version": 1, "date": "2026-11-26",
                           "written_at": "x", "deleted": False, "payload": {}}).encode()
    digest = hashlib.sha256(body).hexdigest().encode()
    data = b'{"checksum":"sha256:' + digest + b'","record":' + body + b"}\n"
    with pytest.raises(CorruptRecord, match="unsafe"):
        envelope.decode(data)


def test_a_file_over_the_size_limit_is_reported_unread(tmp_path: Path) -> None:
    """A huge file in the folder is named as a problem without being read into memory."""
    save_checkin(store_at(tmp_path), RID, "2026-11-26")
    big = tmp_path / "records" / "checkin" / "2026-11" / "big.json"
    with open(big, "wb") as f:
        f.truncate(envelope.MAX_FILE_BYTES + 1)
    history = store_at(tmp_path).read()
    assert list(history.records) == [RID]
    [problem] = history.problems
    assert problem.path == big and problem.reason.startswith("too large to be a record")
    with pytest.raises(ValueError, match="limit"):
        envelope.encode("checkin", RID, 1, "2026-11-26", "t", {"status": "x" * envelope.MAX_FILE_BYTES})


def test_a_record_in_the_wrong_folder_is_reported_so_every_read_agrees(tmp_path: Path) -> None:
    """Moved by hand into another month or kind, a record is reported, not read by some reads only."""
    record = save_checkin(store_at(tmp_path), RID, "2026-11-26")
    [path] = record_files(tmp_path)
    elsewhere = tmp_path / "records" / "huddle" / "2026-01"
    elsewhere.mkdir(parents=True)
    shutil.move(path, elsewhere / path.name)
    everything = store_at(tmp_path).read()
    assert everything.records == {} and len(everything.problems) == 1
    assert "belongs in records/checkin/2026-11" in everything.problems[0].reason
    assert store_at(tmp_path).read(("checkin",), since="2026-11-01").records == {}
    shutil.move(elsewhere / path.name, path)
    assert store_at(tmp_path).read().records == {RID: record}


def test_crlf_line_end_from_a_git_checkout_still_reads(tmp_path: Path) -> None:
    """core.autocrlf turns the final newline into CRLF: the checksummed body is unchanged."""
    record, data = envelope.encode("checkin", RID, 1, "2026-11-26", "2026-11-26T09:00:00.000000Z",
                                   {"status": "line one\nline two"})
    assert b"\n" not in data[:-1] and json.loads(data)["record"]["payload"]["status"] == "line one\nline two"
    assert envelope.decode(data[:-1] + b"\r\n") == record
