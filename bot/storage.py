"""Everything helpdesk remembers, in one SQLite file; `Storage` is what the adapters receive.

The least possible is stored: users are keyed hashes, events carry no message text, gap texts
are scrubbed, a ticket's chat id is dropped when it closes, `purge` enforces retention, and
`export_user` / `forget_user` cover every user-bearing table (`storage_schema.USER_ROWS`).
Callers on the answer path go through `bot.recorder.Recorder`, which never lets a storage
failure stop an answer. SQL lives only in `bot/storage*.py`, always with `?` placeholders.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bot.scrub import scrub
from bot.storage_base import keyed_hash, utc_now
from bot.storage_moderation import ModerationStorage
from bot.storage_schema import USER_ROWS
from bot.storage_types import (
    EVENT_KINDS,
    GAP_REASONS,
    QUESTION_KINDS,
    AuditEntry,
    Gap,
    KbVersion,
    Learned,
    Preferences,
    PurgeResult,
    Stats,
    Ticket,
    iso,
)

__all__ = [
    "EVENT_KINDS",
    "MAX_GAP_CHARS",
    "AuditEntry",
    "Gap",
    "KbVersion",
    "Learned",
    "Preferences",
    "PurgeResult",
    "Stats",
    "Storage",
    "Ticket",
    "keyed_hash",
    "utc_now",
]

MAX_GAP_CHARS = 500
"""A gap is a question, not a story: longer texts are cut, which also bounds what is kept."""

_KIND_COUNTS = "SELECT kind, COUNT(*) FROM events WHERE at >= ? GROUP BY kind"
# Question counts: parameters are (since, *QUESTION_KINDS); one `?` per question kind.
_COUNT_BY = {
    "topic": "SELECT topic, COUNT(*) FROM events WHERE at >= ? AND kind IN (?, ?, ?, ?)"
    " AND topic IS NOT NULL GROUP BY topic",
    "lang": "SELECT lang, COUNT(*) FROM events WHERE at >= ? AND kind IN (?, ?, ?, ?)"
    " AND lang IS NOT NULL GROUP BY lang",
    "day": "SELECT substr(at, 1, 10), COUNT(*) FROM events WHERE at >= ?"
    " AND kind IN (?, ?, ?, ?) GROUP BY 1",
}
_TOPIC_PER_DAY = (
    "SELECT substr(at, 1, 10), topic, COUNT(*) FROM events WHERE at >= ?"
    " AND kind IN (?, ?, ?, ?) AND topic IS NOT NULL GROUP BY 1, 2"
)
_VOTES = "SELECT entry, SUM(vote > 0), SUM(vote < 0) FROM feedback WHERE at >= ? GROUP BY entry"

# PurgeResult field → statement; ticket_messages go before the tickets they point to.
_RETENTION = {
    "gaps": "DELETE FROM gaps WHERE at < ?",
    "ticket_messages": "DELETE FROM ticket_messages WHERE ticket_id IN"
    " (SELECT id FROM tickets WHERE status = 'closed' AND closed_at < ?)",
    "tickets": "DELETE FROM tickets WHERE status = 'closed' AND closed_at < ?",
    "events_unlinked": "UPDATE events SET user_key = NULL WHERE at < ? AND user_key IS NOT NULL",
    "feedback_unlinked": "UPDATE feedback SET user_key = NULL"
    " WHERE at < ? AND user_key IS NOT NULL",
}


class Storage(ModerationStorage):
    """Everything helpdesk stores. Build with `await Storage.open(path, secret)`."""

    async def set_preferences(self, user_key: str, prefs: Preferences) -> None:
        """Replace the user's choices (callers `dataclasses.replace` the ones they got)."""
        await self._change(
            "INSERT INTO preferences (user_key, language, audience, municipality_nis, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_key) DO UPDATE SET"
            " language = excluded.language, audience = excluded.audience,"
            " municipality_nis = excluded.municipality_nis, updated_at = excluded.updated_at",
            (user_key, prefs.language, prefs.audience, prefs.municipality_nis, self._now()),
        )

    async def get_preferences(self, user_key: str) -> Preferences | None:
        """The user's choices, or None if they never made any."""
        row = await self._row("SELECT * FROM preferences WHERE user_key = ?", (user_key,))
        return None if row is None else Preferences.from_row(row)

    async def record_event(
        self,
        kind: str,
        *,
        topic: str | None = None,
        entry: str | None = None,
        score: float | None = None,
        lang: str | None = None,
        user_key: str | None = None,
    ) -> None:
        """Count what happened (never what was said)."""
        await self._insert(
            "INSERT INTO events (at, kind, topic, entry, score, lang, user_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self._now(), kind, topic, entry, score, lang, user_key),
        )

    async def record_feedback(self, entry: str, vote: int, user_key: str | None = None) -> None:
        """Count a 👍 (+1) or 👎 (-1) on an entry; a 👎 gap is added separately if consented."""
        if vote not in (1, -1):
            raise ValueError("vote must be +1 or -1")
        await self._insert(
            "INSERT INTO feedback (at, user_key, entry, vote) VALUES (?, ?, ?, ?)",
            (self._now(), user_key, entry, vote),
        )

    async def add_gap(
        self, text: str, lang: str | None, reason: str, user_key: str | None = None
    ) -> int:
        """Keep an unanswered question for the editors, scrubbed and cut; return its id."""
        if reason not in GAP_REASONS:
            raise ValueError(f"gap reason must be one of {GAP_REASONS}")
        clean = scrub(text)[:MAX_GAP_CHARS]
        return await self._insert(
            "INSERT INTO gaps (at, user_key, text, lang, reason) VALUES (?, ?, ?, ?, ?)",
            (self._now(), user_key, clean, lang, reason),
        )

    async def list_gaps(
        self, limit: int = 50, since: datetime | None = None, *, include_dismissed: bool = False
    ) -> list[Gap]:
        """Newest first; dismissed gaps are hidden unless asked for."""
        rows = await self._rows(
            "SELECT * FROM gaps WHERE at >= ? AND (dismissed = 0 OR ?) ORDER BY at DESC, id DESC"
            " LIMIT ?",
            ("" if since is None else iso(since), include_dismissed, limit),
        )
        return [Gap.from_row(row) for row in rows]

    async def dismiss_gap(self, gap_id: int) -> bool:
        """Hide a handled gap from the editors' list (it still expires with `purge`)."""
        return await self._change("UPDATE gaps SET dismissed = 1 WHERE id = ?", (gap_id,)) > 0

    async def stats(self, since: datetime) -> Stats:
        """Counts since `since` for /stats and the charts; user keys are never read."""
        start, questions = (iso(since),), (iso(since), *QUESTION_KINDS)
        kinds = dict(await self._rows(_KIND_COUNTS, start))
        by = {name: dict(await self._rows(sql, questions)) for name, sql in _COUNT_BY.items()}
        topic_per_day: defaultdict[str, dict[str, int]] = defaultdict(dict)
        for day, topic, count in await self._rows(_TOPIC_PER_DAY, questions):
            topic_per_day[day][topic] = count
        votes = {entry: (up, down) for entry, up, down in await self._rows(_VOTES, start)}
        return Stats(
            since=since,
            questions=sum(kinds.get(kind, 0) for kind in QUESTION_KINDS),
            answered=kinds.get("answer", 0),
            abstained=kinds.get("abstain", 0),
            clarified=kinds.get("clarify", 0),
            crises=kinds.get("crisis", 0),
            handoffs=kinds.get("handoff", 0),
            by_topic=by["topic"],
            by_language=by["lang"],
            per_day=by["day"],
            votes=votes,
            topic_per_day=dict(topic_per_day),
        )

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Every stored row tied to the user, as plain JSON-ready dicts (right of access)."""
        who = {"key": self.user_key(user_id), "chat": user_id}
        export: dict[str, Any] = {"user_key": who["key"]}
        for table, (select, _) in USER_ROWS.items():
            export[table] = [dict(row) for row in await self._rows(select, who)]
        return export

    async def forget_user(self, user_id: int) -> int:
        """Erase every row tied to the user from every user-bearing table; return the count."""
        who = {"key": self.user_key(user_id), "chat": user_id}
        deleted = 0
        async with self._transaction() as db:
            for _, delete in USER_ROWS.values():
                async with db.execute(delete, who) as cursor:
                    deleted += cursor.rowcount
        return deleted

    async def purge(self, older_than_days: int = 90) -> PurgeResult:
        """Apply retention: drop old gaps and closed tickets, unlink old events from users."""
        cutoff = iso(self._clock() - timedelta(days=older_than_days))
        async with self._transaction() as db:
            counts = {}
            for name, sql in _RETENTION.items():
                async with db.execute(sql, (cutoff,)) as cursor:
                    counts[name] = cursor.rowcount
        return PurgeResult(**counts)

    async def backup(self, path: str | Path) -> None:
        """Copy the live database to `path` with SQLite's online backup (safe while writing)."""
        await asyncio.to_thread(Path(path).parent.mkdir, parents=True, exist_ok=True)
        async with aiosqlite.connect(path, check_same_thread=False) as target:
            await self._db.backup(target)

    async def integrity_check(self) -> str:
        """Return "ok", or SQLite's list of problems (for /health and after a crash)."""
        rows = await self._rows("PRAGMA integrity_check")
        return "\n".join(str(row[0]) for row in rows)
