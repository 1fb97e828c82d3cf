"""/forget (erase everything stored about me, after a confirmation) and /mydata (a JSON copy).

Both are personal, so they work only in the private chat with the bot.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict

from telegram import InputFile, Message, Update
from telegram.ext import ContextTypes

from bot.dialogue import Brain
from bot.recorder import Recorder
from bot.storage import Storage
from handlers import keyboards, render
from handlers.send import edit, private_only, send
from handlers.session import Sessions, user_data_of

logger = logging.getLogger(__name__)

EXPORT_NAME = "helpdesk-my-data.json"
DRAIN_SECONDS = 5.0


class Privacy:
    def __init__(
        self, brain: Brain, storage: Storage, recorder: Recorder, sessions: Sessions
    ) -> None:
        self._brain = brain
        self._storage = storage
        self._recorder = recorder
        self._sessions = sessions

    async def on_forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/forget, /vergeet, /oublier: ask for a confirmation first."""
        message = await self._private(update, context)
        if message is None:
            return
        lang = self._sessions.current(user_data_of(context), update.effective_user).lang
        keyboard = keyboards.yes_no(self._brain.snapshot, lang, "fg")
        await send(message, render.plain_cards(self._brain.snapshot, "forget.ask", lang, keyboard))

    async def on_forget_choice(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """fg:y erases every stored row and this conversation's memory; fg:n keeps them."""
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        await query.answer()
        lang = self._sessions.current(user_data_of(context), user).lang
        if render.unpack(query.data)[-1] != "y":
            await edit(query, render.plain_cards(self._brain.snapshot, "forget.cancelled", lang)[0])
            return
        await self._drain()
        count = await self._storage.forget_user(user.id)
        for data in (context.user_data, context.chat_data):
            if data is not None:
                data.clear()
        logger.info("forgot a user: %d rows", count)
        await edit(
            query, render.plain_cards(self._brain.snapshot, "forget.done", lang, count=count)[0]
        )

    async def on_mydata(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/mydata, /mijngegevens, /mesdonnees: everything stored, as a JSON document."""
        message = await self._private(update, context)
        user = update.effective_user
        if message is None or user is None:
            return
        session = await self._sessions.get(update, user_data_of(context))
        await self._drain()
        export = await self._storage.export_user(user.id)
        export["this_conversation"] = asdict(session)
        payload = json.dumps(export, ensure_ascii=False, indent=2, default=str).encode()
        caption = render.plain_cards(self._brain.snapshot, "mydata.caption", session.lang)[0].text
        await message.reply_document(
            InputFile(payload, filename=EXPORT_NAME),
            caption=caption,
            parse_mode="HTML",
            do_quote=False,
        )

    async def _private(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> Message | None:
        """The message when in a private chat; in a group, point to the private chat instead."""
        message = update.effective_message
        lang = self._sessions.current(user_data_of(context), update.effective_user).lang
        if message is None or await private_only(message, self._brain.snapshot, lang):
            return None
        return message

    async def _drain(self) -> None:
        """Let queued writes land first, so nothing about the person arrives after the erase."""
        try:
            await asyncio.wait_for(self._recorder.flush(), DRAIN_SECONDS)
        except RuntimeError:  # recorder not started (tests, or start-up still running)
            logger.debug("recorder not running; nothing to drain")
        except TimeoutError:
            logger.warning("recorder did not drain in %.0f s; erasing anyway", DRAIN_SECONDS)
