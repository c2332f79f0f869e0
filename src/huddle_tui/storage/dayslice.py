"""A day's records, kept: a day's view costs a day, not a month of a big team's index.

A read of one day (`FolderStore.read(kinds, since=D, until=D)`: a day's
summary, the lobby's today) goes through the month's index file, whose scan
lists every file of the month: at 200 members, ~4,000 check-ins unpacked to
find one day's ~200. So the History such a read gives is kept whole (records,
problems, copies, temp files) beside the index, keyed like a derived record
(derived.py) on the stamps of every folder it came from: records/, each kind
folder, and each month folder read. It is used as it is only while all of
them are unchanged and were settled (older than RACY_NS) when stamped:
every writer we know of changes a folder's stamp when it adds, replaces or
removes a file, so no writer can have changed what it holds.
A kind folder's stamp covers which month folders it has; the kept key names
the months read, each stamped too. Like the index, it is only a speed-up.

A month folder that changed since (a teammate checked in) is caught up, not
read again: the slice keeps each month's listing (name, inode, and whether
the file counted as read or held a record of the day), so the month is
listed (names only, no call per file), its new files are read, and files
gone or replaced are taken out. Only when a gone file held a record of the
day is the day read afresh. A file is known by its name and inode: files are
written whole and never change, and a name's content is its record's (the
name carries its checksum). Files still fresh (written within RACY_NS,
perhaps still being written) are read again next time. A name given other
content is damage: seen when it lands on a new inode, as a rename gives it,
and in any case by `huddle doctor`, whose verifying read drops every kept day.
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
from huddle_tui.storage.fileio import AT_FDS, LinkRefused, open_folder, write_atomic
from huddle_tui.storage.scan import NEVER, MonthScan, scan_entries
from huddle_tui.storage.stamps import RACY_NS, RECORDS, DirStamp, dir_stamp, folder_tag

# 2: each month's listing kept, so a changed month is caught up file by file.
# 3: records keep their signer and signature.
SLICE_FORMAT = 3
_MAGIC = f"huddle-day {SLICE_FORMAT} py{sys.version_info[0]}.{sys.version_info[1]}\n".encode()
_new = tuple.__new__
History = Any  # folder.History (folder.py calls this module: no import back)
_H = TypeVar("_H")
_COUNTED, _DAY = 1, 2  # a listed name's flags: read as a file; held a record of the day
Listing = dict[str, int]  # name -> inode << 2 | flags


def read(root: Path, index_dir: Path, kinds: tuple[str, ...], day: str,
         fresh: Callable[[], _H], empty: Callable[[], _H], problem: Callable[[Path, str], Any],
         scans: Callable[[str], MonthScan | None], tag: str = "") -> _H:
    """The History `fresh()` gives for `kinds` on `day`: kept while its folders are unchanged,
    caught up where only month folders changed.

    `empty()` makes an empty History, `problem(path, reason)` a Problem (folder.py's types), and
    `scans(folder)` gives the month scan the store's last read used for a folder. `tag` names
    what else the history depends on (who is trusted to sign what): a day is kept per tag.
    """
    records = os.path.join(root, RECORDS)
    path = index_dir / folder_tag(root) / "days" / "+".join(kinds) / f"{day}{'.' + tag if tag else ''}.slice"
    kept = _load(path)
    quick = _quick(records, kinds, day)
    at = time.time_ns()
    if kept is not None and kept[0] == quick:
        months, times = _months(records, kept[1]), kept[3]
        stale = [n for n, (then, now) in enumerate(zip(kept[1], months, strict=True))
                 if then != now or not _settled(now, times[n])]
        if not stale:
            found: _H = _history(root, kept[2], empty(), problem)
            return found
        listings = _listings(kept[4], len(months))
        caught = _catch_up(root, day, months, times, listings, stale, at,
                           _history(root, kept[2], empty(), problem))
        if caught is not None:
            history, snapshot = caught
            if _settled_all(quick, at) and _quick(records, kinds, day) == quick:
                _keep(path, quick, months, snapshot, times, listings)
            brought: _H = history
            return brought
    months = _months(records, _listed(records, kinds, day))
    history = fresh()
    unchanged = _quick(records, kinds, day) == quick and _months(records, months) == months
    if _settled_all(quick, at) and unchanged:
        listed = [_listing_of(root, m, scans(os.path.join(records, m[0], m[1])), day) for m in months]
        # A month still changing is kept only with its listing: the next read must list it again.
        if all(f is not None or _settled(m, at) for m, f in zip(months, listed, strict=True)):
            young = {Path(records, m[0], m[1], name) for m, f in zip(months, listed, strict=True) if f
                     for name in f[1]}
            _keep(path, quick, months, _flat(root, history, young), [at] * len(months),
                  [f[0] if f else None for f in listed])
    return history


def _settled(month: list[Any], at: int) -> bool:
    """Whether a month folder's stamp, taken at `at`, was old enough to trust unlisted (or it is gone)."""
    return len(month) < 4 or at - month[2] > RACY_NS


def _settled_all(quick: list[Any], at: int) -> bool:
    """Whether records/ and every kind folder had been still for RACY_NS when their stamps were taken."""
    return quick[0] is not None and all(at - s[0] > RACY_NS for s in quick[:-1] if s is not None)


def _catch_up(root: Path, day: str, months: list[list[Any]], times: list[int],
              listings: list[Listing | None], stale: list[int], at: int,
              history: History) -> tuple[History, tuple[Any, ...]] | None:
    """The kept history brought up to the `stale` month folders as they are now, or None to read afresh.

    Updates each stale month's stamp time and listing in place, and gives the history to keep
    beside the one to return: files
    still fresh (written within RACY_NS, perhaps still being written) are in the one returned
    but neither in the kept one nor in its listings, so the next read reads them again.
    """
    if not AT_FDS:
        return None
    settling: list[tuple[MonthScan, str]] = []
    for n in stale:
        month, listing = months[n], listings[n]
        if listing is None or len(month) < 4:
            return None
        caught = _catch_up_month(root, month[0], month[1], (month[2], month[3]), listing, day, at, history)
        if caught is None:
            return None
        times[n], listings[n] = at, caught[0]
        settling += caught[1]
    _sort(history)
    snapshot = _flat(root, history)
    for part, folder in settling:
        history.merge(part, folder, day, day)
    _sort(history)
    return history, snapshot


def _catch_up_month(root: Path, kind: str, month: str, stamp: DirStamp, listing: Listing, day: str,
                    at: int, history: History) -> tuple[Listing, list[tuple[MonthScan, str]]] | None:
    """Merge one changed month folder's new old-enough files into `history`; take out its gone ones.

    Gives the month's listing now (without its fresh files) and the scan of its fresh files, to
    merge after the history to keep is taken. None when a gone or replaced file held a record of
    the day (then only a fresh read can tell which version of it is left), or the folder cannot
    be listed.
    """
    fd = _open_month(root, kind, month)
    if fd is None:
        return None
    folder = os.path.join(root, RECORDS, kind, month)
    try:
        inodes: dict[str, int] = {}
        new: list[os.DirEntry[str]] = []
        with os.scandir(fd) as it:
            for entry in it:
                inode = inodes[entry.name] = entry.inode()
                if listing.get(entry.name, -4) >> 2 != inode:
                    new.append(entry)
        gone = [*(listing.keys() - inodes.keys()), *(e.name for e in new if e.name in listing)]
        if any(listing[name] & _DAY for name in gone):
            return None
        young = [e for e in new if _young(e, at)]
        old = scan_entries([e for e in new if not _young(e, at)], folder, kind, month, stamp,
                           shared=True, at=fd)
        part = scan_entries(young, folder, kind, month, stamp, shared=True, at=fd) if young else None
    except OSError:
        return None
    finally:
        os.close(fd)
    if gone:
        dropped = {Path(folder, name) for name in gone}
        history.problems = [p for p in history.problems if p.path not in dropped]
        history.foreign_copies = [p for p in history.foreign_copies if p not in dropped]
        history.temp_files = [p for p in history.temp_files if p not in dropped]
        history.files_read -= sum(listing[name] & _COUNTED for name in gone)
    history.merge(old, folder, day, day)
    reuse: dict[str, tuple[int, int, int, int, int]] = marshal.loads(old.reuse)
    if any(hit[1] == NEVER for hit in reuse.values()):
        return None  # changed between its stat and its read: read the day afresh
    now = dict(listing)
    for name in gone:
        del now[name]
    for entry in new:
        if part is None or entry not in young:
            now[entry.name] = inodes[entry.name] << 2 | _flags(reuse.get(entry.name), old.records, day)
    return now, [] if part is None else [(part, folder)]


def _open_month(root: Path, kind: str, month: str) -> int | None:
    """A month folder opened without following a link on the way; None if missing, a link or unreadable."""
    try:
        return open_folder(root, (RECORDS, kind, month), create=False)
    except (LinkRefused, OSError):
        return None


def _young(entry: os.DirEntry[str], at: int) -> bool:
    """A file changed within RACY_NS of `at` (perhaps still being written), or one that cannot be stat'ed."""
    try:
        return at - entry.stat(follow_symlinks=False).st_mtime_ns <= RACY_NS
    except OSError:
        return True


def _sort(history: History) -> None:
    """A history's reports in the order a read gives them."""
    history.problems.sort()
    history.foreign_copies.sort()
    history.temp_files.sort()


def _listing_of(root: Path, month: list[Any], scan: MonthScan | None,
                day: str) -> tuple[Listing, list[str]] | None:
    """A month folder's listing to keep beside the slice, from the scan the read used, and its files
    still fresh (left out of it, to be read again next time).

    None (the month is then read afresh once it changes) unless the scan is of the stamp kept, no
    fresh file holds a record of the day, and a listing now gives each file the inode it parsed.
    """
    if scan is None or len(month) < 4 or list(scan.stamp) != month[2:] or not AT_FDS:
        return None
    reuse: dict[str, tuple[int, int, int, int, int]] = marshal.loads(scan.reuse)
    young = [name for name, hit in reuse.items() if hit[1] == NEVER]
    if any(_flags(reuse[name], scan.records, day) & _DAY for name in young):
        return None
    fd = _open_month(root, month[0], month[1])
    if fd is None:
        return None
    try:
        with os.scandir(fd) as it:
            inodes = {e.name: e.inode() for e in it}
        if dir_stamp(os.path.join(root, RECORDS, month[0], month[1])) != scan.stamp:
            return None
    except OSError:
        return None
    finally:
        os.close(fd)
    if any(inodes.get(name) != hit[2] for name, hit in reuse.items()):
        return None
    for name in young:
        del inodes[name]
    return {name: inode << 2 | _flags(reuse.get(name), scan.records, day)
            for name, inode in inodes.items()}, young


def _flags(hit: tuple[int, int, int, int, int] | None, records: list[Any], day: str) -> int:
    """A listed name's flags from its scan entry: counted as read, and holding a record of `day`."""
    if hit is None:
        return 0
    slot = hit[4]
    return _COUNTED | (_DAY if slot >= 0 and records[slot][3] == day else 0)


def forget(root: Path, index_dir: Path) -> None:
    """Drop every kept day of one shared folder (a verifying read does: it trusts no cache)."""
    import shutil

    shutil.rmtree(index_dir / folder_tag(root) / "days", ignore_errors=True)


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


def _flat(root: Path, history: History, leaving: set[Path] | None = None) -> tuple[Any, ...]:
    """A history in marshal's types, its paths relative to the root.

    `leaving` out files still fresh (none of them a record of the day): their reports and count.
    """
    base = str(root) + os.sep
    gone = leaving or set()

    def rel(path: Path) -> str:
        """A path under the root as the rest of it."""
        text = str(path)
        return text[len(base):] if text.startswith(base) else text

    return ([tuple(r) for r in history.records.values()],
            [(rel(p.path), p.reason) for p in history.problems if p.path not in gone],
            [rel(p) for p in history.foreign_copies if p not in gone],
            [rel(p) for p in history.temp_files if p not in gone], history.files_read - len(gone))


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


def _load(path: Path) -> tuple[Any, Any, Any, list[int], bytes] | None:
    """The kept (quick stamps, month stamps, history, when each month was stamped, packed listings)
    of a day, or None."""
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
        quick, months, flat, times, packed = marshal.loads(blob)
        if len(flat) != 5 or not all(len(fields) == len(Record._fields) for fields in flat[0]) \
                or not isinstance(packed, bytes) or not isinstance(times, list) \
                or len(times) != len(months) or not all(isinstance(t, int) for t in times):
            return None
    except (ValueError, EOFError, TypeError):
        return None
    return quick, months, flat, times, packed


def _listings(packed: bytes, count: int) -> list[Listing | None]:
    """The kept listing of each of `count` months (None where none was kept, or all if damaged)."""
    try:
        found = marshal.loads(packed)
        if isinstance(found, list) and len(found) == count \
                and all(x is None or isinstance(x, dict) for x in found):
            return found
    except (ValueError, EOFError, TypeError):
        pass
    return [None] * count


def _keep(path: Path, quick: list[Any], months: list[list[Any]], flat: tuple[Any, ...],
          times: list[int], listings: list[Listing | None]) -> None:
    """Keep a day's history for its stamps (a failure only costs time later)."""
    try:
        blob = marshal.dumps((quick, months, flat, times, marshal.dumps(listings)))
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, _MAGIC + zlib.crc32(blob).to_bytes(4, "big") + blob, durable=False)
    except (OSError, ValueError):
        pass
