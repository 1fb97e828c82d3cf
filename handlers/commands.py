"""/start (with deep links), /help, /about, /privacy, /language and the choices they offer."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.dialogue import Brain
from bot.model import LANGS
from handlers import keyboards, render
from handlers.questions import Answers
from handlers.send import send
from handlers.session import Sessions

logger = logging.getLogger(__name__)

LANG_PAYLOAD = "lang-"


class Commands:
    """Greeting and onboarding; every text comes from knowledge/strings/telegram.yaml."""

    def __init__(self, brain: Brain, sessions: Sessions, answers: Answers) -> None:
        self._brain = brain
        self._sessions = sessions
        self._answers = answers

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, /start lang-fr, or /start <entry-id> (a shared answer)."""
        message, user_data = update.effective_message, context.user_data
        if message is None or user_data is None:
            return
        session = await self._sessions.get(update, user_data)
        payload = context.args[0] if context.args else ""
        if payload.startswith(LANG_PAYLOAD) and payload[len(LANG_PAYLOAD) :] in LANGS:
            session = self._sessions.change(user_data, lang=payload[len(LANG_PAYLOAD) :])
        elif payload and await self._answers.show_entry(update, context, message, payload):
            logger.info("deep link opened entry=%s", payload)
            return
        snapshot = self._brain.snapshot
        keyboard = keyboards.start(snapshot, session.lang)
        await send(message, render.plain_cards(snapshot, "start.welcome", session.lang, keyboard))

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/help, and any command the bot does not know."""
        await self._say(update, context, "help.text", topics=True)

    async def on_about(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._say(update, context, "about.text")

    async def on_privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The privacy answer from the knowledge base when there is one, else the string."""
        message = update.effective_message
        entry = next((e for e in self._brain.snapshot.entries if e.topic == "privacy"), None)
        if message is not None and entry is not None:
            await self._answers.show_entry(update, context, message, entry.id)
            return
        await self._say(update, context, "privacy.text")

    async def on_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/language, /taal, /langue: three buttons."""
        message, user_data = update.effective_message, context.user_data
        if message is None or user_data is None:
            return
        lang = (await self._sessions.get(update, user_data)).lang
        keyboard = keyboards.languages(lang)
        await send(message, render.plain_cards(self._brain.snapshot, "lang.choose", lang, keyboard))

    async def on_audience(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """a:parent | a:professional — orders answers and services for this person."""
        query, user, user_data = update.callback_query, update.effective_user, context.user_data
        if query is None or user is None or user_data is None:
            return
        await query.answer()
        audience = render.unpack(query.data)[-1]
        if audience not in ("parent", "professional"):
            return
        await self._sessions.get(update, user_data)
        session = self._sessions.save(user.id, user_data, audience=audience)
        await self._confirm(query.message, f"audience.{audience}", session.lang)

    async def on_language_choice(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """l:<lang> — the interface language (answers follow the language of each question)."""
        query, user, user_data = update.callback_query, update.effective_user, context.user_data
        if query is None or user is None or user_data is None:
            return
        await query.answer()
        lang = render.unpack(query.data)[-1]
        if lang not in LANGS:
            return
        await self._sessions.get(update, user_data)
        self._sessions.save(user.id, user_data, language=lang)
        await self._confirm(query.message, "lang.set", lang)

    async def _confirm(self, message: object, key: str, lang: str) -> None:
        if isinstance(message, Message):
            keyboard = keyboards.topics_button(self._brain.snapshot, lang)
            await send(message, render.plain_cards(self._brain.snapshot, key, lang, keyboard))

    async def _say(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, topics: bool = False
    ) -> None:
        message, user_data = update.effective_message, context.user_data
        if message is None or user_data is None:
            return
        lang = (await self._sessions.get(update, user_data)).lang
        snapshot = self._brain.snapshot
        keyboard = keyboards.topics_button(snapshot, lang) if topics else None
        await send(message, render.plain_cards(snapshot, key, lang, keyboard))
