"""Replies as Telegram HTML: the ONLY place that escapes text or builds callback_data.

Everything interpolated into HTML (knowledge text, service facts, interface strings) goes
through `esc`; links are made only for http(s) URLs. A message is packed from small blocks
that are each balanced HTML, so a long answer splits on paragraph boundaries under 4,096
characters and never inside a tag or an entity. Keyboard layouts live in `handlers/keyboards`,
but every button's callback_data is made here by `button()`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.dialogue import Reply
from bot.model import Snapshot
from bot.referral import ServiceView, view
from handlers.local_route import LocalRoute

MAX_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)
MAX_DATA = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)
Rows = list[list[InlineKeyboardButton]]
_LINK_ROOM = 300  # a deep link line: label, username (<=32) and entry id (<=40)


@dataclass(frozen=True, slots=True)
class Card:
    """One message to send: HTML text and, optionally, its inline keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True, slots=True)
class Frame:
    """What rendering needs besides the reply: where share links point, which buttons exist."""

    bot_username: str
    handoff: bool = False
    feedback: bool = True


# -- primitives ---------------------------------------------------------------------------


def esc(text: object) -> str:
    """Escape any value for Telegram HTML text (& < >)."""
    return html.escape(str(text), quote=False)


def bold(text: object) -> str:
    return f"<b>{esc(text)}</b>"


def italic(text: object) -> str:
    return f"<i>{esc(text)}</i>"


def link(url: str, label: str | None = None) -> str:
    """An <a href> for http(s) URLs only; anything else is shown as escaped text."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return esc(label or url)
    shown = label or (parts.netloc.removeprefix("www.") + parts.path.rstrip("/"))
    return f'<a href="{html.escape(url, quote=True)}">{esc(shown)}</a>'


def data(*parts: object) -> str:
    """callback_data as "prefix:arg:…"; refuses anything over Telegram's 64 bytes."""
    value = ":".join(str(p) for p in parts)
    if len(value.encode()) > MAX_DATA:
        raise ValueError(f"callback_data over {MAX_DATA} bytes: {value[:20]}…")
    return value


def unpack(value: str | object) -> list[str]:
    """The parts of callback_data made by `data` (prefix first)."""
    return str(value).split(":")


def button(label: str, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data(*parts))


def url_button(label: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, url=url)


def markup(rows: Rows) -> InlineKeyboardMarkup | None:
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


def deep_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"


def share_url(bot_username: str, entry_id: str, title: str) -> str:
    """Telegram's share sheet, prefilled with the deep link to one answer."""
    query = urlencode({"url": deep_link(bot_username, entry_id), "text": title})
    return f"https://t.me/share/url?{query}"


# -- packing ------------------------------------------------------------------------------


def paragraphs(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Plain text → escaped paragraph blocks, each at most `limit` characters."""
    blocks: list[str] = []
    for para in (p.strip() for p in text.split("\n\n")):
        if para:
            blocks.extend(_fit(para, limit))
    return blocks


def _fit(plain: str, limit: int) -> list[str]:
    """Escape, cutting an over-long paragraph between words (before escaping)."""
    if len(esc(plain)) <= limit:
        return [esc(plain)]
    pieces, current = [], ""
    for word in plain.split(" "):
        candidate = f"{current} {word}" if current else word
        if len(esc(candidate)) > limit and current:
            pieces.append(esc(current))
            candidate = word
        while len(esc(candidate)) > limit:  # a single "word" longer than a message
            pieces.append(esc(candidate[: limit // 6]))
            candidate = candidate[limit // 6 :]
        current = candidate
    return [*pieces, esc(current)] if current else pieces


def pack(blocks: Iterable[str], limit: int = MAX_TEXT) -> list[str]:
    """Join balanced HTML blocks with blank lines into as few messages as fit."""
    chunks: list[str] = []
    current = ""
    for block in blocks:
        if not block:
            continue
        if current and len(current) + 2 + len(block) > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n\n{block}" if current else block
    return [*chunks, current] if current else chunks


def cards(blocks: Iterable[str], keyboard: InlineKeyboardMarkup | None = None) -> list[Card]:
    """Messages for `blocks`; the keyboard goes under the last one."""
    chunks = pack(blocks)
    return [Card(c, keyboard if n == len(chunks) - 1 else None) for n, c in enumerate(chunks)]


# -- services -----------------------------------------------------------------------------


def service_line(item: ServiceView) -> str:
    """• Name: phone · site · e-mail, then opening status and notes in italics."""
    reach = [esc(x) for x in (item.phone, item.email) if x]
    if item.url:
        reach.insert(1 if item.phone else 0, link(item.url))
    line = f"• {bold(item.name)}"
    if reach:
        line += ": " + " · ".join(reach)
    extras = [x for x in (item.status, *item.notes) if x]
    if extras:
        line += "\n   " + italic("; ".join(extras))
    return line


def services_block(heading: str, views: Sequence[ServiceView]) -> str:
    if not views:
        return ""
    return bold(heading) + "\n" + "\n".join(service_line(v) for v in views)


def views_of(ids: Iterable[str], snapshot: Snapshot, lang: str) -> list[ServiceView]:
    return [view(snapshot.services[s], snapshot, lang) for s in ids if s in snapshot.services]


def title(snapshot: Snapshot, entry_id: str, lang: str) -> str:
    entry = snapshot.by_id.get(entry_id)
    return (entry.title.get(lang) or entry.title.get("nl") or entry_id) if entry else entry_id


# -- replies ------------------------------------------------------------------------------


def reply_cards(
    reply: Reply, snapshot: Snapshot, keyboard: InlineKeyboardMarkup | None = None
) -> list[Card]:
    """A core Reply as messages: for a crisis, the emergency referral alone comes first."""
    urgent, blocks = _reply_blocks(reply, snapshot)
    return cards([urgent]) + cards(blocks, keyboard) if urgent else cards(blocks, keyboard)


def _reply_blocks(reply: Reply, snapshot: Snapshot) -> tuple[str, list[str]]:
    """(the emergency referral of a crisis, or ""; the rest of the reply as blocks)."""
    lang = reply.lang
    views = views_of(reply.services, snapshot, lang)
    urgent = ""
    if reply.kind == "crisis":
        must = _must_refer(reply, snapshot)
        first = [v for v in views if v.emergency or v.id in must]
        urgent = services_block(snapshot.text("crisis.heading", lang), first)
        views = [v for v in views if v not in first]
    blocks = _opening(reply, snapshot)
    if reply.choices:
        key = "abstain.did_you_mean" if reply.kind == "abstain" else "answer.did_you_mean"
        blocks.append(italic(snapshot.text(key, lang)))
    blocks.append(services_block(snapshot.text("referral.heading", lang), views))
    return urgent, blocks


def _opening(reply: Reply, snapshot: Snapshot) -> list[str]:
    if reply.kind == "abstain":
        key = "abstain.empty" if reply.reason == "empty" else "abstain.text"
        return paragraphs(snapshot.text(key, reply.lang))
    blocks = []
    if reply.entry and reply.kind == "answer":
        blocks.append(bold(title(snapshot, reply.entry, reply.lang)))
    return blocks + paragraphs(reply.body)


def _must_refer(reply: Reply, snapshot: Snapshot) -> tuple[str, ...]:
    topic = snapshot.topics.get(reply.topic or "")
    return topic.must_refer if topic else ()


def article_html(reply: Reply, snapshot: Snapshot, frame: Frame) -> str:
    """One self-contained message for inline mode: (emergency first,) answer, link to the bot."""
    urgent, blocks = _reply_blocks(reply, snapshot)
    text = next(iter(pack([urgent, *blocks], MAX_TEXT - _LINK_ROOM)), "")
    if reply.entry and frame.bot_username:
        target = deep_link(frame.bot_username, reply.entry)
        text += "\n\n" + link(target, snapshot.text("inline.open_in_bot", reply.lang))
    return text


def plain_cards(
    snapshot: Snapshot,
    key: str,
    lang: str,
    keyboard: InlineKeyboardMarkup | None = None,
    services: Sequence[str] = (),
    **values: object,
) -> list[Card]:
    """An interface string as escaped messages, then any services' lines from the directory."""
    lines = "\n".join(service_line(v) for v in views_of(services, snapshot, lang))
    return cards([*paragraphs(snapshot.text(key, lang, **values)), lines], keyboard)


def local_cards(
    plan: LocalRoute, snapshot: Snapshot, lang: str, keyboard: InlineKeyboardMarkup | None
) -> list[Card]:
    """Help near you: the local route (and what we know of the place), the CAW, services."""
    place = plan.place
    name = place.name(lang)
    heading = snapshot.text("local.heading", lang, name=name) if name else ""
    blocks = [bold(heading or snapshot.text("local.heading_general", lang))]
    if plan.old_name and plan.old_name not in (place.name_nl, place.name_fr):
        blocks.append(italic(snapshot.text("local.old_name", lang, old=plan.old_name, name=name)))
    if place.region == "wallonia":
        blocks += paragraphs(snapshot.text("local.wallonia", lang))
    else:
        route = snapshot.text("local.route", lang, name=name) if name else ""
        blocks += paragraphs(route or snapshot.text("local.route_general", lang))
        blocks += _contact_blocks(plan.contact, snapshot, lang)
        if place.caw:
            key = "local.caw_probably" if place.caw_uncertain else "local.caw"
            blocks.append(esc(snapshot.text(key, lang, caw=place.caw)))
        if place.region == "brussels":
            blocks += paragraphs(snapshot.text("local.brussels", lang))
    views = views_of(plan.services, snapshot, lang)
    blocks.append(services_block(snapshot.text("local.services", lang), views))
    return cards(blocks, keyboard)


def _contact_blocks(contact: Mapping[str, Any] | None, snapshot: Snapshot, lang: str) -> list[str]:
    """What a source says about this municipality, with its sourced contacts and pages."""
    if not contact:
        return []
    known = contact.get("known") or {}
    blocks = [bold(snapshot.text("local.known", lang))]
    blocks += paragraphs(str(known.get(lang) or known.get("nl") or ""))
    lines = []
    for item in contact.get("contacts") or ():
        label = (item.get("label") or {}).get(lang) or (item.get("label") or {}).get("nl") or ""
        reach = [esc(item[k]) for k in ("phone", "email") if item.get(k)]
        reach += [link(item["url"])] if item.get("url") else []
        lines.append(f"• {esc(label)}: " + " · ".join(reach))
    lines += [f"• {link(str(url))}" for url in contact.get("urls") or ()]
    return [*blocks, "\n".join(lines)] if lines else blocks
