"""The real Application on the recording fake request: `process_update`, no network."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from telegram import Update

from bot.config import Settings
from bot.dialogue import Brain
from bot.recorder import Recorder
from bot.storage import Storage
from handlers.app import App, build_application
from tests.fakes import TOKEN, FakeBotApi

SECRET = b"test-secret-for-hashing"
MODERATOR = 9000
SETTINGS = Settings(telegram_token=TOKEN, secret=SECRET, moderators=frozenset({MODERATOR}))


@dataclass
class Bot:
    """One running bot under test: the app, its fake API, storage and recorder."""

    app: App
    api: FakeBotApi
    storage: Storage
    recorder: Recorder

    async def feed(self, data: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(data, self.app.bot))

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return self.api.called(method)

    def texts(self) -> list[str]:
        """What the person sees in each message sent (tags removed, entities decoded)."""
        return [visible(t) for t in self.api.texts()]

    def buttons(self, index: int = -1) -> list[dict[str, Any]]:
        """Every inline button of the `index`-th message sent."""
        markup = self.sent()[index].get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def data(self, index: int = -1) -> list[str]:
        return [b["callback_data"] for b in self.buttons(index) if "callback_data" in b]


def visible(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


@pytest.fixture
async def storage() -> AsyncIterator[Storage]:
    store = await Storage.open(":memory:", SECRET)
    yield store
    await store.close()


async def make_bot(brain: Brain, storage: Storage, settings: Settings = SETTINGS) -> Bot:
    recorder = Recorder(storage)
    await recorder.start()
    api = FakeBotApi()
    app = build_application(settings, brain, storage, recorder, request=api)
    await app.initialize()
    return Bot(app, api, storage, recorder)


@pytest.fixture
async def bot(brain: Brain, storage: Storage) -> AsyncIterator[Bot]:
    running = await make_bot(brain, storage)
    yield running
    await running.app.shutdown()
    await running.recorder.stop()
    assert running.api.unexpected == []
    assert running.api.rejected == [], "Telegram would have refused a message"


@pytest.fixture
def handoff_settings() -> Settings:
    return replace(SETTINGS, moderator_chat=-100_777)
