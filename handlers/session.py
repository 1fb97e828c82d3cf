"""The core Session per person, kept in `context.user_data`, and the choices they saved.

Only what a person chose is saved: the language and role they pick with a button, and their
municipality when they answer "yes" to "remember it?". Saved choices are loaded once, on
first contact, with a short timeout; a storage failure only means starting from defaults.
Writes go through the Recorder, so no answer ever waits for the database.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from functools import partial
from typing import Any

from telegram import Update, User
from telegram.ext import CallbackContext

from bot.dialogue import Session
from bot.model import LANGS
from bot.recorder import EXPECTED_FAILURES, Recorder
from bot.storage import Storage
from bot.storage_types import Preferences

logger = logging.getLogger(__name__)

LOAD_TIMEOUT = 2.0
_SESSION, _SAVED = "session", "saved"


def language_of(user: User | None) -> str:
    """nl, fr or en from the Telegram app's language ("fr-BE" → "fr"); nl otherwise."""
    code = (user.language_code or "") if user else ""
    lang = code.split("-")[0].lower()
    return lang if lang in LANGS else "nl"


def user_data_of(context: CallbackContext[Any, Any, Any, Any]) -> dict[Any, Any]:
    """PTB's per-user dict, or a throwaway one for updates without a user (channel posts)."""
    data = context.user_data
    return data if isinstance(data, dict) else {}


class Sessions:
    """Reads and changes the per-person Session; saves only chosen preferences."""

    def __init__(self, storage: Storage, recorder: Recorder) -> None:
        self._storage = storage
        self._recorder = recorder

    async def get(self, update: Update, user_data: dict[Any, Any]) -> Session:
        """The person's Session, loading their saved choices on first contact."""
        session = user_data.get(_SESSION)
        if isinstance(session, Session):
            return session
        user = update.effective_user
        session = Session(lang=language_of(user))
        saved = await self._load(user.id) if user else None
        if saved is not None:
            user_data[_SAVED] = saved
            session = Session(
                lang=saved.language or session.lang,
                audience=saved.audience,
                municipality=saved.municipality_nis,
            )
        user_data[_SESSION] = session
        return session

    def current(self, user_data: dict[Any, Any], user: User | None = None) -> Session:
        """The Session as it is now, without touching storage (error paths, quick reads)."""
        session = user_data.get(_SESSION)
        return session if isinstance(session, Session) else Session(lang=language_of(user))

    def change(self, user_data: dict[Any, Any], **fields: Any) -> Session:
        """Change this conversation's Session only (nothing is saved)."""
        session = replace(self.current(user_data), **fields)
        user_data[_SESSION] = session
        return session

    def save(self, user_id: int, user_data: dict[Any, Any], **fields: Any) -> Session:
        """Change the Session and remember these fields (language, audience, municipality_nis)."""
        names = {"language": "lang", "audience": "audience", "municipality_nis": "municipality"}
        session = self.change(user_data, **{names[k]: v for k, v in fields.items()})
        saved = replace(user_data.get(_SAVED) or Preferences(), **fields)
        user_data[_SAVED] = saved
        key = self._storage.user_key(user_id)
        self._recorder.submit(partial(self._storage.set_preferences, key, saved))
        return session

    def saved(self, user_data: dict[Any, Any]) -> Preferences | None:
        value = user_data.get(_SAVED)
        return value if isinstance(value, Preferences) else None

    async def _load(self, user_id: int) -> Preferences | None:
        key = self._storage.user_key(user_id)
        try:
            return await asyncio.wait_for(self._storage.get_preferences(key), LOAD_TIMEOUT)
        except (*EXPECTED_FAILURES, TimeoutError) as error:
            logger.warning(
                "could not load saved preferences (%s); using defaults", type(error).__name__
            )
            return None
