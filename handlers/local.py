"""/local: help near you, from a postcode or a municipality name (old names accepted).

A simple per-chat state: after /local the next text is read as a place for a few minutes.
Crisis messages always win over that state, and a real question typed instead of a place is
answered as a question. There are no coordinates in our place data, so a shared location is
answered with a kind request for the postcode. The municipality is saved only on "yes".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.dialogue import Brain
from bot.places import Resolution
from handlers import keyboards, render
from handlers.local_route import Place, lookup, place_of, route
from handlers.send import is_private, private_only, send
from handlers.session import Sessions

logger = logging.getLogger(__name__)

WAIT_SECONDS = 600.0
MAX_TRIES = 3
_UNTIL, _TRIES, _CHOICES = "place_until", "place_tries", "place_choices"


class Local:
    """The /local conversation: ask, resolve, show the route, offer to remember."""

    def __init__(
        self, brain: Brain, sessions: Sessions, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._brain = brain
        self._sessions = sessions
        self._clock = clock

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/local [postcode or name]: show the route, or ask where."""
        message, chat_data, user_data = (
            update.effective_message,
            context.chat_data,
            context.user_data,
        )
        if message is None or chat_data is None or user_data is None:
            return
        session = await self._sessions.get(update, user_data)
        snapshot = self._brain.snapshot
        if await private_only(message, snapshot, session.lang):
            return
        if snapshot.places is None:
            await self._show(message, user_data, Place(nis="", name_nl="", region="flanders"))
            return
        if context.args and await self._resolve(message, context, " ".join(context.args)):
            return
        known = lookup(snapshot.places, session.municipality or "")
        if known is not None and not context.args:
            await self._show(message, user_data, known)
            return
        await self._ask(message, chat_data, session.lang, "local.ask")

    def awaiting(self, chat_data: dict[Any, Any] | None) -> bool:
        """True for a few minutes after /local asked where (the next text is a place)."""
        if not chat_data:
            return False
        return float(chat_data.get(_UNTIL, 0.0)) > self._clock()

    async def take_text(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str
    ) -> bool:
        """Read `text` as a place if /local is waiting for one; False lets it be a question."""
        message, chat_data = update.effective_message, context.chat_data
        if message is None or chat_data is None or not self.awaiting(chat_data):
            return False
        snapshot = self._brain.snapshot
        if snapshot.crisis is not None and snapshot.crisis.detect(text) is not None:
            chat_data.pop(_UNTIL, None)  # a crisis always wins: answered as one
            return False
        return await self._resolve(message, context, text)

    async def _resolve(
        self, message: Message, context: ContextTypes.DEFAULT_TYPE, text: str
    ) -> bool:
        chat_data, user_data = context.chat_data, context.user_data
        if chat_data is None or user_data is None:
            return False
        session = self._sessions.current(user_data, message.from_user)
        snapshot, lang = self._brain.snapshot, session.lang
        found: Resolution = snapshot.places.resolve(text)
        candidates = [place_of(m) for m in found.municipalities]
        if found.status == "found" and candidates:
            chat_data.pop(_UNTIL, None)
            await self._show(message, user_data, candidates[0], found.via_old_name or "")
        elif found.status == "ambiguous" and candidates:
            chat_data[_CHOICES] = {p.nis: p for p in candidates}
            keyboard = keyboards.places([(p.nis, p.name(lang)) for p in candidates])
            await send(message, render.plain_cards(snapshot, "local.ambiguous", lang, keyboard))
        elif found.region_hint:  # a real postcode our data lacks
            chat_data.pop(_UNTIL, None)
            await self._show(message, user_data, Place("", "", region=found.region_hint))
        elif self._brain.respond(text, session).kind != "abstain":
            chat_data.pop(_UNTIL, None)
            return False  # a question, not a place: answer it
        else:
            await self._not_found(message, chat_data, lang)
        return True

    async def _not_found(self, message: Message, chat_data: dict[Any, Any], lang: str) -> None:
        tries = int(chat_data.get(_TRIES, 0)) + 1
        chat_data[_TRIES] = tries
        if tries >= MAX_TRIES:
            chat_data.pop(_UNTIL, None)
            snapshot = self._brain.snapshot
            keyboard = keyboards.topics_button(snapshot, lang)
            await send(
                message, render.plain_cards(snapshot, "local.give_up", lang, keyboard, ("caw",))
            )
            return
        await send(message, render.plain_cards(self._brain.snapshot, "local.not_found", lang))

    async def _ask(self, message: Message, chat_data: dict[Any, Any], lang: str, key: str) -> None:
        chat_data[_UNTIL] = self._clock() + WAIT_SECONDS
        chat_data[_TRIES] = 0
        await send(message, render.plain_cards(self._brain.snapshot, key, lang))

    async def _show(
        self, message: Message, user_data: dict[Any, Any], place: Place, old: str = ""
    ) -> None:
        session = self._sessions.current(user_data, message.from_user)
        if place.nis:
            session = self._sessions.change(user_data, municipality=place.nis)
        saved = self._sessions.saved(user_data)
        ask = bool(place.nis) and (saved is None or saved.municipality_nis != place.nis)
        snapshot = self._brain.snapshot
        plan = route(snapshot, place, session.audience, session.lang, old)
        kb = keyboards.after_local(snapshot, session.lang, ask_remember=ask)
        await send(message, render.local_cards(plan, snapshot, session.lang, kb))
        logger.info("local route region=%s known=%s", place.region, plan.contact is not None)

    async def on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared location: there are no coordinates in our data, so kindly ask for the postcode."""
        message, chat_data, user_data = (
            update.effective_message,
            context.chat_data,
            context.user_data,
        )
        if message is None or chat_data is None or user_data is None or not is_private(message):
            return
        lang = (await self._sessions.get(update, user_data)).lang
        if self.awaiting(chat_data):
            await self._ask(message, chat_data, lang, "local.location")
            return
        keyboard = keyboards.topics_button(self._brain.snapshot, lang)
        await send(
            message, render.plain_cards(self._brain.snapshot, "other.location", lang, keyboard)
        )

    async def on_pick(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """pl:<nis>: the person chose one of several municipalities."""
        query, chat_data, user_data = update.callback_query, context.chat_data, context.user_data
        if query is None or chat_data is None or user_data is None:
            return
        await query.answer()
        await self._sessions.get(update, user_data)
        nis = render.unpack(query.data)[-1]
        place = (chat_data.get(_CHOICES) or {}).get(nis) or lookup(self._brain.snapshot.places, nis)
        if place is not None and isinstance(query.message, Message):
            chat_data.pop(_UNTIL, None)
            await self._show(query.message, user_data, place)

    async def on_remember(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """rm:y saves the municipality in the person's preferences; rm:n does not."""
        query, user, user_data = update.callback_query, update.effective_user, context.user_data
        if query is None or user is None or user_data is None:
            return
        await query.answer()
        session = await self._sessions.get(update, user_data)
        yes = render.unpack(query.data)[-1] == "y" and bool(session.municipality)
        if yes:
            self._sessions.save(user.id, user_data, municipality_nis=session.municipality)
        key = "local.remembered" if yes else "local.not_remembered"
        await query.edit_message_reply_markup(None)
        if isinstance(query.message, Message):
            await send(query.message, render.plain_cards(self._brain.snapshot, key, session.lang))

    async def on_again(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """lo: look up another place."""
        query, chat_data, user_data = update.callback_query, context.chat_data, context.user_data
        if query is None or chat_data is None or user_data is None:
            return
        await query.answer()
        lang = (await self._sessions.get(update, user_data)).lang
        if isinstance(query.message, Message):
            await self._ask(query.message, chat_data, lang, "local.ask")
