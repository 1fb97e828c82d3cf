"""The database locked by another process, or its files deleted or replaced, mid-run.

Answers never wait for storage (the Recorder only enqueues). What these tests pin is what
happens to the writes: a lock is waited out up to the busy timeout, then the write fails,
is counted and logged, and recording resumes when the lock goes. A deleted or replaced file
fails nothing in WAL mode, so the Recorder notices it by checking the path and reopens.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import aiosqlite
import pytest

from bot.recorder import Recorder
from bot.storage import Storage
from bot.storage_base import BUSY_TIMEOUT_MS

SECRET = b"test-secret-not-for-production"
ANSWER = "het antwoord"


def answer(recorder: Recorder, user_key: str) -> str:
    """What a handler does: answer first, record on the side."""
    recorder.record_event("answer", topic="signs", entry="e1", lang="nl", user_key=user_key)
    return ANSWER


def rows_at(path: Path, table: str = "events") -> int:
    """Rows another process finds at `path`: proves where the writes really went."""
    with closing(sqlite3.connect(path)) as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608 - test constant


def delete(path: Path, *suffixes: str) -> None:
    """What an operator's `rm` does to the files under the running bot."""
    for suffix in suffixes:
        Path(f"{path}{suffix}").unlink()


def wal_bytes(path: Path) -> int:
    return Path(f"{path}-wal").stat().st_size


def integrity_at(path: Path) -> str:
    with closing(sqlite3.connect(path)) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "helpdesk.sqlite3"


@pytest.fixture
async def store(path: Path) -> AsyncIterator[Storage]:
    opened = await Storage.open(path, SECRET)
    yield opened
    await opened.close()


@pytest.fixture
async def recorder(store: Storage) -> AsyncIterator[Recorder]:
    """Checks the file before every write (production: every CHECK_EVERY seconds)."""
    rec = Recorder(store, check_every=0)
    await rec.start()
    yield rec
    await rec.stop()


@pytest.fixture
async def other(store: Storage, path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """Another process's connection; in WAL mode only its write transaction blocks writers."""
    db = await aiosqlite.connect(path, isolation_level=None)
    yield db
    await db.close()


# --- locked ---------------------------------------------------------------------------------


async def test_a_locked_database_fails_writes_after_the_busy_timeout_and_recording_recovers(
    store, recorder, other, path, caplog
):
    await store._db.execute("PRAGMA busy_timeout=100")  # BUSY_TIMEOUT_MS, shortened
    key = store.user_key(4242)
    await other.execute("BEGIN IMMEDIATE")
    with caplog.at_level(logging.WARNING, logger="bot.recorder"):
        assert [answer(recorder, key) for _ in range(5)] == [ANSWER] * 5
        await asyncio.wait_for(recorder.flush(), timeout=10)
    assert (recorder.failed, recorder.written) == (5, 0)
    assert "database is locked" in caplog.text
    assert len(caplog.records) == 1  # one warning per failure streak
    await other.execute("ROLLBACK")
    with caplog.at_level(logging.INFO, logger="bot.recorder"):
        assert [answer(recorder, key) for _ in range(3)] == [ANSWER] * 3
        await recorder.flush()
    assert "recovered after 5 failures" in caplog.text
    assert (recorder.failed, recorder.written) == (5, 3)
    assert await asyncio.to_thread(rows_at, path) == 3


async def test_a_lock_shorter_than_the_busy_timeout_loses_no_write(store, recorder, other):
    assert [tuple(row) for row in await store._rows("PRAGMA busy_timeout")] == [(BUSY_TIMEOUT_MS,)]
    await other.execute("BEGIN IMMEDIATE")
    for _ in range(3):
        answer(recorder, store.user_key(7))
    flushing = asyncio.ensure_future(recorder.flush())
    done, _ = await asyncio.wait({flushing}, timeout=0.3)
    assert not done, "the writes wait for the lock instead of failing at once"
    await other.execute("COMMIT")
    await asyncio.wait_for(flushing, timeout=5)
    assert (recorder.failed, recorder.written) == (0, 3)


# --- deleted or replaced files ----------------------------------------------------------


async def test_deleted_database_files_are_recreated_at_the_path_and_recording_goes_on(
    store, recorder, path, caplog
):
    key = store.user_key(11)
    answer(recorder, key)
    await recorder.flush()
    delete(path, "", "-wal", "-shm")
    with caplog.at_level(logging.WARNING, logger="bot.recorder"):
        assert [answer(recorder, key) for _ in range(4)] == [ANSWER] * 4
        await recorder.flush()
    [error] = caplog.records
    assert error.levelname == "ERROR"
    assert "helpdesk.sqlite3 deleted" in error.getMessage()
    assert await asyncio.to_thread(rows_at, path) == 4, "new writes reach the file at the path"
    assert await asyncio.to_thread(integrity_at, path) == "ok"
    assert (recorder.failed, recorder.written) == (0, 5)


async def test_a_deleted_data_folder_is_created_again_like_at_a_start(store, recorder, path):
    shutil.rmtree(path.parent)
    answer(recorder, store.user_key(12))
    await recorder.flush()
    assert await asyncio.to_thread(rows_at, path) == 1


async def test_deleted_wal_and_shm_files_lose_no_rows(store, recorder, path, caplog):
    for _ in range(5):
        answer(recorder, store.user_key(13))
    await recorder.flush()
    assert wal_bytes(path) > 0, "the rows are still only in the WAL"
    delete(path, "-wal", "-shm")
    with caplog.at_level(logging.ERROR, logger="bot.recorder"):
        for _ in range(5):
            answer(recorder, store.user_key(13))
        await recorder.flush()
    assert "helpdesk.sqlite3-wal deleted" in caplog.text
    assert await asyncio.to_thread(rows_at, path) == 10
    assert await asyncio.to_thread(integrity_at, path) == "ok"


async def test_a_backup_moved_over_the_database_is_adopted_without_replaying_the_old_wal(
    store, recorder, path
):
    for _ in range(2):
        answer(recorder, store.user_key(14))
    await recorder.flush()
    backup = path.parent / "backup.sqlite3"
    await store.backup(backup)
    for _ in range(3):  # rows only the old file (and its -wal) has
        answer(recorder, store.user_key(14))
    await recorder.flush()
    os.replace(backup, path)  # a restore while the bot runs
    answer(recorder, store.user_key(14))
    await recorder.flush()
    assert await asyncio.to_thread(rows_at, path) == 2 + 1, "the backup plus the new write"
    assert await asyncio.to_thread(integrity_at, path) == "ok"
    assert await store.integrity_check() == "ok"


async def test_a_database_that_cannot_be_reopened_fails_writes_until_it_can(
    store, recorder, path, caplog
):
    shutil.rmtree(path.parent)
    path.parent.write_text("not a folder")  # works as root too, unlike a read-only folder
    with caplog.at_level(logging.WARNING, logger="bot.recorder"):
        assert [answer(recorder, store.user_key(15)) for _ in range(3)] == [ANSWER] * 3
        await recorder.flush()
    assert (recorder.failed, recorder.written) == (3, 0)
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    path.parent.unlink()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.recorder"):
        answer(recorder, store.user_key(15))
        await recorder.flush()
    assert (recorder.failed, recorder.written) == (3, 1)
    assert "reopened the database" in caplog.text
    assert "recovered after 3 failures" in caplog.text
    assert await asyncio.to_thread(rows_at, path) == 1


async def test_a_closed_storage_is_not_reopened_behind_its_owners_back(path):
    store = await Storage.open(path, SECRET)
    await store.close()  # the last close removes -wal and -shm: not a fault
    assert await store.reopen_if_moved() == ""
