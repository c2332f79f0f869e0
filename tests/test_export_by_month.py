"""`huddle export` reads month by month and writes what the whole-history export wrote, byte for byte.

The store-level property: `read_by_month` gives, month after month, exactly
the records `FolderStore.read` merges (each id once, in the month of its
winning version's date) and the same problems, whatever the edits,
tombstones, explicit versions, ids saved again under a date in another month
or in another kind's folder, damaged files and judge verdicts, with the
cache cold, warm or absent. The command-level one: on a signed demo team with
unsigned, held, damaged and cross-month records added, every export (JSON
Lines and CSV, with and without --since, shared and --private) equals the
whole-history algorithm it replaced, written out below as the oracle.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddle_tui import paths
from huddle_tui.commands.common import open_context
from huddle_tui.commands.export import CSV_COLUMNS, _csv_row, _released_days
from huddle_tui.rules.privacy import K
from huddle_tui.storage.bymonth import read_by_month
from huddle_tui.storage.cache import Cache, close_all
from huddle_tui.storage.envelope import Record, json_line
from huddle_tui.storage.folder import FolderStore
from huddle_tui.text import printable
from tests.conftest import cli
from tests.storekit import age

DAYS = ("2026-01-30", "2026-01-31", "2026-02-01", "2026-03-15", "2026-03-16")
Op = tuple[str, str, str, bool, "int | None", int]


def _payload(kind: str, mood: int) -> dict[str, object]:
    """A payload its kind's rules accept: a named or an anonymous check-in, or a kind with no rules."""
    if kind == "checkin":
        return {"member": "Ana", "mood": mood, "status": "ok"} if mood % 2 else \
            {"visibility": "anonymous", "mood": mood, "status": ""}
    return {"text": f"note {mood}"}


OPS = st.lists(st.tuples(st.sampled_from(["checkin", "note"]), st.sampled_from(["a", "b", "c", "d"]),
                         st.sampled_from(DAYS), st.booleans(), st.none() | st.integers(1, 3),
                         st.integers(1, 5)), min_size=1, max_size=14)


def _judge(record: Record) -> int | str:
    """A judge whose verdicts vary with the content, as a team's keys make them: ranks, and set asides."""
    digit = int(record.checksum[-1], 16)
    return "forged, say" if digit < 3 else digit % 3


def _build(root: Path, ops: list[Op], damage: bool, private: bool) -> FolderStore:
    """A folder written by the ops (explicit versions may repeat or undercut another month's), aged."""
    ticks = itertools.count()
    start = datetime(2026, 3, 20, tzinfo=UTC)
    store = FolderStore(root, durable=False, private=private,
                        now=lambda: start + timedelta(seconds=next(ticks) // 2))  # some written_at tie
    for kind, rid, day, deleted, version, mood in ops:
        store.save(kind, rid, day, _payload(kind, mood), deleted=deleted, version=version)
    if damage:
        month = root / "records" / ops[0][0] / ops[0][2][:7]
        files = sorted(month.glob("*.json"))
        (month / "broken.json").write_bytes(b'{"checksum":"sha256:')
        (month / f"{files[-1].stem}.sync-conflict-1.json").write_bytes(files[-1].read_bytes())
        # A sync tool's conflicted copy of the whole folder holding a file under another name: its
        # id, which only its content tells, now in a second folder of the month and nowhere else there.
        twin = month.with_name(f"{month.name} (copy)")
        twin.mkdir()
        (twin / "moved.json").write_bytes(files[0].read_bytes())
        files[0].unlink()
    age(root)
    return store


def _same_as_a_whole_read(store: FolderStore, since: str | None) -> None:
    """read_by_month equals read(): the records (each once, in its date's month) and the problems."""
    whole = store.read(since=since)
    months = read_by_month(store, since)
    given = [list(month) for month in months]
    steps = [{r.date[:7] for r in month} for month in given if month]
    assert all(len(step) == 1 for step in steps)
    assert [min(s) for s in steps] == sorted({min(s) for s in steps})  # oldest month first, each once
    flat = [r for month in given for r in month]
    assert len(flat) == len({r.id for r in flat})
    assert {r.id: r for r in flat} == whole.records
    assert months.problems == whole.problems


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, since=st.none() | st.sampled_from(DAYS), damage=st.booleans(), judged=st.booleans(),
       private=st.booleans())
def test_month_by_month_merges_as_a_whole_read(ops: list[Op], since: str | None, damage: bool, judged: bool,
                                               private: bool) -> None:
    """Without a cache, then with one cold, warm, and after a month changed since it was kept."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "shared"
        store = _build(root, ops, damage, private)
        if judged:
            store.authorship = lambda: (_judge, "t")
        _same_as_a_whole_read(store, since)
        if private:
            return
        cached = FolderStore(root, durable=False, index_dir=Path(tmp) / "index")
        cached.authorship = store.authorship
        _same_as_a_whole_read(cached, since)  # cold: the first pass reads and keeps every folder
        _same_as_a_whole_read(cached, since)  # warm: ids from the cache's rows
        kind, rid, day, _, _, mood = ops[-1]
        cached.save(kind, rid, DAYS[-1 - DAYS.index(day) % 2], _payload(kind, mood + 1), version=9)
        _same_as_a_whole_read(cached, since)  # a folder changed lately: listed again, read again
        close_all()


def test_versions_arriving_between_the_passes_are_never_written_twice(tmp_path: Path) -> None:
    """An id the first pass saw in January given a version in March meanwhile, and a new id saved in
    February and in March: each written once (January's as first seen, the new one where first given)."""
    root = tmp_path / "shared"
    store = FolderStore(root, durable=False)
    jan = store.save("note", "a", "2026-01-05", {"text": "first"})
    store.save("note", "c", "2026-02-05", {"text": "other"})
    store.save("note", "b", "2026-03-05", {"text": "other"})
    age(root)
    months = read_by_month(store)
    given = iter(months)
    first = next(given)  # the first pass is done before January is given
    store.save("note", "a", "2026-03-06", {"text": "moved"}, version=2)
    store.save("note", "n", "2026-02-06", {"text": "new"})
    store.save("note", "n", "2026-03-07", {"text": "new too"}, version=5)
    rest = [(r.id, r.date) for month in given for r in month]
    assert first == [jan]
    assert sorted(rest) == [("b", "2026-03-05"), ("c", "2026-02-05"), ("n", "2026-02-06")]


@pytest.mark.parametrize("fails", ["ids", "month"])
def test_a_cache_that_fails_midway_costs_time_never_a_record(tmp_path: Path, fails: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache raising in the first pass, or in the second after months were given: the files are read
    instead, and the months still hold exactly what a whole read holds."""
    root = tmp_path / "shared"
    ops: list[Op] = [("note", "a", "2026-01-30", False, None, 1), ("note", "a", "2026-03-15", False, 2, 1),
                     ("checkin", "b", "2026-02-01", False, None, 3),
                     ("note", "c", "2026-03-16", True, None, 1)]
    store = _build(root, ops, damage=True, private=False)
    cached = FolderStore(root, durable=False, index_dir=tmp_path / "index")
    cached.read()
    cached.read()  # every folder's rows kept, and their hashes too
    calls = itertools.count()
    real = getattr(Cache, fails)

    def failing(self: Cache, *args: object) -> object:
        """The real call, but the second one raises as a damaged file does."""
        if next(calls) == 1:
            raise sqlite3.DatabaseError("database disk image is malformed")
        return real(self, *args)

    monkeypatch.setattr(Cache, fails, failing)
    months = read_by_month(cached)
    given = [r for month in months for r in month]
    assert next(calls) >= 2  # it did fail midway
    whole = store.read()
    assert {r.id: r for r in given} == whole.records and len(given) == len(whole.records)
    assert months.problems == whole.problems


# ------------------------------------------------------------ the command, against the old algorithm


def whole_history_export(config: Path, since: str | None, fmt: str, private: bool) -> tuple[str, str]:
    """`huddle export` as it was before it read month by month: every record read, sorted, then judged."""
    ctx = open_context(argparse.Namespace(config=str(config)))
    store = ctx.journal.private if private else ctx.journal.shared
    history = store.read(since=ctx.day(since).isoformat() if since else None)
    records = sorted(history.records.values(), key=lambda r: (r.date, r.kind, r.id))
    days = [(records, 0)] if private else _released_days(ctx.journal.roster(), records)
    out, err = io.StringIO(), io.StringIO()
    held = 0
    if fmt == "jsonl":
        for kept, left_out in days:
            held += left_out
            out.write("".join([json_line(r) + "\n" for r in kept]))
    else:
        writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for kept, left_out in days:
            held += left_out
            writer.writerows(_csv_row(r) for r in kept)
    if held:
        err.write(f"huddle: {held} anonymous answers left out: fewer than {K} members could "
                  "have given them (see docs/privacy.md)\n")
    unsigned = 0 if private or ctx.journal.authorship() is None else sum(1 for r in records if not r.signer)
    if unsigned:
        err.write(f"huddle: {unsigned} records are unsigned (made before keys existed: no \"signer\" "
                  "in their line)\n")
    for problem in history.problems:
        err.write(printable(f"huddle: skipped {problem.path}: {problem.reason}") + "\n")
    return out.getvalue(), err.getvalue()


def _concern(text: str) -> dict[str, object]:
    """A concern of Ana's (a kind a team's judge shows unsigned when it is older than the keys)."""
    return {"text": text, "kind": "blocker", "member": "Ana"}


@pytest.fixture
def signed_team(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A signed demo team with unsigned, held, edited, deleted, cross-month and damaged records added."""
    shared = tmp_path / "demo"
    code, _, err = cli(capsys, "demo", "--members", "5", "--years", "0.3", "--shared", str(shared),
                       "--no-tui")
    assert code == 0, err
    plain = FolderStore(shared, durable=False)
    old = "2020-03-02"  # before any key: an unsigned record of then is a legacy one, shown
    for name in ("Ana", "Ben", "Chen"):
        plain.save("checkin", f"old-{name}", old, {"member": name, "mood": 3, "status": "ok"})
    plain.save("checkin", "old-anon", "2020-03-03", {"visibility": "anonymous", "mood": 1, "status": ""})
    plain.save("concern", "moved", "2020-03-04", _concern("then"))
    plain.save("concern", "moved", "2020-05-04", _concern("later"), version=2)  # its winner in May
    plain.save("concern", "back", "2020-05-05", _concern("later"))
    plain.save("concern", "back", "2020-04-05", _concern("earlier, higher"), version=3)  # its winner in April
    plain.save("concern", "gone", "2020-04-06", _concern("x"))
    plain.save("concern", "gone", "2020-04-06", _concern("x"), deleted=True)
    plain.save("checkin", "old-Ana", old, {"member": "Ana", "mood": 5, "status": "edited"})
    plain.save("checkin", "late", "2026-11-02", {"member": "Ana", "mood": 2, "status": "no key"})  # set aside
    month = shared / "records" / "checkin" / "2020-03"
    (month / "broken.json").write_bytes(b'{"checksum":"sha256:')
    private = FolderStore(paths.private_dir(), durable=False, private=True)
    private.save("checkin", "p1", "2020-03-02", {"member": "Ana", "mood": 2, "status": "mine"})
    private.save("checkin", "p1", "2020-04-02", {"member": "Ana", "mood": 4, "status": "moved"}, version=2)
    private.save("note", "p2", "2020-04-03", {"text": "mine"})
    age(shared)
    close_all()
    return shared / "huddle.toml"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_every_export_writes_what_the_whole_history_export_wrote(signed_team: Path, fmt: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Shared and private, with and without --since, the cache cold then warm: the same bytes and lines."""
    seen = set()
    for since, private in itertools.product([None, "2020-03-03", "2020-04-06", "2026-11-01"], [False, True]):
        expected = whole_history_export(signed_team, since, fmt, private)
        argv = ["export", "--config", str(signed_team), "--format", fmt,
                *(["--since", since] if since else []), *(["--private"] if private else [])]
        for _ in range(2):
            close_all()  # each export as a process of its own
            code, out, err = cli(capsys, *argv)
            assert code == 0 and (out, err) == expected
        seen.add(err.count("\n"))
        if since is None and not private:
            assert "1 anonymous answers left out" in err and "records are unsigned" in err
            assert "broken.json" in err and "not shown" in err
            assert out.count('"id":"moved"' if fmt == "jsonl" else ",moved,") == 1
    assert len(seen) > 1  # the cases differ in what they report
