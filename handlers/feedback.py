"""👍/👎 on an answer, and consent to keep an unanswered question.

A question's text is kept (scrubbed by storage) only after an explicit "yes", asked at most
once per session: after the bot could not answer, or after a 👎 on the answer to a question
typed in this chat. Until then it lives only in memory, for that one offer.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.dialogue import Brain, Reply
from bot.recorder import Recorder
from bot.storage import Storage
from handlers import keyboards, render
from handlers.send import edit, send
from handlers.session import Sessions

logger = logging.getLogger(__name__)

_PENDING, _ASKED, _LAST, _VOTED = "pending_gap", "gap_asked", "last_question", "voted"


class Feedback:
    """Votes and the one consent question per session."""

    def __init__(
        self, brain: Brain, storage: Storage, recorder: Recorder, sessions: Sessions
    ) -> None:
        self._brain = brain
        self._storage = storage
        self._recorder = recorder
        self._sessions = sessions

    async def after_reply(
        self, message: Message, user_data: dict[Any, Any], text: str, reply: Reply
    ) -> None:
        """After an unsure abstain, offer to keep the question; otherwise note it for a 👎."""
        if reply.kind == "abstain" and reply.reason == "unsure":
            await self._offer(message, user_data, (text, reply.lang, "abstain"))
        elif reply.entry:
            user_data[_LAST] = (reply.entry, text, reply.lang)

    async def on_vote(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """f:+:<entry> or f:-:<entry>: count the vote once; after 👎, offer to keep the question."""
        query = update.callback_query
        if query is None or context.user_data is None:
            return
        _, sign, entry = render.unpack(query.data)
        lang = (await self._sessions.get(update, context.user_data)).lang
        snapshot = self._brain.snapshot
        await query.answer(snapshot.text("feedback.thanks", lang))
        voted: set[str] = context.user_data.setdefault(_VOTED, set())
        if entry in voted or entry not in snapshot.by_id:
            return
        voted.add(entry)
        self._recorder.record_feedback(entry, 1 if sign == "+" else -1)
        logger.info("feedback entry=%s vote=%s", entry, sign)
        message = query.message
        if sign == "-" and isinstance(message, Message):
            await self._after_downvote(message, context.user_data, entry, lang)

    async def _after_downvote(
        self, message: Message, user_data: dict[Any, Any], entry: str, lang: str
    ) -> None:
        snapshot = self._brain.snapshot
        way_on = keyboards.topics_button(snapshot, lang)
        await send(message, render.plain_cards(snapshot, "feedback.sorry", lang, way_on))
        last = user_data.get(_LAST)
        if isinstance(last, tuple) and last[0] == entry:
            await self._offer(message, user_data, (last[1], last[2], "downvote"))

    async def _offer(
        self, message: Message, user_data: dict[Any, Any], pending: tuple[str, str, str]
    ) -> None:
        """Ask once per session whether the question may be kept."""
        if user_data.get(_ASKED):
            return
        user_data[_ASKED] = True
        user_data[_PENDING] = pending
        snapshot, lang = self._brain.snapshot, pending[1]
        keyboard = keyboards.yes_no(snapshot, lang, "g")
        await send(message, render.plain_cards(snapshot, "gap.ask", lang, keyboard))

    async def on_consent(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """g:y keeps the pending question (storage scrubs it); g:n forgets it."""
        query = update.callback_query
        if query is None or context.user_data is None:
            return
        await query.answer()
        pending = context.user_data.pop(_PENDING, None)
        user = update.effective_user
        answer = render.unpack(query.data)[-1]
        lang = pending[1] if pending else (await self._sessions.get(update, context.user_data)).lang
        if answer == "y" and pending and user is not None:
            text, lang, reason = pending
            self._recorder.add_gap(text, lang, reason, self._storage.user_key(user.id))
            key = "gap.kept"
        else:
            key = "gap.not_kept" if answer == "n" else "gap.expired"
        await edit(query, render.plain_cards(self._brain.snapshot, key, lang)[0])
