"""A person's rights, checked in the database file: /mydata shows every row, /forget erases them.

/privacy, /mydata and /forget are handled by handlers/privacy.py and handlers/commands.py; these
tests drive them with every kind of row a person can leave behind, hand-off tickets included.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dialogue import Brain
from tests import factories
from tests.handlers.modfakes import ModBot, handoff_settings, start, stop

USER = factories.USER_ID
OTHER = 2002
UNSURE = "mijn zoon luistert naar drill rap met geweld"


@pytest.fixture
async def bot(tmp_path: Path, brain: Brain) -> AsyncIterator[ModBot]:
    running = await start(tmp_path, brain, handoff_settings(hours=""))
    yield running
    await stop(running)


async def leave_traces(bot: ModBot, user_id: int) -> None:
    """Everything a person can leave: choices, a kept question, votes, events, a ticket."""
    await bot.feed(factories.callback("a:parent", user_id=user_id))
    await bot.feed(factories.message(UNSURE, user_id=user_id))
    await bot.feed(factories.callback("g:y", user_id=user_id))
    key = bot.storage.user_key(user_id)
    await bot.storage.record_event("answer", topic="signs", user_key=key)
    await bot.storage.record_feedback("signs-overview", 1, user_key=key)
    await bot.feed(factories.callback("ho", user_id=user_id))
    await bot.feed(factories.callback("hc:y", user_id=user_id))
    await bot.feed(factories.message("ik maak me zorgen", user_id=user_id))
    await bot.recorder.flush()


def rows_of(bot: ModBot, user_id: int) -> dict[str, int]:
    """Per table with a user column, the rows tied to `user_id` (by keyed hash or chat id)."""
    key, found = bot.storage.user_key(user_id), {}
    tables = [name for (name,) in bot.rows("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in tables:
        columns = {row[1] for row in bot.rows(f"PRAGMA table_info({table})")}
        if "user_key" in columns or "user_chat_id" in columns:
            where = " OR ".join([c + " = ?" for c in ("user_key", "user_chat_id") if c in columns])
            params = [v for c, v in (("user_key", key), ("user_chat_id", user_id)) if c in columns]
            found[table] = bot.rows(f"SELECT COUNT(*) FROM {table} WHERE {where}", *params)[0][0]  # noqa: S608
    found["ticket_messages"] = bot.rows(
        "SELECT COUNT(*) FROM ticket_messages WHERE ticket_id IN"
        " (SELECT id FROM tickets WHERE user_key = ?)",
        key,
    )[0][0]
    return found


async def test_forget_leaves_no_row_tied_to_the_person(bot: ModBot):
    await leave_traces(bot, USER)
    await leave_traces(bot, OTHER)
    before = rows_of(bot, USER)
    assert all(before[t] > 0 for t in ("preferences", "events", "feedback", "gaps", "tickets"))
    assert before["ticket_messages"] > 0
    await bot.feed(factories.message("/vergeet"))
    await bot.feed(factories.callback("fg:y"))
    await bot.recorder.flush()
    assert set(rows_of(bot, USER).values()) == {0}
    orphans = "SELECT COUNT(*) FROM ticket_messages WHERE ticket_id NOT IN (SELECT id FROM tickets)"
    assert bot.rows(orphans) == [(0,)]
    assert bot.app.user_data[USER] == {}
    assert rows_of(bot, OTHER) == before  # the other person did the same and keeps it all


async def test_mydata_sends_every_row_as_json(bot: ModBot):
    await leave_traces(bot, USER)
    await bot.feed(factories.message("/mydata"))
    [files] = bot.api.files
    name, content, _mime = files["document"]
    data = json.loads(content)
    assert name.endswith(".json")
    assert data["preferences"][0]["audience"] == "parent"
    assert [g["text"] for g in data["gaps"]] == [UNSURE]
    assert data["tickets"][0]["status"] == "open" and data["ticket_messages"]
    assert data["feedback"] and data["events"]
    counts = rows_of(bot, USER)
    assert {t: len(data[t]) for t in counts} == counts
    assert "ik maak me zorgen" not in content.decode()  # relayed words are never stored
