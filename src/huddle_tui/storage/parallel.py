"""Scanning many cold month folders on two cores: a forked reader works from the back of the list.

A read that finds no stored scan for a month folder (no index yet, a
verifying read, the private store, a whole history after the cache was
cleared) must open, checksum and validate every file in it: about 30 µs a
file, all of it Python, on one core. `scans` hands such months out in the
order the caller merges them and, where it is safe and pays, forks one
child that scans the same list from its far end while this process scans
from the front; whichever is faster does more months.

- The child only lists and parses month folders with the caller's own scan
  function (scan.scan_month), and sends each scan over a pipe as a frame:
  its length, then (job index, the scan as plain tuples) marshalled. It
  never writes a file, stdout or stderr, imports nothing (hashlib is
  imported before the fork: an import takes a lock) and ends with os._exit,
  whatever happens.
- Here a thread reads the pipe as the frames come (a month of a 200-member
  team is a 1.5 MB frame, more than a pipe holds), and a frame is taken
  only whole and well formed; any month not taken is scanned here. Once
  this process reaches a month the child has sent, every later one is sent
  too (the child works backwards), so the child is killed (its pid cannot
  be reused before it is reaped) and always reaped with waitpid. A child
  that dies, hangs, is killed or sends garbage costs time, never a result.
- Scans are yielded in the list's order, records rebuilt as Records: the
  caller merges, indexes and remembers them exactly as on the serial path,
  so the history and the index files are the same as a serial read's.
- It forks only on Linux, only while no other thread runs (a fork copies
  locks other threads hold; the app reads in its IO worker thread, so it
  always reads serially) and only for at least _MIN_MONTHS cold month
  folders. Measured on 2 cores, 12 members: 6 folders (~500 files) read in
  the same time either way for 60% more CPU; 12 folders (~1,000 files)
  in 0.7 of the time.

Cost: about a fifth more CPU than a serial read (the child's marshalling,
this process's unmarshalling, a month both may scan where they meet); on
a machine whose other core is busy it gains nothing. Stdlib only.
"""

from __future__ import annotations

import marshal
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Generator, Sequence
from typing import TypeVar

from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.scan import MonthScan

Job = TypeVar("Job")
_MIN_MONTHS = 12  # fewer cold month folders (of a 12-member team: ~1,000 files) do not pay for a fork
_HEAD = 8  # a frame's length, big-endian, before its marshalled (index, scan)
_PIPE_BYTES = 1 << 20  # a roomy pipe: fewer, larger reads
_F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ (Linux), named here so fcntl need not be imported
_new = tuple.__new__


def scans(jobs: Sequence[Job],
          scan: Callable[[Job], MonthScan | None]) -> Generator[MonthScan | None, None, None]:
    """scan(job) for each job in order, half of them scanned by a forked child where that pays."""
    pid, pipe = _fork(jobs, scan) if _worth_forking(len(jobs)) else (0, -1)
    if not pid:
        yield from map(scan, jobs)
        return
    got: dict[int, MonthScan] = {}
    try:
        frames = _Frames(pipe, len(jobs))
    except RuntimeError:  # no thread to be had: the child is not needed
        _reap(pid, kill=True)
        os.close(pipe)
        yield from map(scan, jobs)
        return
    try:
        for i, job in enumerate(jobs):
            if i not in got:
                got.update(frames.drain())
            found = got.pop(i, None)
            if found is None:
                yield scan(job)
                continue
            if pid:
                pid = _reap(pid, kill=True)  # every later month is in `got`: the child's work is done
            yield found
    finally:
        if pid:
            _reap(pid, kill=True)
        frames.close()


def _worth_forking(cold: int) -> bool:
    """Whether forking a reader is safe and pays here: Linux, one thread, enough cold months."""
    if cold < _MIN_MONTHS or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    import threading  # only now: the scripted commands that never read much do not pay for it

    return threading.active_count() == 1


def _fork(jobs: Sequence[Job], scan: Callable[[Job], MonthScan | None]) -> tuple[int, int]:
    """Start the child scanning `jobs` from the back; (its pid, the pipe's read end), or (0, -1)."""
    if envelope._sha256 is None:
        envelope._openssl_sha256()  # the child imports nothing: an import takes a lock
    try:
        r, w = os.pipe()
    except OSError:
        return 0, -1
    try:
        try:
            import fcntl

            fcntl.fcntl(w, _F_SETPIPE_SZ, _PIPE_BYTES)
        except OSError:
            pass  # a smaller pipe only makes the child wait more
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return 0, -1
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.close(r)
            _child(jobs, scan, w)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def _child(jobs: Sequence[Job], scan: Callable[[Job], MonthScan | None], w: int) -> None:
    """Scan the jobs from the last to the first, each one's frame written whole as soon as it is done."""
    for i in range(len(jobs) - 1, -1, -1):
        found = scan(jobs[i])
        if found is None:
            continue  # gone: the parent finds it gone too
        view = memoryview(_frame(i, found))
        while view:
            view = view[os.write(w, view):]


def _frame(i: int, scan: MonthScan) -> bytes:
    """Job i's scan as the child sends it: its length, then (i, the scan as plain tuples) marshalled."""
    body = marshal.dumps((i, (scan.stamp, scan.settled, [tuple(r) for r in scan.records], scan.others,
                              scan.files_read, scan.reuse)))
    return len(body).to_bytes(_HEAD, "big") + body


class _Frames:
    """The child's frames, read off the pipe by a thread as they come, and taken only whole.

    A month of a big team is a frame larger than a pipe holds: read only
    between this process's own months, the pipe would keep the child waiting.
    """

    def __init__(self, pipe: int, count: int) -> None:
        """Start reading `pipe` until the child closes it (or dies); frames index jobs below `count`."""
        self.pipe = pipe
        self.count = count
        self.chunks: deque[bytes] = deque()
        self.buffer = bytearray()
        self.broken = False
        import threading

        self.reader = threading.Thread(target=self._read, name="huddle-month-reader", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        """The thread: every chunk the pipe gives, in order, until it ends."""
        while True:
            try:
                chunk = os.read(self.pipe, _PIPE_BYTES)
            except OSError:
                return
            if not chunk:
                return
            self.chunks.append(chunk)

    def drain(self) -> dict[int, MonthScan]:
        """The scans of every whole frame read so far (none after a malformed one)."""
        buffer = self.buffer
        while self.chunks:
            buffer += self.chunks.popleft()
        found: dict[int, MonthScan] = {}
        start = 0
        while not self.broken and len(buffer) - start >= _HEAD:
            end = start + _HEAD + int.from_bytes(buffer[start:start + _HEAD], "big")
            if end > len(buffer):
                break
            item = _scan_of(bytes(buffer[start + _HEAD:end]), self.count)
            if item is None:  # nothing after it can be trusted either
                self.broken = True
                break
            found[item[0]] = item[1]
            start = end
        del buffer[:start]
        return found

    def close(self) -> None:
        """Wait for the thread (the child is gone, so the pipe has ended) and close the pipe."""
        self.reader.join()
        os.close(self.pipe)


def _scan_of(frame: bytes, count: int) -> tuple[int, MonthScan] | None:
    """A frame's (job index, scan), or None unless it is exactly what _child sends."""
    try:
        i, (stamp, settled, records, others, files_read, reuse) = marshal.loads(frame)
        if not (i.__class__ is int and 0 <= i < count and records.__class__ is list
                and others.__class__ is list and reuse.__class__ is bytes and files_read.__class__ is int
                and all(r.__class__ is tuple and len(r) == len(Record._fields) for r in records)):
            return None
        return i, MonthScan(stamp, settled, [_new(Record, r) for r in records], others, files_read, reuse)
    except (ValueError, EOFError, TypeError):
        return None


def _reap(pid: int, *, kill: bool) -> int:
    """Kill (if asked) and wait for the child, so no zombie is left; 0, for the caller's pid."""
    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    while True:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        except InterruptedError:  # pragma: no cover - retried by Python itself since 3.5
            continue
        return 0
