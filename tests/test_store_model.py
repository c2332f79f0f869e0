"""A model of several machines sharing a folder through a sync tool, checked after every step.

Each machine has its own copy of the shared folder and its own index. The
rules write and edit records, crash mid-write, copy files between machines
the way a sync tool does (same name, or a conflicted copy when the name is
taken by other content), damage files, remove conflicted copies and let time
pass (so the index trusts unchanged folders). After every step, what each
machine reads — through its index, without one, and a record's own files by
id (as a save reads them) — equals the model: per
id the version the documented merge rule picks from the record files the
machine holds, every damaged file reported, every temp file skipped.
Records are signed or not, some signatures are forged, the cache file is
deleted or damaged between reads, and some reads verify every file with
the signatures checked in a second process: none of it changes what is read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from huddle_tui.storage import envelope
from huddle_tui.storage import folder as folder_module
from huddle_tui.storage.cache import close_all
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.fileio import temp_path_for
from huddle_tui.storage.folder import FolderStore, History
from huddle_tui.storage.signature import SigningKey
from tests.storekit import HOUR_NS, age

IDS = {"a1f0c3d2-0000-5000-8000-000000000001": "2026-10-30",
       "b2e1d4c3-0000-5000-8000-000000000002": "2026-11-02",
       "c3d2e5f4-0000-4000-8000-000000000003": "2026-11-26"}
BASE = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
KEY = SigningKey(bytes(range(32)))  # one teammate's key: the store judges nobody, signatures only
# What the model knows a file to be: a record, damage, or a temp file.
Kind = Record | str


class Machine:
    """One machine: its copy of the shared folder, its index, its clock, and what its files are."""

    def __init__(self, root: Path, index: Path) -> None:
        """An empty folder; `files` maps each file's path under root to what it holds."""
        self.root = root
        self.index = index
        self.clock = BASE
        self.store = FolderStore(root, now=lambda: self.clock, durable=False, index_dir=index)
        self.plain = FolderStore(root, durable=False)
        self.files: dict[Path, Kind] = {}

    def expected(self) -> tuple[dict[str, Record], set[Path], set[Path]]:
        """Per id the winning version, the damaged files, the temp files: what a read must say."""
        winners: dict[str, Record] = {}
        for what in self.files.values():
            if isinstance(what, Record):
                best = winners.get(what.id)
                key = (what.version, what.written_at, what.checksum)
                if best is None or key > (best.version, best.written_at, best.checksum):
                    winners[what.id] = what
        bad = {self.root / p for p, w in self.files.items() if w == "damaged"}
        temps = {self.root / p for p, w in self.files.items() if w == "temp"}
        return winners, bad, temps


def observed(history: History) -> tuple[dict[str, Record], set[Path], set[Path]]:
    """What a read said, in the model's terms."""
    return dict(history.records), {p.path for p in history.problems}, set(history.temp_files)


class SharedFolders(RuleBasedStateMachine):
    """Two or three machines, a sync tool between them, and everything that goes wrong."""

    def __init__(self) -> None:
        """A scratch folder for this run's machines."""
        super().__init__()
        self.work = Path(tempfile.mkdtemp(prefix="huddle-model-"))
        self.all: list[Machine] = []
        self.copies = 0

    def teardown(self) -> None:
        """Remove the machines' folders."""
        shutil.rmtree(self.work, ignore_errors=True)

    @initialize(count=st.integers(2, 3))
    def start(self, count: int) -> None:
        """Create the machines."""
        for n in range(count):
            self.all.append(Machine(self.work / f"m{n}", self.work / f"index{n}"))

    def _machine(self, data: st.DataObject) -> Machine:
        """Pick one machine."""
        return data.draw(st.sampled_from(self.all))

    def _put(self, machine: Machine, rel: Path, what: Kind) -> None:
        """Note what a file on a machine now holds."""
        machine.files[rel] = what

    @rule(data=st.data(), rid=st.sampled_from(sorted(IDS)), mood=st.integers(1, 5),
          second=st.integers(0, 2), deleted=st.booleans(), anonymous=st.booleans())
    def write(self, data: st.DataObject, rid: str, mood: int, second: int, deleted: bool,
              anonymous: bool) -> None:
        """Save a record (a new one, or an edit: a new version); it must win at once on that machine."""
        m = self._machine(data)
        m.clock = BASE + timedelta(seconds=second)
        if data.draw(st.booleans()):  # as a check-in saves: its own records read first, then numbered
            m.store.read_ids("checkin", IDS[rid], [rid])
        payload = {"mood": mood, "visibility": "anonymous"} if anonymous else {"member": "Ana", "mood": mood}
        key = KEY if data.draw(st.booleans()) else None
        record, raw = m.store.prepare("checkin", rid, IDS[rid], payload, deleted=deleted, anonymous=anonymous,
                                      key=key)
        m.store.write(record, raw, anonymous=anonymous)
        self._put(m, self._rel(record), record)
        assert m.store.read().records[rid] == record  # acknowledged means read back, now

    @rule(data=st.data(), rid=st.sampled_from(sorted(IDS)), mood=st.integers(1, 5))
    def forge(self, data: st.DataObject, rid: str, mood: int) -> None:
        """A teammate writes a version whose signature does not match its body: set aside, never read."""
        m = self._machine(data)
        record, raw = envelope.encode("checkin", rid, 50 + mood, IDS[rid], "2026-11-26T23:00:00.000000Z",
                                      {"member": "Ana", "mood": mood}, key=KEY)
        at = raw.rindex(b'"signature":"') + len(b'"signature":"') + 5
        raw = raw[:at] + (b"B" if raw[at:at + 1] == b"A" else b"A") + raw[at + 1:]
        target = m.root / self._rel(record)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
        self._put(m, self._rel(record), "damaged")

    @rule(data=st.data(), how=st.sampled_from(["deleted", "damaged"]))
    def lose_the_cache(self, data: st.DataObject, how: str) -> None:
        """The cache file is deleted or overwritten with garbage: the next read is a cold one."""
        m = self._machine(data)
        close_all()
        for path in m.index.glob("*.sqlite3*"):
            if how == "deleted":
                path.unlink()
            else:
                path.write_bytes(os.urandom(4096))

    @rule(data=st.data())
    def verifying_read(self, data: st.DataObject) -> None:
        """A read that trusts nothing kept, its signatures checked in a second process: the model's."""
        m = self._machine(data)
        threshold = folder_module._IN_WORKER
        folder_module._IN_WORKER = 1
        try:
            history = m.store.read(verify=True)
        finally:
            folder_module._IN_WORKER = threshold
        assert observed(history) == m.expected()

    def _rel(self, record: Record, name: str | None = None) -> Path:
        """Where a record's file sits under a machine's root."""
        return Path("records", record.kind, record.date[:7], name or record.file_name())

    @rule(data=st.data(), rid=st.sampled_from(sorted(IDS)), whole=st.booleans())
    def crash_mid_write(self, data: st.DataObject, rid: str, whole: bool) -> None:
        """A writer dies before its rename: a temp file (whole or half) that nobody may read."""
        m = self._machine(data)
        record, raw = envelope.encode("checkin", rid, 99, IDS[rid], "2026-11-26T23:59:59.000000Z",
                                      {"mood": 1})
        target = m.root / self._rel(record)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_path_for(target)
        tmp.write_bytes(raw if whole else raw[: len(raw) // 2])
        self._put(m, tmp.relative_to(m.root), "temp")

    @rule(data=st.data(), style=st.sampled_from(["same", "syncthing", "dropbox"]))
    def sync_copy(self, data: st.DataObject, style: str) -> None:
        """Copy one file to another machine as a sync tool does: same name, or a conflicted copy."""
        src = self._machine(data)
        if not src.files:
            return
        rel = data.draw(st.sampled_from(list(src.files)))  # insertion order: temp names are random
        dst = data.draw(st.sampled_from([m for m in self.all if m is not src]))
        what = src.files[rel]
        self.copies += 1
        stem = rel.name[: -len(".json")] if rel.name.endswith(".json") else rel.name
        n = self.copies
        if style == "syncthing":
            target = rel.with_name(f"{stem}.sync-conflict-20261126-0900{n:02d}-DEV{n}.json")
        elif style == "dropbox":
            target = rel.with_name(f"{stem} (Ben's conflicted copy 2026-11-{n % 28 + 1:02d}).json")
        else:
            target = rel
        if what == "temp":
            target = rel  # sync tools do not rename what they see as a temp file
        old = dst.files.get(target)
        taken = old is not None and (dst.root / target).read_bytes() != (src.root / rel).read_bytes()
        if target == rel and taken:
            # The name is taken by other content: the sync tool keeps the local file as a conflicted copy.
            aside = target.with_name(f"{stem}.sync-conflict-20261126-0959{n:02d}-LOCAL.json")
            os.replace(dst.root / target, dst.root / aside)
            assert old is not None
            self._put(dst, aside, old)
        (dst.root / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src.root / rel, dst.root / target)  # keeps the source's mtime, as sync tools do
        self._put(dst, target, what)

    @rule(data=st.data(), how=st.sampled_from(["truncate", "zero", "flip", "random", "empty"]))
    def damage(self, data: st.DataObject, how: str) -> None:
        """A damaged version of a record file arrives (replacing it, keeping its size and mtime if it can)."""
        m = self._machine(data)
        # A file damaged already is left alone: a second flip of the same bit would undo the first.
        candidates = [p for p, w in m.files.items() if w not in ("temp", "damaged")]
        if not candidates:
            return
        rel = data.draw(st.sampled_from(candidates))
        path = m.root / rel
        raw, st_before = path.read_bytes(), path.stat()
        if how == "truncate":
            bad = raw[: data.draw(st.integers(0, max(0, len(raw) - 3)))]
        elif how == "zero":
            bad = bytes(len(raw))
        elif how == "flip" and raw:
            at = data.draw(st.integers(0, len(raw) - 1))
            bad = raw[:at] + bytes([raw[at] ^ (1 << data.draw(st.integers(0, 7)))]) + raw[at + 1:]
        elif how == "random":
            bad = os.urandom(max(1, len(raw)))
        else:
            bad = b""
        tmp = temp_path_for(path)
        tmp.write_bytes(bad)
        os.utime(tmp, ns=(st_before.st_atime_ns, st_before.st_mtime_ns))
        os.replace(tmp, path)
        self._put(m, rel, "damaged")

    @rule(data=st.data())
    def remove_a_copy(self, data: st.DataObject) -> None:
        """Someone tidies up a conflicted copy (the records it held may still be elsewhere)."""
        m = self._machine(data)
        copies = [p for p in m.files if "conflict" in p.name]
        if copies:
            rel = data.draw(st.sampled_from(copies))
            (m.root / rel).unlink()
            del m.files[rel]

    @rule(data=st.data())
    def time_passes(self, data: st.DataObject) -> None:
        """An hour goes by: folders are old enough for the index to trust them unlisted."""
        m = self._machine(data)
        if m.root.exists():
            age(m.root, HOUR_NS)

    @invariant()
    def every_machine_reads_the_model(self) -> None:
        """Through its index and without one, each machine reads exactly what the model says."""
        for m in self.all:
            want = m.expected()
            assert observed(m.store.read()) == want
            assert observed(m.plain.read()) == want
            for rid, day in IDS.items():  # a few records read by id say what the whole read says
                own = m.plain.read_ids("checkin", day, [rid])
                assert own.records.get(rid) == want[0].get(rid)
                assert {p.path for p in own.problems} == {p for p in want[1] if p.name.startswith(rid)}


SharedFolders.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)
test_shared_folders = SharedFolders.TestCase
