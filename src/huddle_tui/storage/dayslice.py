"""A day's records, kept: a day's view costs a day, not a month of a big team's index.

A read of one day (`FolderStore.read(kinds, since=D, until=D)`: a day's
summary, the lobby's today) goes through the month's index file, whose scan
lists every file of the month: at 200 members, ~4,000 check-ins unpacked to
find one day's ~200. So the History such a read gives is kept whole (records,
problems, copies, temp files) beside the index, keyed like a derived record
(derived.py) on the stamps of every folder it came from: records/, each kind
folder, and each month folder read. It is used only while all of them are
unchanged, and kept only when all were settled (older than RACY_NS) before
the read: every writer we know of changes a folder's stamp when it adds,
replaces or removes a file, so no writer can have changed what it holds.
A kind folder's stamp covers which month folders it has; the kept key names
the months read, each stamped too. Like the index, it is only a speed-up.
"""

from __future__ import annotations

import marshal
import os
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from huddle_tui.storage.envelope import Record
from huddle_tui.storage.stamps import RACY_NS, DirStamp, dir_stamp, folder_tag

SLICE_FORMAT = 1
_MAGIC = f"huddle-day {SLICE_FORMAT} py{sys.version_info[0]}.{sys.version_info[1]}\n".encode()
_new = tuple.__new__
History = Any  # folder.History (folder.py calls this module: no import back)
_H = TypeVar("_H")


def read(root: Path, index_dir: Path, kinds: tuple[str, ...], day: str,
         fresh: Callable[[], _H], empty: Callable[[], _H], problem: Callable[[Path, str], Any]) -> _H:
    """The History `fresh()` gives for `kinds` on `day`: the kept one while its folders are unchanged.

    `empty()` makes an empty History and `problem(path, reason)` a Problem (folder.py's types).
    """
    records = os.path.join(root, "records")
    path = index_dir / folder_tag(root) / "days" / "+".join(kinds) / f"{day}.slice"
    kept = _load(path)
    if kept is not None and kept[0] == _quick(records, kinds, day) \
            and kept[1] == _months(records, kept[1]):
        found: _H = _history(root, kept[2], empty(), problem)
        return found
    now = time.time_ns()
    quick = _quick(records, kinds, day)
    months = _months(records, _listed(records, kinds, day))
    history = fresh()
    taken = [s for s in quick[:-1] if s is not None] + [m[2:] for m in months if len(m) > 2]
    if quick[0] is not None and all(now - s[0] > RACY_NS for s in taken):
        _keep(path, quick, months, _flat(root, history))
    return history


def _quick(records: str, kinds: tuple[str, ...], day: str) -> list[Any]:
    """The stamps checked first: records/ and each kind's folder (which month folders it holds)."""
    return [_plain(dir_stamp(records)), *(_plain(dir_stamp(os.path.join(records, k))) for k in kinds),
            day]


def _plain(stamp: DirStamp | None) -> list[int] | None:
    """A stamp as marshal keeps it and gives back (a list), so kept and taken compare equal."""
    return None if stamp is None else [stamp[0], stamp[1]]


def _listed(records: str, kinds: tuple[str, ...], day: str) -> list[list[Any]]:
    """The month folders a read of `day` takes from each kind: those named for the day's month."""
    month = day[:7]
    found: list[list[Any]] = []
    for kind in kinds:
        try:
            with os.scandir(os.path.join(records, kind)) as it:
                names = sorted(e.name for e in it if e.name[:7] == month and not e.name.startswith("."))
        except OSError:
            continue
        found += [[kind, name] for name in names]
    return found


def _months(records: str, listed: list[list[Any]]) -> list[list[Any]]:
    """Each listed month folder with its stamp now ([kind, name, mtime, inode]; no stamp if gone)."""
    out = []
    for entry in listed:
        kind, name = entry[0], entry[1]
        stamp = dir_stamp(os.path.join(records, kind, name))
        out.append([kind, name, *stamp] if stamp is not None else [kind, name])
    return out


def _flat(root: Path, history: History) -> tuple[Any, ...]:
    """A history in marshal's types, its paths relative to the root."""
    base = str(root) + os.sep

    def rel(path: Path) -> str:
        """A path under the root as the rest of it."""
        text = str(path)
        return text[len(base):] if text.startswith(base) else text

    return ([tuple(r) for r in history.records.values()],
            [(rel(p.path), p.reason) for p in history.problems],
            [rel(p) for p in history.foreign_copies], [rel(p) for p in history.temp_files],
            history.files_read)


def _history(root: Path, flat: tuple[Any, ...], history: History,
             problem: Callable[[Path, str], Any]) -> History:
    """A kept history rebuilt (paths under this root)."""
    records, problems, copies, temps, files_read = flat
    for fields in records:
        record: Record = _new(Record, fields)
        history.records[record.id] = record
    history.problems = [problem(root / p, reason) for p, reason in problems]
    history.foreign_copies = [root / p for p in copies]
    history.temp_files = [root / p for p in temps]
    history.files_read = files_read
    return history


def _load(path: Path) -> tuple[Any, Any, Any] | None:
    """The kept (quick stamps, month stamps, history) of a day, or None when missing or damaged."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    head = len(_MAGIC)
    blob = memoryview(data)[head + 4:]
    if not data.startswith(_MAGIC) or zlib.crc32(blob) != int.from_bytes(data[head:head + 4], "big"):
        return None
    try:
        quick, months, flat = marshal.loads(blob)
        if len(flat) != 5 or not all(len(fields) == len(Record._fields) for fields in flat[0]):
            return None
    except (ValueError, EOFError, TypeError):
        return None
    return quick, months, flat


def _keep(path: Path, quick: list[Any], months: list[list[Any]], flat: tuple[Any, ...]) -> None:
    """Keep a day's history for its stamps (a failure only costs time later)."""
    from huddle_tui.storage.fileio import write_atomic

    try:
        blob = marshal.dumps((quick, months, flat))
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, _MAGIC + zlib.crc32(blob).to_bytes(4, "big") + blob, durable=False)
    except (OSError, ValueError):
        pass
