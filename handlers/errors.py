"""The one error handler: log with context, apologise, translated.

The log line names the update id, the kind of chat and of update: enough to find the trace,
and nothing that identifies the person (no chat or user id, no text, never the token).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.dialogue import Brain
from handlers import render
from handlers.send import send
from handlers.session import Sessions, user_data_of

logger = logging.getLogger(__name__)

FALLBACK = "Sorry, something went wrong. Please try again. In danger: call 112 or 101."
"""Only if the knowledge base itself cannot supply the translated text."""


class Errors:
    def __init__(self, brain: Brain, sessions: Sessions) -> None:
        self._brain = brain
        self._sessions = sessions

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log first (with the traceback), then tell the person, never showing the error."""
        update = update if isinstance(update, Update) else None
        logger.error(
            "error handling update=%s chat=%s kind=%s",
            update.update_id if update else None,
            update.effective_chat.type if update and update.effective_chat else None,
            _kind(update),
            exc_info=context.error,
        )
        if update is None or update.effective_message is None:
            return
        if update.callback_query is not None:
            await self._quietly(update.callback_query.answer())
        lang = self._sessions.current(user_data_of(context), update.effective_user).lang
        await self._quietly(send(update.effective_message, self._cards(lang)))

    def _cards(self, lang: str) -> list[render.Card]:
        snapshot = self._brain.snapshot
        if "error.generic" not in snapshot.strings:
            return [render.Card(render.esc(FALLBACK))]
        return render.plain_cards(snapshot, "error.generic", lang)

    @staticmethod
    async def _quietly(call: object) -> None:
        """Telling the person may fail too (network, blocked bot): log it, never loop."""
        try:
            await call  # type: ignore[misc]
        except TelegramError as error:
            logger.warning("could not send the error notice: %s", type(error).__name__)


def _kind(update: Update | None) -> str:
    if update is None:
        return "none"
    if update.callback_query is not None:
        return "callback"
    if update.inline_query is not None:
        return "inline"
    return "message" if update.message is not None else "other"
