"""Helpers the store tests share: writing records, ageing files, comparing reads."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from huddle_tui.storage.cache import Cache, cache_for
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.folder import FolderStore, History

HOUR_NS = 3_600_000_000_000


def fixed_clock(when: str = "2026-11-26T08:59:12") -> datetime:
    """A clock reading for stores whose written_at the test wants to know."""
    return datetime.fromisoformat(when).replace(tzinfo=UTC)


def store_at(root: Path, index_dir: Path | None = None) -> FolderStore:
    """A store without fsync (tests that need durability say so) and with an optional index."""
    return FolderStore(root, durable=False, index_dir=index_dir)


def save_checkin(store: FolderStore, rid: str, day: str, mood: int = 3, **extra: object) -> Record:
    """Save a check-in record with a given id (tests pick ids to make collisions on purpose)."""
    return store.save("checkin", rid, day, {"member": "Ana", "mood": mood, "status": "ok", **extra})


def age(root: Path, by_ns: int = HOUR_NS) -> None:
    """Backdate every file and folder under root, as if written an hour ago (the index trusts old folders)."""
    then = time.time_ns() - by_ns
    for folder, _, names in os.walk(root, topdown=False):
        for name in names:
            os.utime(os.path.join(folder, name), ns=(then, then))
        os.utime(folder, ns=(then, then))


def summary(history: History) -> dict[str, object]:
    """Everything a read reports, in a form two reads can be compared by."""
    return {
        "records": {rid: (r.version, r.checksum, r.deleted, r.payload) for rid, r in history.records.items()},
        "problems": sorted((str(p.path), p.reason) for p in history.problems),
        "foreign": sorted(map(str, history.foreign_copies)),
        "temp": sorted(map(str, history.temp_files)),
        "files": history.files_read,
    }


def record_files(folder: Path) -> list[Path]:
    """Every .json file under a folder (a shared folder or one month of it), temp files aside."""
    return sorted(p for p in folder.rglob("*.json") if not p.name.startswith(".") and p.name != "huddle.toml")


def record_bytes(kind: str, day: str, payload: object, *, rid: str | None = None, version: int = 1,
                 deleted: bool = False, written_at: str = "2026-11-26T08:59:12.000000Z") -> tuple[str, bytes]:
    """A record file's name and bytes, correctly checksummed, whatever the payload or the date.

    It skips encode's own checks on purpose: a hostile teammate's file passes
    none of them and still has a valid checksum.
    """
    import hashlib

    from huddle_tui.model.ids import random_id
    from huddle_tui.storage.envelope import dumps

    rid = rid or random_id()
    body = dumps({"schema": 1, "kind": kind, "id": rid, "version": version, "date": day,
                  "written_at": written_at, "deleted": deleted, "payload": payload}).encode()
    digest = hashlib.sha256(body).hexdigest()
    return f"{rid}.{version}.{digest[:8]}.json", b'{"checksum":"sha256:' + digest.encode() + b'","record":' \
        + body + b"}\n"


def plant(root: Path, kind: str, day: str, payload: object, **fields: object) -> Path:
    """Put a checksummed record file in a folder where a reader will find it (a teammate's doing)."""
    name, data = record_bytes(kind, day, payload, **fields)  # type: ignore[arg-type]
    folder = root / "records" / kind / day[:7]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def cache_of(root: Path, index_dir: Path | None = None) -> Cache:
    """The cache of a shared folder (in the user cache dir unless `index_dir` is given)."""
    from huddle_tui import paths

    found = cache_for(index_dir or paths.index_dir(), root)
    assert found is not None
    return found


def kept_answer(root: Path, name: str) -> tuple[str, Any] | None:
    """The (key, value) a folder's cache keeps under `name`, whatever the key."""
    import marshal

    row = cache_of(root).db.execute("select key, value from answers where name = ?", (name,)).fetchone()
    return None if row is None else (row[0], marshal.loads(row[1]))


def put_answer(root: Path, name: str, key: str, value: Any) -> None:
    """Change a kept answer (a test marks it, to see whether it is used)."""
    cache_of(root).keep(name, key, value)


def drop_answer(root: Path, name: str) -> None:
    """Forget a kept answer."""
    cache_of(root).db.execute("delete from answers where name = ?", (name,))


def count_parsed(monkeypatch: Any) -> list[str]:
    """The names of the record files read and decoded from now on (scan._parse), in order."""
    from huddle_tui.storage import scan

    seen: list[str] = []
    real = scan._parse

    def counting(path: str, name: str, *args: Any, **kwargs: Any) -> Any:
        """Note the name, then read it."""
        seen.append(name)
        return real(path, name, *args, **kwargs)

    monkeypatch.setattr(scan, "_parse", counting)
    return seen
