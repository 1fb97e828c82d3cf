"""A Reply as plain text: what the console and `helpdesk ask` print, and the JSON `reply`.

Telegram renders the same Reply fields as HTML in handlers/render.py; both read service
facts through bot.referral so "open now" means the same everywhere.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.referral import ServiceView, view

if TYPE_CHECKING:
    from bot.dialogue import Reply, Session
    from bot.model import Snapshot

FALLBACK_SERVICES = ("caw", "opvoedingslijn", "tele-onthaal", "caprev")


def present(
    reply: Reply, snapshot: Snapshot, session: Session, now: datetime | None = None
) -> Reply:
    """Fill in the services for an abstain and the plain-text rendering."""
    if reply.kind == "abstain" and not reply.services:
        fallback = tuple(s for s in FALLBACK_SERVICES if s in snapshot.services)
        reply = replace(reply, services=fallback, choices=_suggestions(reply))
    return replace(reply, text=plain_text(reply, snapshot, now))


def _suggestions(reply: Reply) -> tuple[str, ...]:
    """Near misses worth offering when the bot is not sure: distinct topics, best first."""
    seen: set[str] = set()
    picks = []
    for match in reply.matches:
        if match.topic not in seen and match.score >= 12.0:
            seen.add(match.topic)
            picks.append(match.entry_id)
    return tuple(picks[:3])


def plain_text(reply: Reply, snapshot: Snapshot, now: datetime | None = None) -> str:
    lang = reply.lang
    views = [
        view(snapshot.services[s], snapshot, lang, now)
        for s in reply.services
        if s in snapshot.services
    ]
    parts: list[str] = []
    if reply.kind == "crisis":
        urgent = [v for v in views if v.emergency or v.id in _must(reply, snapshot)]
        parts.append(
            snapshot.text("crisis.heading", lang)
            + "\n"
            + "\n".join(service_line(v) for v in urgent)
        )
        views = [v for v in views if v not in urgent]
    if reply.kind == "abstain":
        parts.append(
            snapshot.text("abstain.empty" if reply.reason == "empty" else "abstain.text", lang)
        )
    else:
        parts.append(reply.body)
    if reply.choices:
        key = "abstain.did_you_mean" if reply.kind == "abstain" else "answer.did_you_mean"
        titles = [_title(snapshot, c, lang) for c in reply.choices]
        parts.append(snapshot.text(key, lang) + "\n" + "\n".join(f"- {t}" for t in titles))
    if views:
        parts.append(
            snapshot.text("referral.heading", lang)
            + "\n"
            + "\n".join(service_line(v) for v in views)
        )
    if reply.related:
        titles = [_title(snapshot, r, lang) for r in reply.related if r in snapshot.by_id]
        parts.append(
            snapshot.text("related.heading", lang) + "\n" + "\n".join(f"- {t}" for t in titles)
        )
    return "\n\n".join(p for p in parts if p)


def service_line(item: ServiceView) -> str:
    """One line per service: name, phone, site, e-mail, opening status."""
    reach = [x for x in (item.phone, item.url, item.email) if x]
    line = f"• {item.name}"
    if reach:
        line += ": " + ", ".join(reach)
    extras = [x for x in (item.status, *item.notes) if x]
    if extras:
        line += f" ({'; '.join(extras)})"
    return line


def _must(reply: Reply, snapshot: Snapshot) -> tuple[str, ...]:
    topic = snapshot.topics.get(reply.topic or "")
    return topic.must_refer if topic else ()


def _title(snapshot: Snapshot, entry_id: str, lang: str) -> str:
    entry = snapshot.by_id.get(entry_id)
    return entry.title.get(lang, entry_id) if entry else entry_id
