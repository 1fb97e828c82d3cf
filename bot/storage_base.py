"""The connection under `bot.storage.Storage`: opening, pragmas, migrations and plumbing.

Writes run in autocommit mode or in an explicit `BEGIN IMMEDIATE … COMMIT`, serialised by one
asyncio lock, so interleaved coroutines never join or roll back each other's transactions.
Reads need no lock: one connection always sees its own committed writes.

If the file is deleted or replaced under the running process (see `bot.storage_file`),
`reopen_if_moved` closes the connection and opens whatever the path names now, as a start would.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

from bot.storage_file import Identity, changes, identity, remove_stale
from bot.storage_schema import migrate
from bot.storage_types import iso

BUSY_TIMEOUT_MS = 5000
"""How long a statement waits for another process's write lock (`helpdesk db purge`) before it
fails with "database is locked". Writes are off the answer path, so the wait costs no answer."""


def utc_now() -> datetime:
    """The default clock; tests inject their own."""
    return datetime.now(UTC)


def keyed_hash(secret: bytes, user_id: int) -> str:
    """HMAC-SHA256 of a Telegram id: stable per secret, useless without it."""
    return hmac.new(secret, str(user_id).encode("ascii"), hashlib.sha256).hexdigest()


class StorageBase:
    """One aiosqlite connection at the latest schema. Build with `open` or `from_connection`."""

    def __init__(
        self, db: aiosqlite.Connection, secret: bytes, clock: Callable[[], datetime]
    ) -> None:
        if not secret:
            raise ValueError("storage secret must not be empty")
        self._db = db
        self._secret = secret
        self._clock = clock
        self._lock = asyncio.Lock()
        self._path = ""  # the file to follow; "" for ":memory:" and once closed
        self._files: Identity = ()

    @classmethod
    async def open(
        cls, path: str | Path, secret: bytes, clock: Callable[[], datetime] = utc_now
    ) -> Self:
        """Open (or create) the database at `path` (":memory:" allowed) at the latest schema."""
        db = await _connect(path)
        try:
            return await cls.from_connection(db, secret, clock)
        except BaseException:
            await db.close()
            raise

    @classmethod
    async def from_connection(
        cls, db: aiosqlite.Connection, secret: bytes, clock: Callable[[], datetime] = utc_now
    ) -> Self:
        """Adopt an open connection: the seam tests use to inject real faults (query_only).

        The connection must be in autocommit mode (`aiosqlite.connect(path,
        isolation_level=None)`): transactions are explicit here, never implicit.
        """
        if db.isolation_level is not None:
            raise ValueError("connect with isolation_level=None: storage manages transactions")
        storage = cls(db, secret, clock)
        await storage._prepare(db)
        return storage

    async def reopen_if_moved(self) -> str:
        """Reopen the database if its path no longer names the files open here; say what changed.

        Returns "" when nothing changed. A deleted database is followed by a new, empty one at
        the path; a replaced one (a restored backup moved into place) is adopted. Neither is
        filled from the old connection: a deleted database may have been erased on purpose.
        The old connection is closed first: that checkpoints its WAL into its file when only
        -wal/-shm were deleted, so no row is lost; when the database file itself changed, the
        old -wal/-shm are removed so they are never replayed into the new file.
        """
        if not self._path:
            return ""
        now = await asyncio.to_thread(identity, self._path)
        if now == self._files:
            return ""
        async with self._lock:
            before = self._files
            with contextlib.suppress(sqlite3.Error, ValueError, OSError):
                await self._db.close()  # its file may be gone; the new one is what matters
            if now[0] != before[0]:
                await asyncio.to_thread(remove_stale, self._path, before)
            db = await _connect(self._path)
            try:
                await self._prepare(db)
            except BaseException:  # e.g. a read-only folder: try again at the next check
                await db.close()
                raise
        return changes(self._path, before, now)  # the new files may reuse freed inode numbers

    async def close(self) -> None:
        """Close the connection (a WAL checkpoint happens on the last close)."""
        self._path = ""  # closed on purpose: nothing to follow or reopen
        await self._db.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def user_key(self, user_id: int) -> str:
        """The only form in which a user (or moderator) id is stored."""
        return keyed_hash(self._secret, user_id)

    # -- plumbing ---------------------------------------------------------------------------

    async def _prepare(self, db: aiosqlite.Connection) -> None:
        """Pragmas and migrations on a new connection, then adopt it and note its files."""
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA journal_mode=WAL")  # a no-op ("memory") for :memory:
        await db.execute("PRAGMA foreign_keys=ON")
        await db.execute("PRAGMA busy_timeout=5000")  # BUSY_TIMEOUT_MS (SQL is never built)
        await db.execute("PRAGMA synchronous=NORMAL")
        await migrate(db, self._now)
        async with db.execute("PRAGMA database_list") as cursor:
            self._path = next((row[2] for row in await cursor.fetchall() if row[1] == "main"), "")
        self._files = await asyncio.to_thread(identity, self._path) if self._path else ()
        self._db = db

    def _now(self) -> str:
        return iso(self._clock())

    async def _insert(self, sql: str, params: tuple[Any, ...]) -> int:
        async with self._lock, self._db.execute(sql, params) as cursor:
            return cursor.lastrowid or 0

    async def _change(self, sql: str, params: tuple[Any, ...]) -> int:
        async with self._lock, self._db.execute(sql, params) as cursor:
            return cursor.rowcount

    async def _rows(self, sql: str, params: tuple[Any, ...] | Mapping[str, Any] = ()) -> list[Any]:
        # One step on the connection's thread, not execute + fetch + close: a reader that gives
        # up (a timeout on the answer path) is let go at once, instead of queueing a cursor close
        # behind a write that is waiting for another process's lock.
        return list(await self._db.execute_fetchall(sql, params))

    async def _row(self, sql: str, params: tuple[Any, ...]) -> Any:
        rows = await self._rows(sql, params)
        return rows[0] if rows else None

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """All-or-nothing block; IMMEDIATE takes the write lock up front (no upgrade deadlock)."""
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")


async def _connect(path: str | Path) -> aiosqlite.Connection:
    """An autocommit connection; the folder is created first, as it is at every start."""
    if str(path) != ":memory:":
        await asyncio.to_thread(Path(path).parent.mkdir, parents=True, exist_ok=True)
    return await aiosqlite.connect(path, isolation_level=None)
