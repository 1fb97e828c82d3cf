"""Storage writes off the answer path: a bounded queue and one background worker.

An answer must never wait for, or fail because of, the database. Adapters call the
`Recorder`'s methods, which only enqueue (no await, no exception). One task performs the writes
in order. When the queue is full the write is dropped and counted; when a write fails (read-only
file, locked database, disk I/O error, closed connection) it is logged without any user data,
counted, and the worker goes on, so recording resumes by itself once storage is back.

A locked database (another process writing) makes a write wait up to the storage's busy timeout
and then fail; only the worker waits. A deleted or replaced database file fails nothing in WAL
mode, so before a write the worker checks, every `check_every` seconds and after any failure,
that the path still names the open file, and reopens it if not (`Storage.reopen_if_moved`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from functools import partial

from bot.storage import Storage

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]
"""A write to perform later, e.g. `partial(storage.record_event, "answer", topic="signs")`."""

# sqlite3.Error covers aiosqlite's (it re-raises sqlite3's); ValueError is aiosqlite's
# "no active connection" after close; OSError a vanished directory or a full disk.
EXPECTED_FAILURES = (sqlite3.Error, ValueError, OSError)
_LOG_EVERY = 100
CHECK_EVERY = 5.0
"""Seconds between checks that the database file is still the one open (a few stat calls)."""


class Recorder:
    """Fire-and-forget writes to a `Storage`; read `written`, `dropped` and `failed` to monitor."""

    def __init__(
        self, storage: Storage, maxsize: int = 1000, check_every: float = CHECK_EVERY
    ) -> None:
        self._storage = storage
        self._queue: asyncio.Queue[Job] = asyncio.Queue(maxsize)
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._failing = 0
        self._check_every = check_every
        self._next_check = 0.0  # time.monotonic() of the next file check; 0 = before next write
        self.written = 0
        self.dropped = 0
        self.failed = 0

    def submit(self, job: Job) -> bool:
        """Queue a write; never blocks and never raises. Returns False if it was dropped."""
        if self._closed:
            self.dropped += 1
            return False
        try:
            self._queue.put_nowait(job)
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % _LOG_EVERY == 0:
                logger.warning("recorder queue full: %d writes dropped so far", self.dropped)
            return False
        return True

    def record_event(
        self,
        kind: str,
        *,
        topic: str | None = None,
        entry: str | None = None,
        score: float | None = None,
        lang: str | None = None,
        user_key: str | None = None,
    ) -> bool:
        """Queue `Storage.record_event`."""
        write = self._storage.record_event
        return self.submit(
            partial(
                write, kind, topic=topic, entry=entry, score=score, lang=lang, user_key=user_key
            )
        )

    def record_feedback(self, entry: str, vote: int, user_key: str | None = None) -> bool:
        """Queue `Storage.record_feedback`."""
        return self.submit(partial(self._storage.record_feedback, entry, vote, user_key))

    def add_gap(
        self, text: str, lang: str | None, reason: str, user_key: str | None = None
    ) -> bool:
        """Queue `Storage.add_gap` (which scrubs the text before it is written)."""
        return self.submit(partial(self._storage.add_gap, text, lang, reason, user_key))

    def audit(self, moderator_key: str, action: str, detail: str = "") -> bool:
        """Queue `Storage.audit`."""
        return self.submit(partial(self._storage.audit, moderator_key, action, detail))

    async def start(self) -> None:
        """Start the worker (idempotent); writes submitted earlier are kept and run."""
        if self._task is None:
            self._closed = False
            self._task = asyncio.create_task(self._work(), name="recorder")

    async def flush(self) -> None:
        """Wait until every write submitted so far has been attempted (tests, shutdown).

        Raises RuntimeError instead of waiting forever if the worker is not running.
        """
        if self._task is None:
            raise RuntimeError("recorder is not started")
        joined = asyncio.ensure_future(self._queue.join())
        await asyncio.wait({joined, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not joined.done():
            joined.cancel()
            raise RuntimeError("recorder worker ended with writes pending")

    async def stop(self, grace: float = 5.0) -> None:
        """Refuse new writes, drain the queue for at most `grace` seconds, stop the worker."""
        self._closed = True
        if self._task is None:
            return
        try:
            await asyncio.wait_for(self._queue.join(), grace)
        except TimeoutError:
            left = self._discard_pending()
            logger.warning("recorder stopped with %d writes not done", left)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    def _discard_pending(self) -> int:
        """Drop the queued writes (counted in `dropped`) so a later start begins clean."""
        left = 0
        while not self._queue.empty():
            self._queue.get_nowait()
            self._queue.task_done()
            left += 1
        self.dropped += left
        return left

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                await self._run(job)
            finally:
                self._queue.task_done()

    async def _run(self, job: Job) -> None:
        """Perform one write; a failure is counted and logged (type and reason only)."""
        try:
            await self._check_file()
            await job()
        except EXPECTED_FAILURES as exc:
            self._failed(exc)
        except Exception as exc:  # a bug must not end recording for the rest of the run
            logger.exception("unexpected error in a storage write")
            self._failed(exc, log=False)
        else:
            self.written += 1
            if self._failing:
                logger.info("storage writes recovered after %d failures", self._failing)
                self._failing = 0

    async def _check_file(self) -> None:
        """Follow the database file if it was deleted or replaced; at most every check_every s."""
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + self._check_every
        changed = await self._storage.reopen_if_moved()
        if changed:
            logger.error(
                "database files changed under the running bot (%s); reopened the database at"
                " its path and recording goes on there",
                changed,
            )

    def _failed(self, exc: BaseException, *, log: bool = True) -> None:
        self.failed += 1
        self._failing += 1
        self._next_check = 0.0  # the file itself may be the problem: look before the next write
        if log and (self._failing == 1 or self._failing % _LOG_EVERY == 0):
            logger.warning(
                "storage write failed (%s: %s); %d in a row, answers unaffected",
                type(exc).__name__,
                exc,
                self._failing,
            )
