"""The connection under `bot.storage.Storage`: opening, pragmas, migrations and plumbing.

Writes run in autocommit mode or in an explicit `BEGIN IMMEDIATE … COMMIT`, serialised by one
asyncio lock, so interleaved coroutines never join or roll back each other's transactions.
Reads need no lock: one connection always sees its own committed writes.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

from bot.storage_schema import migrate
from bot.storage_types import iso


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

    @classmethod
    async def open(
        cls, path: str | Path, secret: bytes, clock: Callable[[], datetime] = utc_now
    ) -> Self:
        """Open (or create) the database at `path` (":memory:" allowed) at the latest schema."""
        if str(path) != ":memory:":
            await asyncio.to_thread(Path(path).parent.mkdir, parents=True, exist_ok=True)
        db = await aiosqlite.connect(path, isolation_level=None)
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
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA journal_mode=WAL")  # a no-op ("memory") for :memory:
        await db.execute("PRAGMA foreign_keys=ON")
        await db.execute("PRAGMA busy_timeout=5000")
        await db.execute("PRAGMA synchronous=NORMAL")
        storage = cls(db, secret, clock)
        await migrate(db, storage._now)
        return storage

    async def close(self) -> None:
        """Close the connection (a WAL checkpoint happens on the last close)."""
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

    def _now(self) -> str:
        return iso(self._clock())

    async def _insert(self, sql: str, params: tuple[Any, ...]) -> int:
        async with self._lock, self._db.execute(sql, params) as cursor:
            return cursor.lastrowid or 0

    async def _change(self, sql: str, params: tuple[Any, ...]) -> int:
        async with self._lock, self._db.execute(sql, params) as cursor:
            return cursor.rowcount

    async def _rows(self, sql: str, params: tuple[Any, ...] | Mapping[str, Any] = ()) -> list[Any]:
        async with self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

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
