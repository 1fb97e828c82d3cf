"""Browsing: /topics (paged, filtered by the person's role) and /search <words>."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.dialogue import Brain
from bot.model import Snapshot
from handlers import keyboards, render
from handlers.send import edit, send
from handlers.session import Sessions

SEARCH_RESULTS = 5


class Browse:
    """Topic menu and search: both end in buttons that open an answer (e:<entry>)."""

    def __init__(self, brain: Brain, sessions: Sessions) -> None:
        self._brain = brain
        self._sessions = sessions

    async def on_topics(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/topics, /themas, /themes: the first page of topics."""
        message, user_data = update.effective_message, context.user_data
        if message is None or user_data is None:
            return
        session = await self._sessions.get(update, user_data)
        await send(message, [self._menu(session.lang, session.audience, 0)])

    async def on_page(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """tp:<page>: another page of the menu (the same message is updated)."""
        query, user_data = update.callback_query, context.user_data
        if query is None or user_data is None:
            return
        await query.answer()
        session = await self._sessions.get(update, user_data)
        page = render.unpack(query.data)[-1]
        card = self._menu(session.lang, session.audience, int(page) if page.isdigit() else 0)
        if isinstance(query.message, Message) and query.message.text:
            await edit(query, card)
        elif isinstance(query.message, Message):
            await send(query.message, [card])

    async def on_topic(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """t:<topic>: the questions of one topic, each a button."""
        query, user_data = update.callback_query, context.user_data
        if query is None or user_data is None:
            return
        await query.answer()
        session = await self._sessions.get(update, user_data)
        topic = render.unpack(query.data)[-1]
        snapshot = self._brain.snapshot
        ids = entries_of(snapshot, topic, session.audience)
        heading = snapshot.text(
            "topics.entries", session.lang, topic=topic_name(snapshot, topic, session.lang)
        )
        keyboard = keyboards.entries(snapshot, ids, session.lang, back=True)
        await edit(query, render.Card(render.bold(heading), keyboard))

    async def on_search(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/search <words>: the five best answers as buttons."""
        message, user_data = update.effective_message, context.user_data
        if message is None or user_data is None:
            return
        lang = (await self._sessions.get(update, user_data)).lang
        snapshot = self._brain.snapshot
        words = " ".join(context.args or ())
        if not words.strip():
            await send(message, render.plain_cards(snapshot, "search.usage", lang))
            return
        ids = [m.entry_id for m in self._brain.index.rank(words, limit=SEARCH_RESULTS)]
        if not ids:
            keyboard = keyboards.topics_button(snapshot, lang)
            await send(message, render.plain_cards(snapshot, "search.none", lang, keyboard))
            return
        keyboard = keyboards.entries(snapshot, ids, lang)
        await send(message, render.plain_cards(snapshot, "search.heading", lang, keyboard))

    def _menu(self, lang: str, audience: str | None, page: int) -> render.Card:
        snapshot = self._brain.snapshot
        keyboard = keyboards.topics_page(snapshot, topics_for(snapshot, audience), page, lang)
        return render.Card(render.bold(snapshot.text("topics.heading", lang)), keyboard)


def _fits(audience_of_item: str, audience: str | None) -> bool:
    return audience is None or audience_of_item in ("all", audience)


def topics_for(snapshot: Snapshot, audience: str | None) -> list[str]:
    """Answer topics that have entries for this person, in catalogue order (all if none fit)."""
    answerable = [
        t.id
        for t in snapshot.topics.values()
        if t.kind == "answer" and any(e.topic == t.id for e in snapshot.entries)
    ]
    fitting = [t for t in answerable if _fits(snapshot.topics[t].audience, audience)]
    return fitting or answerable


def entries_of(snapshot: Snapshot, topic: str, audience: str | None) -> list[str]:
    ids = [e for e in snapshot.entries if e.topic == topic]
    fitting = [e.id for e in ids if _fits(e.audience, audience)]
    return fitting or [e.id for e in ids]


def topic_name(snapshot: Snapshot, topic: str, lang: str) -> str:
    return snapshot.text(f"topic.{topic}", lang)
