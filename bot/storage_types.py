"""Immutable values that `bot.storage.Storage` hands out; no SQL and no I/O here.

Timestamps are stored as UTC ISO-8601 text (sortable, and `substr(at, 1, 10)` is the day) and
come back as aware `datetime`s. Gaps are handed out without their user key: moderators need
the question, never who asked it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

EVENT_KINDS = ("answer", "abstain", "clarify", "crisis", "handoff")
"""Kinds the bot records today; `record_event` accepts others so adapters can grow."""
QUESTION_KINDS = ("answer", "abstain", "clarify", "crisis")
"""Event kinds that are a user's question (a hand-off is a follow-up, not a question)."""
GAP_REASONS = ("abstain", "downvote")


def iso(moment: datetime) -> str:
    """Return the stored form of an aware datetime: UTC, second precision."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: storage only accepts timezone-aware times")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _when(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class Preferences:
    """Only what the user chose to tell us; every field may be unknown."""

    language: str | None = None
    audience: str | None = None
    municipality_nis: str | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Preferences:
        return cls(
            row["language"], row["audience"], row["municipality_nis"], _when(row["updated_at"])
        )


@dataclass(frozen=True, slots=True)
class Ticket:
    """A hand-off to a human; `user_chat_id` is None once the ticket is closed."""

    id: int
    user_chat_id: int | None
    user_key: str
    opened_at: datetime
    last_activity_at: datetime
    closed_at: datetime | None
    status: str

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Ticket:
        return cls(
            id=row["id"],
            user_chat_id=row["user_chat_id"],
            user_key=row["user_key"],
            opened_at=_at(row["opened_at"]),
            last_activity_at=_at(row["last_activity_at"]),
            closed_at=_when(row["closed_at"]),
            status=row["status"],
        )


@dataclass(frozen=True, slots=True)
class Gap:
    """An unanswered or down-voted question, scrubbed, for the editors."""

    id: int
    at: datetime
    text: str
    lang: str | None
    reason: str
    dismissed: bool

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Gap:
        return cls(
            row["id"],
            _at(row["at"]),
            row["text"],
            row["lang"],
            row["reason"],
            bool(row["dismissed"]),
        )


@dataclass(frozen=True, slots=True)
class Learned:
    """A question phrasing a moderator attached to an entry."""

    id: int
    at: datetime
    entry: str
    lang: str
    text: str
    moderator_key: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Learned:
        return cls(
            row["id"], _at(row["at"]), row["entry"], row["lang"], row["text"], row["moderator_key"]
        )


@dataclass(frozen=True, slots=True)
class KbVersion:
    """An uploaded knowledge-base version; `files` is None in listings (they can be large)."""

    id: int
    at: datetime
    moderator_key: str
    summary: str
    files: Mapping[str, str] | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> KbVersion:
        files = json.loads(row["files_json"]) if "files_json" in row.keys() else None  # noqa: SIM118
        return cls(row["id"], _at(row["at"]), row["moderator_key"], row["summary"], files)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One moderator action; `detail` never holds user message text."""

    id: int
    at: datetime
    moderator_key: str
    action: str
    detail: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AuditEntry:
        return cls(row["id"], _at(row["at"]), row["moderator_key"], row["action"], row["detail"])


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What one retention run removed or unlinked from users."""

    gaps: int = 0
    tickets: int = 0
    ticket_messages: int = 0
    events_unlinked: int = 0
    feedback_unlinked: int = 0


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts since a moment, for the moderators' /stats and the charts. Days are UTC dates."""

    since: datetime
    questions: int = 0
    answered: int = 0
    abstained: int = 0
    clarified: int = 0
    crises: int = 0
    handoffs: int = 0
    by_topic: Mapping[str, int] = field(default_factory=dict)
    by_language: Mapping[str, int] = field(default_factory=dict)
    votes: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """entry → (👍, 👎)"""
    per_day: Mapping[str, int] = field(default_factory=dict)
    """ISO date → questions"""
    topic_per_day: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """ISO date → topic → questions"""
