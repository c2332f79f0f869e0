"""One shared folder's cache, in SQLite: the files read, the records they hold, the answers kept.

Reading thousands of record files is slow on a laptop and slower on a share,
so a reader keeps what it found in one SQLite file per shared folder, in the
user cache dir (paths.index_dir(), named by stamps.folder_tag). It is only a
speed-up, always safe to delete, and nothing is ever written to the shared
folder:

- `folders`: each month folder read (kind, month), the stamp it was listed
  at (mtime_ns, inode), whether that stamp was settled (stamps.settled) and
  how many files it counted;
- `files`: each name listed in it, with its stamp (size, mtime_ns, inode;
  mtime NEVER for a file still fresh when read, so it is read again), how it
  was found (its own name, a sync tool's copy, a temp file) and, for a file
  set aside, why;
- `records`: the record each readable file holds, as one line of JSON (an
  array of the Record's fields, ASCII), indexed by (kind, date) (a day's read
  asks for its rows alone; a month's read for one text of all its lines,
  which SQLite joins and Python parses with one JSON scan);
- `answers`: derived answers (the lobby's today, the plan, the report's
  months, the checked team config), each under its name with the key it was
  computed for.

folder.py applies the one rule for using rows: a month folder's rows only
while its stamp is unchanged and was settled, else the folder is listed and
only files whose stamp changed are parsed. What a file holds is kept, never
what this machine concluded from it: records are judged (rules/authorship.py)
at every read.

Every row carries a CRC-32 of what it holds, and a month folder's row also
the CRC-32 of its records' lines joined (what a warm read fetches whole, so
it checks one CRC a month, not one a record): SQLite keeps a file whole
across a crash but does not check what a damaged disk gives back, and the
cache must never make a read wrong. A damaged row, a file that is not a database, or a
cache of another format or folder raises Damaged; the caller reads the files
instead and the file is removed, to be made afresh. Two processes share the
file through SQLite's locking (WAL, a busy timeout); a write that would wait
too long is skipped, which costs time only. Answers are marshal values (the
lobby's first frame reads its answer before json is imported); records are
JSON text, readable with any SQLite client. Stdlib only.
"""

import _thread
import marshal
import os
import sqlite3
import sys
import time
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from huddle_tui.storage.fileio import private_db_file
from huddle_tui.storage.stamps import folder_tag, resolved

FORMAT = f"huddle-cache 2 py{sys.version_info[0]}.{sys.version_info[1]}"  # another: made afresh
_VERSION = 2  # pragma user_version once the schema is made
_BUSY_S = 2.0
_PAGE = 16384  # a record's row is ~400 bytes: 4 KiB pages hold a handful, and bulk writes split them
_HOLD_S = 1.0  # the longest a read keeps its writes in one transaction
_SCHEMA = """
create table meta(key text primary key, value text not null);
create table folders(id integer primary key, kind text not null, month text not null,
    mtime_ns integer not null, inode integer not null, settled integer not null,
    files_read integer not null, generation integer not null, aside integer not null,
    lines_crc integer not null, crc integer not null, unique(kind, month));
create table files(folder integer not null, name text not null, size integer, mtime_ns integer not null,
    inode integer not null, flag integer not null, reason text, crc integer not null,
    primary key(folder, name)) without rowid;
create table records(folder integer not null, name text not null, kind text not null, date text not null,
    line text not null, crc integer not null, primary key(folder, name)) without rowid;
create index records_by_date on records(kind, date);
create table answers(name text primary key, key text not null, value blob not null, crc integer not null);
"""
_FILE_COLUMNS = "name, size, mtime_ns, inode, flag, reason, crc"
FileRow = tuple[str, "int | None", int, int, int, "str | None"]
"""A listed name: (name, size or None when not counted as a file read, mtime_ns, inode, flag, reason)."""
RecordRow = tuple[str, str, str, str]
"""A file's record: (name, kind, date, line), its line the Record's fields as one JSON array (ASCII)."""


class _Skip(Exception):
    """A month folder's rows another process wrote since they were read: not overwritten."""


class Damaged(sqlite3.DatabaseError):
    """A row whose CRC does not match, or a cache file of another format or folder: never believed."""


class Folder(NamedTuple):
    """A month folder's row: its stamp when listed, and `generation`, which every write moves on."""

    id: int
    mtime_ns: int
    inode: int
    settled: bool
    files_read: int
    generation: int
    aside: int  # how many of its names set_aside() gives: a folder with none is not asked
    lines_crc: int


def _crc(row: tuple[Any, ...]) -> int:
    """The CRC-32 of a row's values, each as str() writes it, between unit separators."""
    return zlib.crc32("\x1f".join([str(value) for value in row]).encode("utf-8", "surrogatepass"))


def _file_crc(folder: int, name: str, size: int | None, mtime_ns: int, inode: int, flag: int,
              reason: str | None) -> int:
    """_crc((folder, *file_row)), with one f-string instead of a str() a value: a cold read makes 15k."""
    return zlib.crc32(f"{folder}\x1f{name}\x1f{size}\x1f{mtime_ns}\x1f{inode}\x1f{flag}\x1f{reason}"
                      .encode("utf-8", "surrogatepass"))


# An answer's CRC is taken over its blob's bytes, marked by this bit (SQLite integers have 64): one kept
# before it was taken over the blob's repr, which cost a 90-day report at 200x5 more than unmarshalling
# its months. Such a row is checked the old way once, then its CRC is rewritten (Cache.answer).
_BLOB_CRC = 1 << 32


def _answer_crc(name: str, key: str, blob: bytes) -> int:
    """The CRC-32 of an answer's name, key and blob bytes (the blob as it is, not as text), marked."""
    head = f"{name}\x1f{key}\x1f".encode("utf-8", "surrogatepass")
    return _BLOB_CRC | zlib.crc32(blob, zlib.crc32(head))


def _line_crc(folder: int, line: str) -> int:
    """The CRC-32 of a record's line (or of a month's lines joined by commas), started from its folder's id.

    Lines are ASCII (JSON with every other character escaped). The file's
    name is left out: a read uses it only to order a folder's records.
    """
    return zlib.crc32(line.encode("utf-8", "surrogatepass"), folder)


# A month folder's lines in its files' name order, joined by commas as one text SQLite makes: a
# warm read of a month fetches one value and parses it with one JSON scan, not values per record.
_ASIDE = " and (flag != 0 or reason is not null)"  # the files set_aside() gives
_MONTH = "select group_concat(line, ',') from (select line from records where folder = ? order by name)"


# The ids of a month folder's records: from the names of the files under their own names (flag 0,
# a record held), and from the lines of copies (a line starts ["<kind>","<id>", and neither needs escaping).
_OWN_IDS = ("select group_concat(substr(name, 1, instr(name, '.') - 1), '/') from files "
            "where folder = ? and flag = 0 and reason is null and size is not null")
_COPIED_IDS = ("select substr(line, length(kind) + 6, instr(substr(line, length(kind) + 6), '\"') - 1) "
               "from records where folder = ? and name in (select name from files where folder = ? "
               "and flag != 0 and reason is null and size is not null)")


_caches: dict[tuple[Path, int], "Cache"] = {}


def cache_for(index_dir: Path, root: Path) -> "Cache | None":
    """The cache of the shared folder `root`, opened once per thread; None when it cannot be had.

    A thread has a connection of its own (the app reads in its IO worker and
    paints its first frame on the main thread), so a transaction is never
    shared. A file that is damaged or another's is removed and made afresh once.
    """
    path = index_dir / f"{folder_tag(root)}.sqlite3"
    key = (path, _thread.get_ident())
    found = _caches.get(key)
    if found is not None:
        return found
    for _ in range(2):
        try:
            found = Cache(path, str(resolved(root)))
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                return None  # locked for too long, or the disk refuses: read the files this time
            remove(path)
        except OSError:
            return None
        else:
            _caches[key] = found
            return found
    return None


_DAMAGE = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_ERROR", "SQLITE_MISMATCH", "SQLITE_FORMAT",
           "SQLITE_SCHEMA")


def is_damage(exc: BaseException) -> bool:
    """Whether an sqlite error says the file is bad (then removed), not busy or refused (then kept)."""
    if isinstance(exc, Damaged):
        return True
    return isinstance(exc, sqlite3.Error) and str(getattr(exc, "sqlite_errorname", "")).startswith(_DAMAGE)


def close_all() -> None:
    """Close every cache this process has open (as a process that ends does; tests use it)."""
    while _caches:
        _caches.popitem()[1].db.close()


def remove(path: Path) -> None:
    """Delete a cache file and its WAL companions, closing this process's connections to it."""
    for key in [k for k in _caches if k[0] == path]:
        _caches.pop(key).db.close()
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{path}{suffix}")
        except OSError:
            pass


_FOLDER_COLUMNS = "kind, month, id, mtime_ns, inode, settled, files_read, generation, aside, lines_crc, crc"


def _folder(row: tuple[Any, ...]) -> Folder:
    """A `folders` row (_FOLDER_COLUMNS) as a Folder, checked against its CRC."""
    kind, month, rid, mtime_ns, inode, settled, files_read, generation, aside, lines_crc, crc = row
    if _crc((kind, month, mtime_ns, inode, settled, files_read, generation, aside, lines_crc)) != crc:
        raise Damaged(f"folder {kind}/{month}")
    return Folder(rid, mtime_ns, inode, bool(settled), files_read, generation, aside, lines_crc)


class Cache:
    """An open cache file: month folders' rows, and answers by name."""

    def __init__(self, path: Path, folder: str) -> None:
        """Open (or make) the file for the shared folder `folder`; Damaged if it is another's."""
        private_db_file(path)  # this user's alone (0600 in a 0700 folder), whatever the umask
        self.path = path
        self._began = 0.0
        self.db = sqlite3.connect(path, timeout=_BUSY_S, isolation_level=None, check_same_thread=False)
        try:
            self._ready(folder)
        except BaseException:
            self.db.close()
            raise

    def _ready(self, folder: str) -> None:
        """Make the schema on first use, or check that the file is of this format and folder."""
        db = self.db
        if db.execute("pragma user_version").fetchone()[0] != _VERSION:
            db.execute(f"pragma page_size = {_PAGE}")  # only a new file's (before WAL, which fixes it)
            db.execute("pragma journal_mode = wal")  # readers never wait for a writer
            db.execute("begin immediate")
            try:
                if db.execute("pragma user_version").fetchone()[0] != _VERSION:  # not another's doing
                    if db.execute("select count(*) from sqlite_master").fetchone()[0]:
                        raise Damaged("a file that is not this cache")
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            db.execute(statement)
                    db.executemany("insert into meta values (?, ?)", [("format", FORMAT), ("folder", folder)])
                    db.execute(f"pragma user_version = {_VERSION}")
                db.execute("commit")
            except BaseException:
                if db.in_transaction:
                    db.execute("rollback")
                raise
        db.execute("pragma synchronous = off")  # a cache: a crash may cost it, never a record
        meta = dict(db.execute("select key, value from meta").fetchall())
        if meta != {"format": FORMAT, "folder": folder}:
            raise Damaged("another format's or folder's cache")

    # ------------------------------------------------------------ month folders

    def folder(self, kind: str, month: str) -> Folder | None:
        """A month folder's row, when it has one."""
        row = self.db.execute(f"select {_FOLDER_COLUMNS} from folders where kind = ? and month = ?",
                              (kind, month)).fetchone()
        return None if row is None else _folder(row)

    def folders(self) -> dict[tuple[str, str], Folder]:
        """Every month folder's row, by (kind, month): a read of many folders asks once, not once each."""
        return {(row[0], row[1]): _folder(row) for row in self.db.execute(f"select {_FOLDER_COLUMNS} "
                                                                          "from folders")}

    def files(self, folder: int) -> dict[str, FileRow]:
        """Every name listed in a month folder when it was last read, with its row."""
        return {row[0]: row for row in self._files(folder, "")}

    def set_aside(self, folder: Folder) -> list[FileRow]:
        """A month folder's names a read reports: copies, unusable files, temp files."""
        return self._files(folder.id, _ASIDE) if folder.aside else []

    def _files(self, folder: int, where: str) -> list[FileRow]:
        """Rows of `files` for a folder, each checked against its CRC."""
        out: list[FileRow] = []
        for row in self.db.execute(f"select {_FILE_COLUMNS} from files where folder = ?{where}", (folder,)):
            if _file_crc(folder, *row[:6]) != row[6]:
                raise Damaged(f"file {row[0]!r}")
            out.append(row[:6])
        return out

    def month(self, folder: Folder) -> str:
        """Every record line of a month folder in its files' name order, joined by commas.

        One CRC for the whole text, kept in the folder's row: a warm read of a
        whole history checks ~60 texts, not a row a record.
        """
        text = self.db.execute(_MONTH, (folder.id,)).fetchone()[0] or ""
        if _line_crc(folder.id, text) != folder.lines_crc:
            raise Damaged(f"the records of folder {folder.id}")
        return text

    def ids(self, folder: Folder) -> list[str]:
        """The record ids a month folder's files hold (one per file), unchecked against the CRCs.

        A file under its own name holds the record its name says (scan.py
        flags it so only then), so its id is the name up to the first dot: one
        text of them all, joined by SQLite. Only a folder with files set
        aside may hold a record in a copy, whose id is cut from its line.
        """
        text = self.db.execute(_OWN_IDS, (folder.id,)).fetchone()[0]
        ids = text.split("/") if text else []
        if folder.aside:
            ids += [row[0] for row in self.db.execute(_COPIED_IDS, (folder.id, folder.id))]
        return ids

    def records(self, folder: int, kind: str, since: str | None = None,
                until: str | None = None) -> list[tuple[str, str]]:
        """(file name, line) of the records a month folder's files hold, dated from `since` to `until`."""
        if since is None and until is None:
            rows = self.db.execute("select name, line, crc from records where folder = ? order by name",
                                   (folder,))
        else:
            rows = self.db.execute("select name, line, crc from records where kind = ? and date >= ? "
                                   "and date <= ? and folder = ? order by name",
                                   (kind, since or "", until or "\uffff", folder))
        out: list[tuple[str, str]] = []
        for name, line, crc in rows:
            if _line_crc(folder, line) != crc:
                raise Damaged(f"a record in folder {folder}")
            out.append((name, line))
        return out

    def put_month(self, kind: str, month: str, seen: Folder | None, stamp: tuple[int, int], settled: bool,
                  files_read: int, dropped: Iterable[str], files: list[FileRow],
                  records: list[RecordRow]) -> None:
        """Store what a listing of a month folder found: rows of `dropped` names go, the new ones come.

        Written only if no one else wrote the folder's rows since they were
        read as `seen`; else, or when the file stays locked, nothing is
        written and the next read lists the folder again. A read's months go
        in one transaction (commit() ends it), given up every _HOLD_S so that
        another process's writes need not wait long.
        """
        db = self.db
        if not db.in_transaction:
            try:
                db.execute("begin immediate")
            except sqlite3.OperationalError:
                return
            self._began = time.monotonic()
        db.execute("savepoint month")
        try:
            now = self.folder(kind, month)
            if (now is None) != (seen is None) or (now is not None and seen is not None
                                                   and now.generation != seen.generation):
                raise _Skip
            generation = 0 if now is None else now.generation + 1
            if now is None:
                folder = int(db.execute("insert into folders (kind, month, mtime_ns, inode, settled, "
                                        "files_read, generation, aside, lines_crc, crc) "
                                        "values (?, ?, 0, 0, 0, 0, 0, 0, 0, 0)",
                                        (kind, month)).lastrowid or 0)
            else:
                folder = now.id
            gone = [(folder, name) for name in dropped]
            db.executemany("delete from files where folder = ? and name = ?", gone)
            db.executemany("delete from records where folder = ? and name = ?", gone)
            # In name order, as the tables keep them: a listing's order (a hash's, on ext4) puts each
            # row on a page of its own choosing, and costs twice the CPU.
            db.executemany("insert or replace into files values (?, ?, ?, ?, ?, ?, ?, ?)",
                           [(folder, *f, _file_crc(folder, *f)) for f in sorted(files)])
            records = sorted(records)
            db.executemany("insert or replace into records values (?, ?, ?, ?, ?, ?)",
                           [(folder, name, rkind, date, line, _line_crc(folder, line))
                            for name, rkind, date, line in records])
            # The month's text as a warm read will fetch it (cache.month), and its CRC: for a folder
            # new to the cache, its rows are these alone, in SQLite's order (code points are UTF-8's).
            if now is None:
                text = ",".join([row[3] for row in records])
                aside = sum(1 for f in files if f[4] != 0 or f[5] is not None)
            else:
                text = db.execute(_MONTH, (folder,)).fetchone()[0] or ""
                aside = db.execute(f"select count(*) from files where folder = ?{_ASIDE}",
                                   (folder,)).fetchone()[0]
            values = (stamp[0], stamp[1], int(settled), files_read, generation, aside,
                      _line_crc(folder, text))
            db.execute("update folders set mtime_ns = ?, inode = ?, settled = ?, files_read = ?, "
                       "generation = ?, aside = ?, lines_crc = ?, crc = ? where id = ?",
                       (*values, _crc((kind, month, *values)), folder))
        except (_Skip, UnicodeEncodeError, OverflowError):  # another's rows, or what SQLite cannot hold
            db.execute("rollback to month")
        db.execute("release month")
        if time.monotonic() - self._began > _HOLD_S:
            self.commit()

    def commit(self) -> None:
        """End a read's writes (put_month), so other processes see them."""
        if self.db.in_transaction:
            self.db.execute("commit")

    def rollback(self) -> None:
        """Drop a read's writes not committed yet (the read failed)."""
        if self.db.in_transaction:
            self.db.execute("rollback")

    # ------------------------------------------------------------ answers

    def answer(self, name: str, key: str) -> Any:
        """The answer kept under `name` when it was computed for `key`, else None."""
        row = self.db.execute("select key, value, crc from answers where name = ?", (name,)).fetchone()
        if row is None or row[0] != key:
            return None
        renew = self._checked(name, key, row[1], row[2])
        try:
            value = marshal.loads(row[1])
        except (ValueError, EOFError, TypeError):
            raise Damaged(f"answer {name!r}") from None
        self._renew([renew] if renew else [])
        return value

    def answers(self, prefix: str) -> dict[str, tuple[str, Any]]:
        """Every answer whose name starts with `prefix`: its (key, value) by name, in one query."""
        out = {}
        renew = []
        rows = self.db.execute("select name, key, value, crc from answers where name >= ? and name < ?",
                               (prefix, prefix + "\uffff"))
        for name, key, blob, crc in rows:
            found = self._checked(name, key, blob, crc)
            if found:
                renew.append(found)
            try:
                out[name] = (key, marshal.loads(blob))
            except (ValueError, EOFError, TypeError):
                raise Damaged(f"answer {name!r}") from None
        self._renew(renew)
        return out

    @staticmethod
    def _checked(name: str, key: str, blob: bytes, crc: int) -> tuple[int, str, str, int] | None:
        """Raise Damaged unless an answer's row holds what its CRC says; for an old row, its new CRC.

        A row kept before CRCs were taken over the blob's bytes is checked over
        its repr, as it was kept: the (new CRC, name, key, old CRC) returned
        are for _renew, so that its next read costs what any other's does.
        """
        if crc & _BLOB_CRC:
            if _answer_crc(name, key, blob) != crc:
                raise Damaged(f"answer {name!r}")
            return None
        if _crc((name, key, blob)) != crc:
            raise Damaged(f"answer {name!r}")
        return _answer_crc(name, key, blob), name, key, crc

    def _renew(self, rows: list[tuple[int, str, str, int]]) -> None:
        """Give old answer rows the CRC over their bytes, unless the file is busy (a read never waits)."""
        if not rows:
            return
        db = self.db
        db.execute("pragma busy_timeout = 0")
        try:
            db.executemany("update answers set crc = ? where name = ? and key = ? and crc = ?", rows)
        except sqlite3.OperationalError:
            pass  # busy: checked the old way again next time
        finally:
            db.execute(f"pragma busy_timeout = {int(_BUSY_S * 1000)}")

    def keep(self, name: str, key: str, value: Any) -> None:
        """Keep an answer for its key (a write that would wait too long is skipped)."""
        blob = marshal.dumps(value)
        try:
            self.db.execute("insert or replace into answers values (?, ?, ?, ?)",
                            (name, key, blob, _answer_crc(name, key, blob)))
        except sqlite3.OperationalError:
            pass

    def forget_answers(self) -> None:
        """Drop every kept answer (a verifying read trusts none)."""
        try:
            self.db.execute("delete from answers")
        except sqlite3.OperationalError:
            pass
