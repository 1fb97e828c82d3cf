"""Inline mode: "@bot beroepsgeheim" in any chat offers up to ten answers to send there.

An empty query offers the most-read topics (or the main answers before anyone asked).
A crisis message typed inline gets the emergency referral as the first result.
"""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import InlineQueryLimit, ParseMode
from telegram.ext import ContextTypes

from bot.dialogue import Brain, Reply, Session
from handlers import render
from handlers.popular import Popular
from handlers.send import NO_PREVIEW
from handlers.session import Sessions

MAX_RESULTS = int(InlineQueryLimit.RESULTS)  # 50 allowed; ten are plenty on a phone
SHOWN = min(10, MAX_RESULTS)
DESCRIPTION = 100


class Inline:
    def __init__(self, brain: Brain, sessions: Sessions, popular: Popular) -> None:
        self._brain = brain
        self._sessions = sessions
        self._popular = popular

    async def on_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer an inline query with articles: title, short description, full answer."""
        query = update.inline_query
        if query is None:
            return
        user_data = context.user_data if context.user_data is not None else {}
        session = self._sessions.current(user_data, query.from_user)
        frame = render.Frame(bot_username=context.bot.username or "")
        results: dict[str, InlineQueryResultArticle] = {}
        for reply in self._replies(query.query.strip(), session):
            article = self._article(reply, frame)
            results.setdefault(article.id, article)  # Telegram refuses duplicate ids
        await query.answer(list(results.values())[:SHOWN], cache_time=30, is_personal=True)

    def _replies(self, text: str, session: Session) -> list[Reply]:
        if not text:
            ids = self._popular.entries(self._brain.snapshot, SHOWN)
            return [r for r in (self._brain.entry_reply(e, session) for e in ids) if r]
        first = self._brain.respond(text, session)
        lang_session = Session(lang=first.lang, audience=session.audience)
        replies = [first] if first.kind == "crisis" else []
        for match in self._brain.index.rank(text, limit=SHOWN):
            reply = self._brain.entry_reply(match.entry_id, lang_session)
            if reply is not None:
                replies.append(reply)
        return replies

    def _article(self, reply: Reply, frame: render.Frame) -> InlineQueryResultArticle:
        snapshot, lang = self._brain.snapshot, reply.lang
        if reply.kind == "crisis":
            title = snapshot.text("inline.crisis_title", lang)
            description = snapshot.text("crisis.heading", lang)
        else:
            title = render.title(snapshot, reply.entry or "", lang)
            description = _excerpt(reply.body)
        html = render.article_html(reply, snapshot, frame)
        return _article(reply.entry or f"crisis-{reply.topic}", title, description, html)


def _article(result_id: str, title: str, description: str, html: str) -> InlineQueryResultArticle:
    content = InputTextMessageContent(
        html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
    )
    return InlineQueryResultArticle(result_id, title, content, description=description)


def _excerpt(body: str) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= DESCRIPTION else flat[: DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"
