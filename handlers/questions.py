"""Free-text questions and answers picked by button or link: core → render → send → record.

The question text is read, answered and forgotten: it is never logged, never recorded, and
never repeated back (in a group the reply does not even quote it). An unanswered question is
kept only when the person says yes to keeping it (handlers/feedback.py).
"""

from __future__ import annotations

import logging
import re

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.dialogue import Brain, Reply
from bot.recorder import Recorder
from handlers import keyboards, render
from handlers.feedback import Feedback
from handlers.local import Local
from handlers.popular import Popular
from handlers.send import frame, is_private, send
from handlers.session import Sessions, user_data_of

logger = logging.getLogger(__name__)


class Answers:
    """Answers questions typed as text, and shows answers chosen by button or deep link."""

    def __init__(
        self,
        brain: Brain,
        sessions: Sessions,
        recorder: Recorder,
        settings: Settings,
        extras: tuple[Feedback, Local, Popular],
    ) -> None:
        self._brain = brain
        self._sessions = sessions
        self._recorder = recorder
        self._settings = settings
        self._feedback, self._local, self._popular = extras

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a question typed as free text (in a group: only when addressed)."""
        message = update.effective_message
        if message is None or message.text is None or context.user_data is None:
            return
        text = without_mention(message.text, context.bot.username or "")
        if await self._local.take_text(update, context, text):
            return
        session = await self._sessions.get(update, context.user_data)
        reply = self._brain.respond(text, session)
        private = is_private(message)
        await send(message, self._cards(reply, context, private))
        self._record(reply, "clarify" if reply.kind == "answer" and reply.choices else reply.kind)
        if private:
            await self._feedback.after_reply(message, context.user_data, text, reply)

    async def on_entry(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """e:<entry> — a related question, a did-you-mean choice, a topic or search pick."""
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        entry_id = render.unpack(query.data)[-1]
        message = query.message
        if isinstance(message, Message) and not await self.show_entry(
            update, context, message, entry_id
        ):
            await self._gone(message, self._sessions.current(user_data_of(context)).lang)

    async def show_entry(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, entry_id: str
    ) -> bool:
        """Send one answer as if it had been asked; False when the id is unknown."""
        if context.user_data is None:
            return False
        session = await self._sessions.get(update, context.user_data)
        reply = self._brain.entry_reply(entry_id, session)
        if reply is None:
            return False
        await send(message, self._cards(reply, context, is_private(message)))
        self._record(reply, "crisis" if reply.kind == "crisis" else "view")
        return True

    async def _gone(self, message: Message, lang: str) -> None:
        """A button from before a knowledge update, pointing to an answer that is gone."""
        snapshot = self._brain.snapshot
        keyboard = keyboards.topics_button(snapshot, lang)
        await send(message, render.plain_cards(snapshot, "entry.gone", lang, keyboard))

    def _cards(
        self, reply: Reply, context: ContextTypes.DEFAULT_TYPE, private: bool
    ) -> list[render.Card]:
        snapshot = self._brain.snapshot
        keyboard = keyboards.for_reply(reply, snapshot, frame(context, self._settings, private))
        return render.reply_cards(reply, snapshot, keyboard)

    def _record(self, reply: Reply, kind: str) -> None:
        """Count what happened (kind, topic, entry, score, language), never what was said."""
        if reply.topic and kind in ("answer", "clarify", "view"):
            self._popular.note(reply.topic)
        self._recorder.record_event(
            kind, topic=reply.topic, entry=reply.entry, score=reply.score, lang=reply.lang
        )
        logger.info(
            "replied kind=%s topic=%s entry=%s score=%.0f lang=%s",
            kind, reply.topic, reply.entry, reply.score, reply.lang,
        )  # fmt: skip


def without_mention(text: str, bot_username: str) -> str:
    """The question without "@ourbot" (how people address the bot in a group)."""
    if not bot_username:
        return text.strip()
    return re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE).strip()
