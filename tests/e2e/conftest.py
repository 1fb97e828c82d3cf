"""The real Application, long-polling the loopback fake Bot API, driven by scripted people."""

from __future__ import annotations

import asyncio
import html
import re
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.dialogue import Brain
from bot.recorder import Recorder
from bot.storage import Storage
from handlers.app import ALLOWED_UPDATES, App, build_application
from handlers.retry import RETRY, RetryPolicy
from tests import factories
from tests.fakes import TOKEN, FakeTelegramServer, fake_telegram_server

SECRET = b"e2e-secret"
BOT_OUTPUT = {"sendMessage", "editMessageText", "sendDocument"}
WAIT = 8.0  # seconds; every wait is bounded


def visible(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@dataclass
class Person:
    """Someone chatting with the bot: each step waits for the bot's messages to them."""

    server: FakeTelegramServer
    user_id: int
    lang: str = "nl"
    seen: int = 0
    transcript: list[str] = field(default_factory=list)

    def _mine(self, calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
        return [
            params
            for method, params in calls
            if method in BOT_OUTPUT and str(params.get("chat_id")) == str(self.user_id)
        ]

    async def _wait(self, expect: int) -> list[dict[str, Any]]:
        target = self.seen + expect
        calls = await asyncio.to_thread(
            self.server.wait_for, lambda c: len(self._mine(c)) >= target, WAIT
        )
        new = self._mine(calls)[self.seen :]
        self.seen += len(new)
        for params in new:
            self.transcript.append("BOT: " + _abbreviate(params))
        return new

    async def says(self, text: str, expect: int = 1) -> list[dict[str, Any]]:
        self.transcript.append(f"USER: {text}")
        self.server.push(factories.message(text, user_id=self.user_id, lang=self.lang))
        return await self._wait(expect)

    async def sends(
        self, update: dict[str, Any], label: str, expect: int = 1
    ) -> list[dict[str, Any]]:
        self.transcript.append(f"USER: [{label}]")
        self.server.push(update)
        return await self._wait(expect)

    async def taps(self, data: str, expect: int = 1) -> list[dict[str, Any]]:
        self.transcript.append(f"USER taps: {data}")
        self.server.push(factories.callback(data, user_id=self.user_id, lang=self.lang))
        return await self._wait(expect)

    async def inline(self, query: str) -> list[dict[str, Any]]:
        before = len(self.server.called("answerInlineQuery"))
        self.transcript.append(f"USER inline: @{factories.BOT_USERNAME} {query}")
        self.server.push(factories.inline_query(query, user_id=self.user_id, lang=self.lang))
        calls = await asyncio.to_thread(
            self.server.wait_for,
            lambda c: sum(1 for m, _ in c if m == "answerInlineQuery") > before,
            WAIT,
        )
        answer = [p for m, p in calls if m == "answerInlineQuery"][before]
        titles = [r["title"] for r in answer["results"]]
        self.transcript.append(f"BOT inline: {len(titles)} results: {titles[:3]}…")
        return list(answer["results"])

    def show(self, title: str) -> None:
        """The conversation as text (see it with `pytest -s`)."""
        sys.stdout.write(f"\n--- {title} ---\n" + "\n".join(self.transcript) + "\n")


def _abbreviate(params: dict[str, Any]) -> str:
    text = visible(str(params.get("text") or params.get("caption") or "[document]"))
    text = " / ".join(line for line in text.splitlines() if line.strip())
    text = text if len(text) <= 160 else text[:157] + "…"
    markup = params.get("reply_markup") or {}
    buttons = [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
    return text + (f"  [{' | '.join(buttons)}]" if buttons else "")


@dataclass
class Live:
    app: App
    server: FakeTelegramServer
    storage: Storage
    recorder: Recorder

    def person(self, user_id: int, lang: str = "nl") -> Person:
        return Person(self.server, user_id, lang)


@pytest.fixture
def server() -> Iterator[FakeTelegramServer]:
    with fake_telegram_server() as running:
        yield running


@pytest.fixture
def retry() -> RetryPolicy:
    """How the bot retries Bot API calls; a test module overrides it (faster, shorter)."""
    return RETRY


@pytest.fixture
async def live(
    server: FakeTelegramServer, brain: Brain, tmp_path: Path, retry: RetryPolicy
) -> AsyncIterator[Live]:
    """Start the bot as `helpdesk run` would (post_init included), polling the fake server."""
    storage = await Storage.open(tmp_path / "helpdesk.sqlite3", SECRET)
    recorder = Recorder(storage)
    settings = Settings(
        telegram_token=TOKEN, telegram_base_url=server.base_url, secret=SECRET, flood_per_minute=20
    )
    app = build_application(settings, brain, storage, recorder, retry=retry)
    await app.initialize()
    await app.post_init(app)  # type: ignore[misc]
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    await app.start()
    try:
        yield Live(app, server, storage, recorder)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await app.post_shutdown(app)  # type: ignore[misc]
        await storage.close()
    assert server.rejected == [], "Telegram would have refused a message"
    assert server.unexpected == []
