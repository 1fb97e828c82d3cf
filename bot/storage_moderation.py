"""Hand-off tickets and the moderators' records: learned phrasings, knowledge versions, audit.

A ticket keeps the user's real chat id only while it is open (replies must reach the user);
closing or expiring it forgets the id in the same transaction. Group messages are mapped to
tickets by message id only, never by text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.scrub import scrub
from bot.storage_base import StorageBase
from bot.storage_types import AuditEntry, KbVersion, Learned, Ticket, iso

_OPEN_TICKET = "SELECT * FROM tickets WHERE user_key = ? AND status = 'open'"
_OPEN_TICKET_BY_ID = "SELECT * FROM tickets WHERE id = ? AND status = 'open'"
_IDLE_TICKETS = "SELECT * FROM tickets WHERE last_activity_at <= ? AND status = 'open'"
_CLOSE_TICKET = (
    "UPDATE tickets SET status = 'closed', closed_at = ?, user_chat_id = NULL WHERE id = ?"
)


class ModerationStorage(StorageBase):
    """Tickets and moderator records; `bot.storage.Storage` adds the users' own data."""

    async def open_ticket(self, user_chat_id: int, user_key: str) -> int:
        """Return the user's open ticket number, opening one if there is none."""
        now = self._now()
        async with self._transaction() as db:
            async with db.execute(_OPEN_TICKET, (user_key,)) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                await db.execute(
                    "UPDATE tickets SET user_chat_id = ?, last_activity_at = ? WHERE id = ?",
                    (user_chat_id, now, row["id"]),
                )
                return int(row["id"])
            async with db.execute(
                "INSERT INTO tickets (user_chat_id, user_key, opened_at, last_activity_at)"
                " VALUES (?, ?, ?, ?)",
                (user_chat_id, user_key, now, now),
            ) as cursor:
                return cursor.lastrowid or 0

    async def ticket_for_user(self, user_key: str) -> Ticket | None:
        """The user's open ticket, if any: their messages are then relayed, not answered."""
        row = await self._row(_OPEN_TICKET, (user_key,))
        return None if row is None else Ticket.from_row(row)

    async def ticket(self, ticket_id: int) -> Ticket | None:
        """A ticket by number, open or closed (moderators type /close 12)."""
        row = await self._row("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        return None if row is None else Ticket.from_row(row)

    async def link_ticket_message(self, ticket_id: int, group_message_id: int) -> None:
        """Remember that a message in the moderators' group belongs to a ticket (no text)."""
        await self._insert(
            "INSERT OR REPLACE INTO ticket_messages (ticket_id, group_message_id, at)"
            " VALUES (?, ?, ?)",
            (ticket_id, group_message_id, self._now()),
        )

    async def ticket_for_group_message(self, group_message_id: int) -> Ticket | None:
        """The ticket a moderator replied to, open or closed (check `is_open`)."""
        row = await self._row(
            "SELECT tickets.* FROM tickets JOIN ticket_messages ON ticket_id = tickets.id"
            " WHERE group_message_id = ?",
            (group_message_id,),
        )
        return None if row is None else Ticket.from_row(row)

    async def touch_ticket(self, ticket_id: int) -> None:
        """Note activity on an open ticket so `expire_tickets` leaves it alone."""
        await self._change(
            "UPDATE tickets SET last_activity_at = ? WHERE id = ? AND status = 'open'",
            (self._now(), ticket_id),
        )

    async def close_ticket(self, ticket_id: int) -> Ticket | None:
        """Close an open ticket; return it as it was (with the chat id to notify) or None."""
        closed = await self._close(_OPEN_TICKET_BY_ID, (ticket_id,))
        return closed[0] if closed else None

    async def expire_tickets(self, idle: timedelta) -> list[Ticket]:
        """Close tickets idle for `idle`; return them with the chat ids still filled in."""
        return await self._close(_IDLE_TICKETS, (iso(self._clock() - idle),))

    async def _close(self, select: str, params: tuple[Any, ...]) -> list[Ticket]:
        """Close the open tickets `select` finds; the chat id is forgotten in the same step."""
        now = self._now()
        async with self._transaction() as db:
            async with db.execute(select, params) as cursor:
                tickets = [Ticket.from_row(row) for row in await cursor.fetchall()]
            await db.executemany(_CLOSE_TICKET, [(now, ticket.id) for ticket in tickets])
        return tickets

    async def add_learned(self, entry: str, lang: str, text: str, moderator_key: str) -> int:
        """Attach a phrasing to an entry; scrubbed too, as it often comes from a gap."""
        return await self._insert(
            "INSERT INTO learned_phrasings (at, entry, lang, text, moderator_key)"
            " VALUES (?, ?, ?, ?, ?)",
            (self._now(), entry, lang, scrub(text), moderator_key),
        )

    async def list_learned(self, entry: str | None = None) -> list[Learned]:
        """Learned phrasings, oldest first, for one entry or all (the index adds them)."""
        rows = await self._rows(
            "SELECT * FROM learned_phrasings WHERE ? IS NULL OR entry = ? ORDER BY id",
            (entry, entry),
        )
        return [Learned.from_row(row) for row in rows]

    async def remove_learned(self, learned_id: int) -> bool:
        """Undo a phrasing that made matching worse; False if it did not exist."""
        return await self._change("DELETE FROM learned_phrasings WHERE id = ?", (learned_id,)) > 0

    async def add_kb_version(
        self, moderator_key: str, files: Mapping[str, str], summary: str
    ) -> int:
        """Keep an uploaded knowledge base (file name → YAML text); return its version number."""
        return await self._insert(
            "INSERT INTO kb_versions (at, moderator_key, files_json, summary) VALUES (?, ?, ?, ?)",
            (self._now(), moderator_key, json.dumps(dict(files), ensure_ascii=False), summary),
        )

    async def list_kb_versions(self, limit: int = 20) -> list[KbVersion]:
        """Newest first, without the files (see `get_kb_version` for a rollback)."""
        rows = await self._rows(
            "SELECT id, at, moderator_key, summary FROM kb_versions ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [KbVersion.from_row(row) for row in rows]

    async def get_kb_version(self, version: int) -> KbVersion | None:
        """One version with its files, to restore or compare; None if unknown."""
        row = await self._row("SELECT * FROM kb_versions WHERE id = ?", (version,))
        return None if row is None else KbVersion.from_row(row)

    async def audit(self, moderator_key: str, action: str, detail: str = "") -> None:
        """Log a moderator action. `detail` names ids and counts, never user message text."""
        await self._insert(
            "INSERT INTO audit_log (at, moderator_key, action, detail) VALUES (?, ?, ?, ?)",
            (self._now(), moderator_key, action, detail),
        )

    async def list_audit(self, limit: int = 50) -> list[AuditEntry]:
        """Newest first."""
        rows = await self._rows("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
        return [AuditEntry.from_row(row) for row in rows]
