"""Inline keyboard layouts (labels from the interface strings; callback_data via render.button).

Callback data prefixes, all handled in handlers/app.py's one registration block:
    e:<entry>      show an answer           a:<audience>   parent | professional
    l:<lang>       interface language       f:<+|->:<entry> feedback
    g:<y|n>        keep an unanswered question (consent)
    tp:<page>      topic menu page          t:<topic>      a topic's questions
    fg:<y|n>       forget me (confirmation) pl:<nis>       pick a municipality
    rm:<y|n>       remember my municipality lo             look up another place
    ho             talk to a person
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.dialogue import Reply
from bot.model import LANGS, Snapshot
from handlers.render import Frame, Rows, button, markup, share_url, title, url_button

LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}
TOPICS_PER_PAGE = 8


def for_reply(reply: Reply, snapshot: Snapshot, frame: Frame) -> InlineKeyboardMarkup | None:
    """Did-you-mean, related questions, feedback and share, a person; never a dead end."""
    lang = reply.lang
    rows: Rows = [[button(title(snapshot, c, lang), "e", c)] for c in reply.choices]
    rows += [[button("➜ " + title(snapshot, r, lang), "e", r)] for r in reply.related]
    if reply.entry and frame.feedback:
        rows.append(_feedback_row(reply, snapshot, frame))
    if reply.kind == "abstain":
        rows.append([button(snapshot.text("button.topics", lang), "tp", 0)])
    if frame.handoff:
        rows.append([button(snapshot.text("button.handoff", lang), "ho")])
    return markup(rows)


def _feedback_row(reply: Reply, snapshot: Snapshot, frame: Frame) -> list[InlineKeyboardButton]:
    entry = reply.entry or ""
    row = [button("👍", "f", "+", entry), button("👎", "f", "-", entry)]
    if frame.bot_username:
        share = share_url(frame.bot_username, entry, title(snapshot, entry, reply.lang))
        row.append(url_button(snapshot.text("button.share", reply.lang), share))
    return row


def start(snapshot: Snapshot, lang: str) -> InlineKeyboardMarkup | None:
    """I am a parent / I work with young people, then the three languages."""
    return markup(
        [
            [button(snapshot.text("button.parent", lang), "a", "parent")],
            [button(snapshot.text("button.professional", lang), "a", "professional")],
            _language_row(lang),
        ]
    )


def languages(lang: str) -> InlineKeyboardMarkup | None:
    return markup([_language_row(lang)])


def _language_row(current: str) -> list[InlineKeyboardButton]:
    return [
        button(("✓ " if code == current else "") + LANGUAGE_NAMES[code], "l", code)
        for code in LANGS
    ]


def yes_no(snapshot: Snapshot, lang: str, prefix: str) -> InlineKeyboardMarkup | None:
    return markup(
        [
            [
                button(snapshot.text("button.yes", lang), prefix, "y"),
                button(snapshot.text("button.no", lang), prefix, "n"),
            ]
        ]
    )


def topics_page(
    snapshot: Snapshot, topics: Sequence[str], page: int, lang: str
) -> InlineKeyboardMarkup | None:
    """One page of topics, two a row, with ◀ ▶ when there are more."""
    last = max(0, (len(topics) - 1) // TOPICS_PER_PAGE)
    page = min(max(page, 0), last)
    shown = topics[page * TOPICS_PER_PAGE : (page + 1) * TOPICS_PER_PAGE]
    names = [button(snapshot.text(f"topic.{t}", lang), "t", t) for t in shown]
    rows: Rows = [names[i : i + 2] for i in range(0, len(names), 2)]
    nav = []
    if page > 0:
        nav.append(button("◀ " + snapshot.text("button.previous", lang), "tp", page - 1))
    if page < last:
        nav.append(button(snapshot.text("button.next", lang) + " ▶", "tp", page + 1))
    return markup([*rows, nav])


def entries(
    snapshot: Snapshot, entry_ids: Sequence[str], lang: str, back: bool = False
) -> InlineKeyboardMarkup | None:
    """One button per answer (its title), and "back to topics" when browsing."""
    rows: Rows = [[button(title(snapshot, e, lang), "e", e)] for e in entry_ids]
    if back:
        rows.append([button("◀ " + snapshot.text("button.topics", lang), "tp", 0)])
    return markup(rows)


def places(names: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup | None:
    """Municipalities to choose from: (nis, shown name)."""
    return markup([[button(name, "pl", nis)] for nis, name in names])


def after_local(snapshot: Snapshot, lang: str, ask_remember: bool) -> InlineKeyboardMarkup | None:
    rows: Rows = []
    if ask_remember:
        rows.append(
            [
                button(snapshot.text("local.remember_yes", lang), "rm", "y"),
                button(snapshot.text("local.remember_no", lang), "rm", "n"),
            ]
        )
    rows.append([button(snapshot.text("button.other_place", lang), "lo")])
    return markup(rows)


def private_chat(snapshot: Snapshot, lang: str, bot_username: str) -> InlineKeyboardMarkup | None:
    """A button that opens the private chat with the bot (for personal commands in groups)."""
    if not bot_username:
        return None
    url = f"https://t.me/{bot_username}"
    return markup([[url_button(snapshot.text("button.open_private", lang), url)]])


def topics_button(snapshot: Snapshot, lang: str) -> InlineKeyboardMarkup | None:
    return markup([[button(snapshot.text("button.topics", lang), "tp", 0)]])
