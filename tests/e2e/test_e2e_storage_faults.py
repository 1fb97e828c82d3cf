"""The running bot while another process holds the database's write lock."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import aiosqlite
import pytest

from bot.storage_base import BUSY_TIMEOUT_MS
from handlers.session import LOAD_TIMEOUT
from tests.e2e.conftest import Live, Person

pytestmark = pytest.mark.e2e

BUSY = BUSY_TIMEOUT_MS / 1000
QUESTION = "how do I recognise radicalisation?"  # one confident answer, one message


def events_at(path: Path) -> int:
    with closing(sqlite3.connect(path)) as db:
        return int(db.execute("SELECT COUNT(*) FROM events").fetchone()[0])


async def timed(person: Person, text: str) -> float:
    start = time.monotonic()
    await person.says(text)
    return time.monotonic() - start


async def test_answers_keep_coming_while_another_process_holds_the_write_lock(
    live: Live, tmp_path: Path
):
    path = tmp_path / "helpdesk.sqlite3"  # where the live fixture keeps the database
    known, newcomer = live.person(3001, "en"), live.person(3002, "en")
    await known.says("/help")  # saved choices loaded: their session is in memory now
    other = await aiosqlite.connect(path, isolation_level=None)
    try:
        await other.execute("BEGIN IMMEDIATE")
        assert await timed(known, QUESTION) < 1.0
        # A first contact reads saved choices; the read queues behind the write that is
        # waiting for the lock, so it gives up after LOAD_TIMEOUT and starts from defaults.
        assert await timed(newcomer, QUESTION) < min(LOAD_TIMEOUT + 1.0, BUSY)
        await other.execute("ROLLBACK")  # released within the busy timeout: nothing lost
    finally:
        await other.close()
    await known.says(QUESTION)
    await known.says("/help")  # updates are handled one by one: the answers above are recorded
    await asyncio.wait_for(live.recorder.flush(), timeout=BUSY + 5)
    assert (live.recorder.written, live.recorder.failed) == (3, 0)
    assert await asyncio.to_thread(events_at, path) == 3
