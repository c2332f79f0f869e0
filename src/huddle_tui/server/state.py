"""What the reference server knows: every record version in the folder, in arrival order.

At start it reads every record file once; after that it learns of records
only through its own PUTs (records copied into the folder by other means
appear after a restart). Each start gets a new epoch (12 hex digits), the
tag of the cursors it hands out, and a cursor with another tag starts the
pull over from the beginning (store.cursor_position): a client imports only
files it does not have, so that costs time, never correctness.

PUTs run in worker threads (parsing and the fsync'd write would stall the
event loop), so the check-then-write of one (id, version) holds a lock: two
PUTs of one version can never both write. The lock is one of a fixed set
chosen by the key, so writes of different records still fsync in parallel.
Readers take no lock: each index update is a single dict or list operation,
atomic under the GIL, and a version enters the log only once it is on disk.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import NamedTuple

from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import CorruptRecord, Record
from huddle_tui.storage.folder import FolderStore, is_sync_temp

_LOCK_STRIPES = 64


class Stored(NamedTuple):
    """The outcome of a PUT: whether the version is new, and the record now held for it."""

    created: bool
    conflict: bool
    record: Record


class ServerState:
    """The folder store plus an in-memory index of (id, version) → record, in arrival order."""

    def __init__(self, root: Path, *, durable: bool = True) -> None:
        """Open the store and index every record file already in it."""
        self.store = FolderStore(root, durable=durable)
        self.epoch = os.urandom(6).hex()
        self.versions: dict[tuple[str, int], Record] = {}
        self.latest: dict[str, Record] = {}
        self.log: list[Record] = []
        self.created = self.replayed = 0
        self._put_locks = tuple(threading.Lock() for _ in range(_LOCK_STRIPES))
        self._index_lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        """Index the folder's files (corrupt ones are skipped: `huddle doctor` reports them)."""
        found = []
        for folder, _, names in os.walk(self.store.records_dir):
            for name in names:
                if not name.endswith(envelope.FILE_SUFFIX) or is_sync_temp(name):
                    continue
                try:
                    found.append(envelope.decode((Path(folder) / name).read_bytes()))
                except (OSError, CorruptRecord):
                    continue
        found.sort(key=lambda r: (r.written_at, r.id, r.version))
        for record in found:
            self._remember(record)

    def _remember(self, record: Record, *, new: bool = False) -> None:
        """Add one record version to the index (locked: two versions of one id may arrive at once)."""
        key = (record.id, record.version)
        with self._index_lock:
            if key in self.versions:
                return
            self.created += new
            self.versions[key] = record
            self.log.append(record)
            current = self.latest.get(record.id)
            if current is None or record.supersedes(current):
                self.latest[record.id] = record

    def put(self, record: Record, data: bytes) -> Stored:
        """Store a version once: a replay is a no-op, another body for it a conflict (thread-safe)."""
        key = (record.id, record.version)
        with self._put_locks[hash(key) % _LOCK_STRIPES]:
            held = self.versions.get(key)
            if held is not None:
                same = held.checksum == record.checksum
                if same:
                    with self._index_lock:
                        self.replayed += 1
                return Stored(False, not same, held)
            self.store.write(record, data, anonymous=record.written_at == record.date)
            self._remember(record, new=True)
        return Stored(True, False, record)

    def page(self, since: int, limit: int) -> tuple[list[Record], int, bool]:
        """Records after position `since` in arrival order: (records, next position, more?)."""
        chunk = self.log[since:since + limit]
        end = since + len(chunk)
        return chunk, end, end < len(self.log)
