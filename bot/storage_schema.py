"""The shape of what helpdesk stores: numbered migrations and the user-bearing tables.

Privacy by construction: no table has a column for message text except `gaps.text`
(scrubbed, unanswered questions only) and `learned_phrasings.text` (written by moderators).
Users are stored as keyed hashes (`user_key`); the one raw identifier, `tickets.user_chat_id`,
is kept only while a ticket is open, because replies must be relayed to it.

Migrations are append-only: never edit a released one, add the next number instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence

import aiosqlite

_BASE_TABLES = """
CREATE TABLE preferences (
    user_key TEXT PRIMARY KEY,
    language TEXT,
    audience TEXT,
    municipality_nis TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    topic TEXT,
    entry TEXT,
    score REAL,
    lang TEXT,
    user_key TEXT
);
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_key TEXT,
    entry TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1))
);
CREATE TABLE gaps (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_key TEXT,
    text TEXT NOT NULL,
    lang TEXT,
    reason TEXT NOT NULL CHECK (reason IN ('abstain', 'downvote')),
    dismissed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    user_chat_id INTEGER,
    user_key TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    last_activity_at TEXT NOT NULL,
    closed_at TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed'))
);
CREATE TABLE ticket_messages (
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    group_message_id INTEGER NOT NULL UNIQUE,
    at TEXT NOT NULL
);
"""

_MODERATION_TABLES = """
CREATE TABLE learned_phrasings (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    entry TEXT NOT NULL,
    lang TEXT NOT NULL,
    text TEXT NOT NULL,
    moderator_key TEXT NOT NULL
);
CREATE TABLE kb_versions (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    moderator_key TEXT NOT NULL,
    files_json TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    moderator_key TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
"""

# Statistics, retention and "my open ticket" all search by time or by user; without these
# indexes each is a full scan. One open ticket per user is a rule, so the index enforces it.
_INDEXES = """
CREATE INDEX events_at ON events (at);
CREATE INDEX events_user ON events (user_key);
CREATE INDEX feedback_at ON feedback (at);
CREATE INDEX feedback_user ON feedback (user_key);
CREATE INDEX gaps_at ON gaps (at);
CREATE INDEX gaps_user ON gaps (user_key);
CREATE UNIQUE INDEX tickets_one_open ON tickets (user_key) WHERE status = 'open';
CREATE INDEX tickets_closed_at ON tickets (closed_at);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id);
"""

MIGRATIONS: tuple[str, ...] = (_BASE_TABLES, _MODERATION_TABLES, _INDEXES)
"""Migration n (1-based) is MIGRATIONS[n - 1]; `schema_version` holds the applied numbers."""

LATEST_VERSION = len(MIGRATIONS)

# Every table that can hold a row tied to one user, with the statements that find and erase
# those rows. `:key` is the user's keyed hash, `:chat` their numeric id (a private chat's id
# equals the user's id). A test fails when a table with a user column is missing here.
USER_ROWS: dict[str, tuple[str, str]] = {
    "preferences": (
        "SELECT * FROM preferences WHERE user_key = :key",
        "DELETE FROM preferences WHERE user_key = :key",
    ),
    "events": (
        "SELECT * FROM events WHERE user_key = :key ORDER BY id",
        "DELETE FROM events WHERE user_key = :key",
    ),
    "feedback": (
        "SELECT * FROM feedback WHERE user_key = :key ORDER BY id",
        "DELETE FROM feedback WHERE user_key = :key",
    ),
    "gaps": (
        "SELECT * FROM gaps WHERE user_key = :key ORDER BY id",
        "DELETE FROM gaps WHERE user_key = :key",
    ),
    "ticket_messages": (
        "SELECT * FROM ticket_messages WHERE ticket_id IN"
        " (SELECT id FROM tickets WHERE user_key = :key OR user_chat_id = :chat) ORDER BY at",
        "DELETE FROM ticket_messages WHERE ticket_id IN"
        " (SELECT id FROM tickets WHERE user_key = :key OR user_chat_id = :chat)",
    ),
    "tickets": (
        "SELECT * FROM tickets WHERE user_key = :key OR user_chat_id = :chat ORDER BY id",
        "DELETE FROM tickets WHERE user_key = :key OR user_chat_id = :chat",
    ),
}
"""table → (export query, erase query); erase order respects the ticket_messages → tickets key."""

USER_COLUMNS = frozenset({"user_key", "user_chat_id"})


async def schema_version(db: aiosqlite.Connection) -> int:
    """Return the highest applied migration number, 0 for an empty database."""
    await db.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)"
    )
    async with db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(
    db: aiosqlite.Connection, now: Callable[[], str], migrations: Sequence[str] = MIGRATIONS
) -> int:
    """Apply the migrations the database lacks, each in its own transaction; return the version.

    `db` must be in autocommit mode (isolation_level=None) so that BEGIN/COMMIT here are the
    only transaction control. A database newer than `migrations` is refused, not guessed at.
    """
    current = await schema_version(db)
    if current > len(migrations):
        raise sqlite3.DatabaseError(
            f"database schema version {current} is newer than this program ({len(migrations)})"
        )
    for version in range(current + 1, len(migrations) + 1):
        await _apply(db, version, migrations[version - 1], now())
    return len(migrations)


async def _apply(db: aiosqlite.Connection, version: int, script: str, at: str) -> None:
    """Run one migration script and record it, all or nothing."""
    await db.execute("BEGIN IMMEDIATE")
    try:
        for statement in _statements(script):
            await db.execute(statement)
        await db.execute(
            "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (version, at)
        )
    except BaseException:
        await db.execute("ROLLBACK")
        raise
    await db.execute("COMMIT")


def _statements(script: str) -> Iterator[str]:
    """Split a script into complete statements (executescript would commit on its own)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
    if pending.strip():
        raise ValueError("migration script ends in an incomplete statement")
