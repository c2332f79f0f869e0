"""Writing many new record files at once from a few threads (the demo's years of history).

Making a file costs far more than reading one (a new inode and a directory
entry each, hundreds of microseconds on a busy disk), and the wait is in the
kernel, not in Python: a few threads overlap those waits with each other and
with preparing the next record. Each file is still written as `FolderStore.write`
writes it (never through a link, renamed into place whole); only their order
on disk is not the order they were saved in, which no reader depends on.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any

from huddle_tui.storage.envelope import Record
from huddle_tui.storage.folder import FolderStore

THREADS = 4
IN_FLIGHT = 512  # files prepared but not yet written, at most (bounds the memory they hold)


class BatchWriter:
    """A store's save() for new records of known versions, written by a few threads; close() waits."""

    def __init__(self, store: FolderStore, threads: int = THREADS) -> None:
        """Start the threads; nothing is written yet."""
        self.store = store
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="huddle-write")
        self._room = threading.BoundedSemaphore(IN_FLIGHT)
        self._failed: list[BaseException] = []

    def save(self, kind: str, record_id: str, day: str, payload: dict[str, Any], *,
             anonymous: bool = False, version: int) -> Record:
        """Prepare a record now and queue its file; the first failed write is raised here or at close."""
        self._raise_failed()
        record, data = self.store.prepare(kind, record_id, day, payload, anonymous=anonymous, version=version)
        self._room.acquire()
        future = self._pool.submit(self.store.write, record, data, anonymous=anonymous)
        future.add_done_callback(self._done)
        return record

    def _done(self, future: Future[Any]) -> None:
        """One write finished: make room for the next, and keep its failure."""
        self._room.release()
        error = future.exception()
        if error is not None:
            self._failed.append(error)

    def _raise_failed(self) -> None:
        """Raise the first failed write, if any."""
        if self._failed:
            raise self._failed[0]

    def close(self) -> None:
        """Wait for every queued file, then raise the first failed write, if any."""
        self._pool.shutdown(wait=True)
        self._raise_failed()

    def __enter__(self) -> BatchWriter:
        """Use as a context: close() at its end."""
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Wait for the queued files (their failure raised only when nothing else was)."""
        if error is None:
            self.close()
        else:
            self._pool.shutdown(wait=True)
