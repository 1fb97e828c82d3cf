"""Storage: schema and migrations, privacy rights, retention, tickets, statistics."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite
import pytest

from bot.storage import MAX_GAP_CHARS, Storage, keyed_hash
from bot.storage_schema import (
    LATEST_VERSION,
    MIGRATIONS,
    USER_COLUMNS,
    USER_ROWS,
    migrate,
    schema_version,
)
from bot.storage_types import Preferences

SECRET = b"test-secret-not-for-production"
ALICE, BOB = 987_654_321, 123_456_789


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def storage(clock):
    async with await Storage.open(":memory:", SECRET, clock) as store:
        yield store


async def scalar(store: Storage, sql: str, params=()) -> Any:
    async with store._db.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return row[0]


async def schema_of(db: aiosqlite.Connection) -> set[str]:
    sql = "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name != 'schema_version'"
    async with db.execute(sql) as cursor:
        return {row[0] for row in await cursor.fetchall()}


async def columns(db, table: str) -> list[str]:
    async with db.execute("SELECT name FROM pragma_table_info(?)", (table,)) as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def tables(db) -> list[str]:
    sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    async with db.execute(sql) as cursor:
        return [row[0] for row in await cursor.fetchall()]


# -- opening and migrations -----------------------------------------------------------------


async def test_fresh_file_database_is_created_at_latest_version_in_wal_mode(tmp_path, clock):
    path = tmp_path / "missing" / "folder" / "helpdesk.sqlite3"
    async with await Storage.open(str(path), SECRET, clock) as store:
        assert await scalar(store, "SELECT MAX(version) FROM schema_version") == LATEST_VERSION
        assert await scalar(store, "PRAGMA journal_mode") == "wal"
        assert await scalar(store, "PRAGMA foreign_keys") == 1
        assert await scalar(store, "PRAGMA busy_timeout") == 5000
        assert await scalar(store, "PRAGMA synchronous") == 1  # NORMAL
    assert path.exists()


@pytest.mark.parametrize("version", range(LATEST_VERSION))
async def test_database_at_each_earlier_version_upgrades_and_keeps_its_data(
    tmp_path, clock, version
):
    path = tmp_path / "old.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as db:
        assert (
            await migrate(db, lambda: "2025-01-01T00:00:00+00:00", MIGRATIONS[:version]) == version
        )
        if version >= 1:
            await db.execute(
                "INSERT INTO events (at, kind, topic) VALUES ('2025-01-01T00:00:00+00:00', 'answer', 'signs')"
            )
    async with await Storage.open(str(path), SECRET, clock) as store:
        assert await scalar(store, "SELECT MAX(version) FROM schema_version") == LATEST_VERSION
        assert await scalar(store, "SELECT COUNT(*) FROM events") == (1 if version else 0)
        upgraded = await schema_of(store._db)
    async with await Storage.open(":memory:", SECRET, clock) as fresh:
        assert upgraded == await schema_of(fresh._db)


async def test_a_failing_migration_changes_nothing(tmp_path):
    broken = (*MIGRATIONS[:1], "CREATE TABLE half_done (a);\nCREATE TABLE events (a);")
    async with aiosqlite.connect(tmp_path / "db.sqlite3", isolation_level=None) as db:
        await migrate(db, lambda: "2025-01-01T00:00:00+00:00", MIGRATIONS[:1])
        with pytest.raises(sqlite3.OperationalError, match="already exists"):
            await migrate(db, lambda: "2025-01-01T00:00:00+00:00", broken)
        assert "half_done" not in await tables(db)
        assert await schema_version(db) == 1


async def test_a_database_newer_than_the_program_is_refused(tmp_path, clock):
    path = tmp_path / "db.sqlite3"
    async with await Storage.open(str(path), SECRET, clock) as store:
        await store._db.execute(
            "INSERT INTO schema_version VALUES (?, 'later')", (LATEST_VERSION + 1,)
        )
    with pytest.raises(sqlite3.DatabaseError, match="newer than this program"):
        await Storage.open(str(path), SECRET, clock)


async def test_only_gaps_and_learned_phrasings_have_a_column_for_text(storage):
    text_like = {"text", "message", "body", "question", "content"}
    found = {
        (table, column)
        for table in await tables(storage._db)
        for column in await columns(storage._db, table)
        if column in text_like
    }
    assert found == {("gaps", "text"), ("learned_phrasings", "text")}


# -- keys ----------------------------------------------------------------------------------


async def test_user_key_is_a_keyed_hash_that_depends_on_the_secret(storage):
    key = storage.user_key(ALICE)
    assert key == storage.user_key(ALICE)
    assert len(key) == 64 and int(key, 16) >= 0
    assert str(ALICE) not in key
    assert key != storage.user_key(BOB)
    assert key != keyed_hash(b"another-secret", ALICE)


async def test_an_empty_secret_is_refused(clock):
    with pytest.raises(ValueError, match="secret"):
        await Storage.open(":memory:", b"", clock)


# -- preferences, events, feedback, gaps ---------------------------------------------------


async def test_preferences_are_stored_replaced_and_timestamped(storage, clock):
    key = storage.user_key(ALICE)
    assert await storage.get_preferences(key) is None
    await storage.set_preferences(key, Preferences(language="fr", audience="parent"))
    clock.advance(hours=1)
    first = await storage.get_preferences(key)
    await storage.set_preferences(key, replace(first, municipality_nis="44021", language="nl"))
    prefs = await storage.get_preferences(key)
    assert (prefs.language, prefs.audience, prefs.municipality_nis) == ("nl", "parent", "44021")
    assert prefs.updated_at == clock.now


async def test_gap_text_is_scrubbed_and_cut_before_it_is_stored(storage):
    await storage.add_gap("Ik ben Sarah, bel 0470 12 34 56 " + "x" * 900, "nl", "abstain")
    [gap] = await storage.list_gaps()
    assert gap.text.startswith("Ik ben [name], bel [phone] ")
    assert len(gap.text) == MAX_GAP_CHARS
    stored = await scalar(storage, "SELECT group_concat(text) FROM gaps")
    assert "Sarah" not in stored and "0470" not in stored


async def test_gaps_are_listed_newest_first_since_a_moment_and_can_be_dismissed(storage, clock):
    first = await storage.add_gap("eerste vraag", "nl", "abstain")
    clock.advance(days=2)
    second = await storage.add_gap("tweede vraag", "fr", "downvote")
    assert [g.id for g in await storage.list_gaps()] == [second, first]
    assert [g.id for g in await storage.list_gaps(since=clock.now - timedelta(days=1))] == [second]
    assert [g.id for g in await storage.list_gaps(limit=1)] == [second]
    assert await storage.dismiss_gap(second) is True
    assert await storage.dismiss_gap(9999) is False
    assert [g.id for g in await storage.list_gaps()] == [first]
    assert len(await storage.list_gaps(include_dismissed=True)) == 2


async def test_invalid_votes_and_gap_reasons_are_refused(storage):
    with pytest.raises(ValueError, match="vote"):
        await storage.record_feedback("entry", 2)
    with pytest.raises(ValueError, match="reason"):
        await storage.add_gap("vraag", "nl", "because")


# -- tickets -------------------------------------------------------------------------------


async def test_a_user_has_at_most_one_open_ticket(storage):
    key = storage.user_key(ALICE)
    number = await storage.open_ticket(ALICE, key)
    assert await storage.open_ticket(ALICE, key) == number
    ticket = await storage.ticket_for_user(key)
    assert (ticket.id, ticket.user_chat_id, ticket.is_open) == (number, ALICE, True)
    assert await storage.ticket_for_user(storage.user_key(BOB)) is None
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):  # the schema enforces it too
        await storage._db.execute(
            "INSERT INTO tickets (user_key, opened_at, last_activity_at) VALUES (?, 'x', 'x')",
            (key,),
        )


async def test_group_messages_lead_back_to_their_ticket(storage):
    number = await storage.open_ticket(ALICE, storage.user_key(ALICE))
    await storage.link_ticket_message(number, 501)
    await storage.link_ticket_message(number, 502)
    assert (await storage.ticket_for_group_message(502)).id == number
    assert await storage.ticket_for_group_message(999) is None


async def test_closing_a_ticket_returns_the_chat_and_then_forgets_it(storage):
    key = storage.user_key(ALICE)
    number = await storage.open_ticket(ALICE, key)
    await storage.link_ticket_message(number, 501)
    closed = await storage.close_ticket(number)
    assert (closed.id, closed.user_chat_id) == (number, ALICE)
    assert await storage.close_ticket(number) is None
    assert await storage.ticket_for_user(key) is None
    after = await storage.ticket_for_group_message(501)
    assert (after.status, after.user_chat_id, after.closed_at is not None) == ("closed", None, True)
    assert (
        await scalar(storage, "SELECT COUNT(*) FROM tickets WHERE user_chat_id = ?", (ALICE,)) == 0
    )
    assert await storage.open_ticket(ALICE, key) != number


async def test_idle_tickets_expire_and_active_ones_stay_open(storage, clock):
    idle = await storage.open_ticket(ALICE, storage.user_key(ALICE))
    clock.advance(hours=20)
    active = await storage.open_ticket(BOB, storage.user_key(BOB))
    clock.advance(hours=5)
    await storage.touch_ticket(active)
    expired = await storage.expire_tickets(timedelta(hours=24))
    assert [(t.id, t.user_chat_id) for t in expired] == [(idle, ALICE)]
    assert (await storage.ticket(idle)).user_chat_id is None
    assert (await storage.ticket(active)).is_open
    assert await storage.expire_tickets(timedelta(hours=24)) == []


# -- moderation ----------------------------------------------------------------------------


async def test_learned_phrasings_are_added_scrubbed_listed_and_removed(storage):
    mod = storage.user_key(42)
    first = await storage.add_learned("signs-overview", "nl", "mijn zoon Adam is veranderd", mod)
    await storage.add_learned("talking", "fr", "comment lui parler", mod)
    assert [(p.entry, p.text) for p in await storage.list_learned("signs-overview")] == [
        ("signs-overview", "mijn zoon [name] is veranderd")
    ]
    assert len(await storage.list_learned()) == 2
    assert await storage.remove_learned(first) is True
    assert await storage.remove_learned(first) is False
    assert [p.entry for p in await storage.list_learned()] == ["talking"]


async def test_knowledge_versions_keep_their_files_and_list_without_them(storage):
    mod = storage.user_key(42)
    files = {"entries.yaml": "- id: é\n", "services.yaml": "[]\n"}
    one = await storage.add_kb_version(mod, files, "entries: 1 changed")
    two = await storage.add_kb_version(mod, {"entries.yaml": "[]"}, "entries: 1 removed")
    listed = await storage.list_kb_versions()
    assert [(v.id, v.summary, v.files) for v in listed] == [
        (two, "entries: 1 removed", None),
        (one, "entries: 1 changed", None),
    ]
    assert (await storage.get_kb_version(one)).files == files
    assert await storage.get_kb_version(99) is None


async def test_audit_log_lists_newest_first(storage, clock):
    mod = storage.user_key(42)
    await storage.audit(mod, "reload", "entries=12")
    clock.advance(minutes=1)
    await storage.audit(mod, "dismiss_gap", "gap=3")
    entries = await storage.list_audit(limit=5)
    assert [(e.action, e.detail, e.at) for e in entries] == [
        ("dismiss_gap", "gap=3", clock.now),
        ("reload", "entries=12", clock.now - timedelta(minutes=1)),
    ]


# -- statistics ----------------------------------------------------------------------------


async def test_stats_count_questions_by_kind_topic_language_day_and_votes(storage, clock):
    await storage.record_event("answer", topic="signs", entry="e1", score=91.0, lang="nl")
    await storage.record_event("crisis", topic="crisis", lang="fr")
    clock.advance(days=1)
    await storage.record_event("answer", topic="signs", entry="e1", score=80.0, lang="nl")
    await storage.record_event("abstain", lang="en")
    await storage.record_event("clarify", topic="talking", lang="nl")
    await storage.record_event("handoff", topic="signs")
    await storage.record_feedback("e1", 1)
    await storage.record_feedback("e1", -1)
    await storage.record_feedback("e1", 1)
    stats = await storage.stats(datetime(2026, 3, 1, tzinfo=UTC))
    counts = (stats.questions, stats.answered, stats.abstained, stats.clarified)
    assert (*counts, stats.crises, stats.handoffs) == (5, 2, 1, 1, 1, 1)
    assert stats.by_topic == {"signs": 2, "crisis": 1, "talking": 1}
    assert stats.by_language == {"nl": 3, "fr": 1, "en": 1}
    assert stats.per_day == {"2026-03-01": 2, "2026-03-02": 3}
    assert stats.topic_per_day == {
        "2026-03-01": {"signs": 1, "crisis": 1},
        "2026-03-02": {"signs": 1, "talking": 1},
    }
    assert stats.votes == {"e1": (2, 1)}
    assert (await storage.stats(clock.now + timedelta(days=1))).questions == 0


# -- privacy: export, erase, retention -----------------------------------------------------


async def store_everything_for(store: Storage, user_id: int, group_message: int) -> None:
    key = store.user_key(user_id)
    await store.set_preferences(key, Preferences(language="nl", municipality_nis="11002"))
    await store.record_event(
        "answer", topic="signs", entry="e1", score=90.0, lang="nl", user_key=key
    )
    await store.record_feedback("e1", -1, key)
    await store.add_gap("waarom doet hij dit", "nl", "downvote", key)
    closed = await store.open_ticket(user_id, key)
    await store.link_ticket_message(closed, group_message)
    await store.close_ticket(closed)
    await store.link_ticket_message(await store.open_ticket(user_id, key), group_message + 1)


async def test_every_table_with_a_user_column_is_covered_by_export_and_forget(storage):
    for table in await tables(storage._db):
        if USER_COLUMNS & set(await columns(storage._db, table)):
            assert table in USER_ROWS, f"{table} holds user data but is not in USER_ROWS"


async def test_export_contains_every_row_tied_to_the_user_and_nothing_else(storage):
    await store_everything_for(storage, ALICE, group_message=100)
    await store_everything_for(storage, BOB, group_message=200)
    export = json.loads(json.dumps(await storage.export_user(ALICE)))
    key = storage.user_key(ALICE)
    assert export["user_key"] == key
    assert export["preferences"][0]["municipality_nis"] == "11002"
    assert [e["topic"] for e in export["events"]] == ["signs"]
    assert [f["vote"] for f in export["feedback"]] == [-1]
    assert [g["text"] for g in export["gaps"]] == ["waarom doet hij dit"]
    assert [(t["status"], t["user_chat_id"]) for t in export["tickets"]] == [
        ("closed", None),
        ("open", ALICE),
    ]
    assert [m["group_message_id"] for m in export["ticket_messages"]] == [100, 101]
    rows = [row for table in USER_ROWS for row in export[table]]
    assert all(row.get("user_key", key) == key for row in rows)


async def test_forget_user_leaves_no_row_tied_to_the_user_in_any_table(storage):
    await store_everything_for(storage, ALICE, group_message=100)
    await store_everything_for(storage, BOB, group_message=200)
    exported = await storage.export_user(ALICE)
    alice_tickets = [t["id"] for t in exported["tickets"]]
    assert await storage.forget_user(ALICE) == sum(len(exported[t]) for t in USER_ROWS)
    key = storage.user_key(ALICE)
    for table in await tables(storage._db):
        for column in await columns(storage._db, table):
            sql = f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) IN (?, ?)'  # noqa: S608 - names from sqlite_master
            assert await scalar(storage, sql, (key, str(ALICE))) == 0, (table, column)
    marks = ",".join("?" * len(alice_tickets))
    orphan_sql = f"SELECT COUNT(*) FROM ticket_messages WHERE ticket_id IN ({marks})"  # noqa: S608 - only placeholders
    assert await scalar(storage, orphan_sql, alice_tickets) == 0
    bob = await storage.export_user(BOB)
    assert all(len(bob[table]) > 0 for table in USER_ROWS)
    assert await storage.forget_user(ALICE) == 0


async def test_purge_removes_old_gaps_and_closed_tickets_and_keeps_recent_ones(storage, clock):
    key = storage.user_key(ALICE)
    await storage.add_gap("oude vraag", "nl", "abstain", key)
    await storage.record_event("answer", topic="signs", user_key=key)
    old_ticket = await storage.open_ticket(ALICE, key)
    await storage.link_ticket_message(old_ticket, 1)
    await storage.close_ticket(old_ticket)
    stale_open = await storage.open_ticket(BOB, storage.user_key(BOB))
    clock.advance(days=100)
    await storage.add_gap("nieuwe vraag", "nl", "abstain", key)
    recent_ticket = await storage.open_ticket(ALICE, key)
    await storage.link_ticket_message(recent_ticket, 2)
    await storage.close_ticket(recent_ticket)
    result = await storage.purge(older_than_days=90)
    assert (result.gaps, result.tickets, result.ticket_messages) == (1, 1, 1)
    assert (result.events_unlinked, result.feedback_unlinked) == (1, 0)
    assert [g.text for g in await storage.list_gaps()] == ["nieuwe vraag"]
    assert await storage.ticket(old_ticket) is None
    assert await storage.ticket_for_group_message(1) is None
    assert (await storage.ticket_for_group_message(2)).id == recent_ticket
    assert (await storage.ticket(stale_open)).is_open  # open tickets are expire_tickets' job
    assert await scalar(storage, "SELECT COUNT(*) FROM events WHERE user_key IS NULL") == 1
    assert (await storage.purge(older_than_days=90)).gaps == 0


# -- maintenance ---------------------------------------------------------------------------


async def test_backup_is_a_complete_consistent_copy(storage, tmp_path):
    await store_everything_for(storage, ALICE, group_message=100)
    target = tmp_path / "backups" / "copy.sqlite3"
    await storage.backup(str(target))
    async with await Storage.open(str(target), SECRET) as copy:
        assert await copy.integrity_check() == "ok"
        assert await copy.export_user(ALICE) == await storage.export_user(ALICE)


async def test_integrity_check_reports_ok_on_a_healthy_database(storage):
    assert await storage.integrity_check() == "ok"


async def test_a_transaction_failing_halfway_is_rolled_back_and_storage_keeps_working(storage):
    await store_everything_for(storage, ALICE, group_message=100)
    before = await storage.export_user(ALICE)
    await storage._db.execute(  # a real SQLite error after the first deletes of forget_user
        "CREATE TEMP TRIGGER refuse BEFORE DELETE ON tickets BEGIN SELECT RAISE(ABORT, 'injected'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="injected"):
        await storage.forget_user(ALICE)
    assert await storage.export_user(ALICE) == before
    await storage._db.execute("DROP TRIGGER refuse")
    assert await storage.forget_user(ALICE) == sum(len(before[t]) for t in USER_ROWS)
