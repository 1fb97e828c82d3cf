"""Load: thousands of updates from 500 people through the real Application, every one answered
exactly once, through a storage outage and through a restart in the middle of a run.

The fake Bot API runs in a child process (tests/loadprocess.py) and keeps each update until the
bot acknowledges it with a higher getUpdates `offset`, as Telegram does. Simulated people
(tests/crowd.py) each wait for their whole reply before sending the next message, so replies are
attributed per person without markers: a lost update leaves someone waiting (the bounded wait
fails), a duplicate shows as a surplus reply, a misattributed one as a reply that begins wrongly.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.dialogue import Brain
from tests.crowd_scripts import mix, scripts, writes
from tests.livebot import LiveBot, settings_for, start_bot
from tests.loadprocess import LoadRun, Report, load_run

pytestmark = pytest.mark.e2e

PEOPLE = 500
STEPS = 20  # 10,000 updates
RESTART_STEPS = 4  # 2,000 updates
WAIT = 180.0  # seconds for a whole run on a busy 2-core machine; every wait is bounded
HOLD = 2.0  # seconds a getUpdates answer is held, so that the bot stops with it in flight
# The flood guard must not drop anyone here: each person sends STEPS messages within a minute.
FLOOD_PER_MINUTE = 10 * STEPS
TOTAL_ROWS = "SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM feedback)"


async def count(bot: LiveBot) -> int:
    async with bot.storage._db.execute(TOTAL_ROWS) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def start(run: LoadRun, brain: Brain, db: Path) -> LiveBot:
    return await start_bot(settings_for(run.base_url(), FLOOD_PER_MINUTE), brain, db)


async def wait_until(run: LoadRun, answered: int) -> None:
    await asyncio.to_thread(run.wait_until, answered, WAIT)


def rows(db: Path) -> int:
    """Events and votes the file holds, read after the bot closed it."""
    with sqlite3.connect(db) as connection:
        return int(connection.execute(TOTAL_ROWS).fetchone()[0])


def assert_each_answered_once(report: Report, total: int) -> None:
    assert report.answered == total, "every update wholly answered"
    assert report.surplus == [], "a reply that no outstanding update explains: a duplicate"
    assert report.mismatched == [], "a reply that begins unlike the core's reply to that update"
    assert report.consent_problems == [], "the consent question once per person and run"
    assert report.pending == 0, "every update acknowledged: a next start gets none again"
    assert report.rejected == [] and report.unexpected == []


async def test_10000_updates_from_500_people_through_a_storage_outage_each_answered_once(
    brain: Brain, tmp_path: Path
):
    people = scripts(brain, PEOPLE, STEPS)
    total, kinds = sum(len(p.script) for p in people), mix(people)
    assert total == 10_000
    assert kinds["answer"] > 5000 and kinds["crisis"] >= 100 and kinds["abstain:empty"] >= 500
    assert kinds["abstain:unsure"] >= 400 and kinds["command"] >= 900, kinds
    assert kinds["button"] == kinds["vote"] == PEOPLE
    db = tmp_path / "helpdesk.sqlite3"
    with load_run(people) as run:
        bot = await start(run, brain, db)
        try:
            run.start()
            await wait_until(run, total // 4)
            await bot.storage._db.execute("PRAGMA query_only=ON")  # "readonly database"
            await wait_until(run, total // 2)
            await asyncio.wait_for(bot.recorder.flush(), WAIT)  # writes so far tried: failed
            outage = bot.recorder.failed
            await bot.storage._db.execute("PRAGMA query_only=OFF")
            await asyncio.wait_for(bot.recorder.flush(), WAIT)
            failed, kept = bot.recorder.failed, await count(bot)
            await wait_until(run, total)
        finally:
            await bot.stop()
        report = run.report()
    assert_each_answered_once(report, total)
    recorder = bot.recorder
    assert outage > 0, "the outage made writes fail"
    assert recorder.failed == failed, "only the outage made writes fail"
    assert rows(db) > kept, "recording recovered after the outage"
    assert rows(db) == recorder.written
    assert recorder.written + recorder.dropped + recorder.failed == writes(people)


async def test_a_restart_mid_run_loses_no_update_and_answers_none_twice(
    brain: Brain, tmp_path: Path
):
    people = scripts(brain, PEOPLE, RESTART_STEPS, seed=2)
    total, db = PEOPLE * RESTART_STEPS, tmp_path / "helpdesk.sqlite3"
    with load_run(people) as run:
        first = await start(run, brain, db)
        try:
            run.start()
            await wait_until(run, total // 2)
            run.hold_next_batch(HOLD)  # the next updates are on their way when the bot stops
            assert await asyncio.to_thread(run.wait_held, WAIT)
        finally:
            await first.stop()  # PTB acknowledges what it fetched, then answers its queue
        stopped_at = run.answered()
        run.next_generation()
        second = await start(run, brain, db)
        try:
            await wait_until(run, total)
        finally:
            await second.stop()
        report = run.report()
    assert_each_answered_once(report, total)
    assert total // 2 <= stopped_at < total, "the restart fell in the middle of the run"
    assert report.carried_over > 0, "updates in flight at the stop came again after the restart"
    recorders = (first.recorder, second.recorder)
    assert rows(db) == sum(r.written for r in recorders)
    assert sum(r.written + r.dropped + r.failed for r in recorders) == writes(people)
