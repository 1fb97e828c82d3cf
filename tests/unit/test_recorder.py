"""Recorder: storage failures never stop an answer, and recording recovers by itself.

Also: a process killed mid-burst leaves a database that opens clean.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path

import aiosqlite
import pytest

from bot.recorder import Recorder
from bot.storage import Storage

SECRET = b"test-secret-not-for-production"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def storage(tmp_path):
    async with await Storage.open(str(tmp_path / "helpdesk.sqlite3"), SECRET) as store:
        yield store


@pytest.fixture
async def recorder(storage):
    rec = Recorder(storage)
    await rec.start()
    yield rec
    await rec.stop()


async def count(store: Storage, table: str = "events") -> int:
    async with store._db.execute(f"SELECT COUNT(*) FROM {table}") as cursor:  # noqa: S608 - test constant
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


def answer(recorder: Recorder, user_key: str) -> str:
    """What a handler does: answer first, record on the side."""
    recorder.record_event(
        "answer", topic="signs", entry="e1", score=90.0, lang="nl", user_key=user_key
    )
    return "het antwoord"


async def test_a_thousand_events_from_fifty_tasks_are_all_written(storage, recorder):
    async def user(n: int) -> None:
        for _ in range(20):
            assert recorder.record_event("answer", topic=f"t{n % 5}", lang="nl", user_key=f"u{n}")
            await asyncio.sleep(0)  # yield so the fifty users interleave

    await asyncio.gather(*(user(n) for n in range(50)))
    await recorder.flush()
    assert await count(storage) == 1000
    assert (recorder.written, recorder.dropped, recorder.failed) == (1000, 0, 0)


async def test_writes_beyond_the_queue_bound_are_dropped_and_counted(storage):
    rec = Recorder(storage, maxsize=3)
    accepted = [rec.record_event("answer") for _ in range(5)]
    assert accepted == [True, True, True, False, False]
    assert rec.dropped == 2
    await rec.start()
    await rec.flush()
    await rec.stop()
    assert await count(storage) == 3


async def test_read_only_storage_never_stops_answers_and_recording_recovers(tmp_path, caplog):
    db = await aiosqlite.connect(tmp_path / "db.sqlite3", isolation_level=None)
    store = await Storage.from_connection(db, SECRET)
    rec = Recorder(store)
    await rec.start()
    key = store.user_key(987_654_321)
    await db.execute(
        "PRAGMA query_only=ON"
    )  # a real failure: "attempt to write a readonly database"
    with caplog.at_level(logging.WARNING, logger="bot.recorder"):
        assert [answer(rec, key) for _ in range(10)] == ["het antwoord"] * 10
        rec.add_gap("mijn zoon Adam", "nl", "abstain", key)
        await rec.flush()
    assert (rec.failed, rec.written) == (11, 0)
    assert "readonly" in caplog.text
    assert key not in caplog.text and "Adam" not in caplog.text
    assert len(caplog.records) == 1  # one warning per failure streak, not per write
    await db.execute("PRAGMA query_only=OFF")
    with caplog.at_level(logging.INFO, logger="bot.recorder"):
        assert [answer(rec, key) for _ in range(5)] == ["het antwoord"] * 5
        await rec.flush()
    assert "recovered after 11 failures" in caplog.text
    assert (rec.failed, rec.written) == (11, 5)
    assert await count(store) == 5
    await db.execute("PRAGMA query_only=ON")  # a second outage is reported afresh
    with caplog.at_level(logging.WARNING, logger="bot.recorder"):
        caplog.clear()
        answer(rec, key)
        await rec.flush()
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    await rec.stop()
    await store.close()


async def test_a_closed_connection_is_counted_as_a_failure_not_raised(tmp_path):
    store = await Storage.open(str(tmp_path / "db.sqlite3"), SECRET)
    rec = Recorder(store)
    await rec.start()
    await store.close()
    assert rec.record_feedback("e1", 1) is True
    await rec.flush()
    assert (rec.failed, rec.written) == (1, 0)
    await rec.stop()


async def test_an_unexpected_error_in_one_write_does_not_end_recording(storage, recorder):
    async def buggy() -> None:
        raise TypeError("a bug")

    recorder.submit(buggy)
    recorder.audit(storage.user_key(42), "reload", "entries=3")
    await recorder.flush()
    assert (recorder.failed, recorder.written) == (1, 1)
    assert await count(storage, "audit_log") == 1


async def test_stop_drains_pending_writes_then_refuses_new_ones(storage):
    rec = Recorder(storage)
    await rec.start()
    for _ in range(50):
        rec.record_event("answer")
    await rec.stop()
    assert await count(storage) == 50
    assert rec.record_event("answer") is False
    assert rec.dropped == 1


async def test_stop_gives_up_on_a_hung_write_after_the_grace_period(storage):
    rec = Recorder(storage)
    await rec.start()
    never = asyncio.Event()
    rec.submit(never.wait)
    rec.record_event("answer")
    await asyncio.wait_for(rec.stop(grace=0.05), timeout=5)
    assert rec.dropped == 1


async def test_flush_before_start_is_an_error_not_a_hang(storage):
    with pytest.raises(RuntimeError, match="not started"):
        await Recorder(storage).flush()


CHILD = """
import asyncio, sys
from bot.storage import Storage

async def main(path):
    store = await Storage.open(path, b"child-secret")
    n = 0
    while True:
        key = store.user_key(n)
        await store.record_event("answer", topic="signs", entry="e1", score=88.5, lang="nl",
                                 user_key=key)
        ticket = await store.open_ticket(n, key)
        await store.link_ticket_message(ticket, n)
        if n % 2:
            await store.close_ticket(ticket)
        n += 1
        if n % 100 == 0:
            print(n, flush=True)

asyncio.run(main(sys.argv[1]))
"""


async def test_a_process_killed_mid_burst_leaves_a_consistent_database(tmp_path):
    path = tmp_path / "crash.sqlite3"
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, str(path), cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert child.stdout is not None
    try:
        for _ in range(3):  # let it get well into the burst (about 0.3 s), then kill
            assert (await asyncio.wait_for(child.stdout.readline(), timeout=30)).strip()
    finally:
        child.kill()
        assert await asyncio.wait_for(child.wait(), timeout=10) == -signal.SIGKILL
    async with await Storage.open(str(path), SECRET) as store:
        assert await store.integrity_check() == "ok"
        assert await count(store) >= 300
        db = store._db
        incomplete = (
            "SELECT COUNT(*) FROM events WHERE at IS NULL OR kind IS NULL OR topic IS NULL"
            " OR entry IS NULL OR score IS NULL OR lang IS NULL OR user_key IS NULL"
        )
        torn_tickets = (  # a close is one transaction: status, closed_at and chat id together
            "SELECT COUNT(*) FROM tickets WHERE NOT ((status = 'open' AND closed_at IS NULL"
            " AND user_chat_id IS NOT NULL) OR (status = 'closed' AND closed_at IS NOT NULL"
            " AND user_chat_id IS NULL))"
        )
        for sql in (incomplete, torn_tickets):
            async with db.execute(sql) as cursor:
                assert [tuple(row) for row in await cursor.fetchall()] == [(0,)], sql
        async with db.execute("PRAGMA foreign_key_check") as cursor:
            assert await cursor.fetchall() == []
