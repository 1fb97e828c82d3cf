"""Test helpers for moderation and hand-off: a fake Bot API that also serves file downloads,
a running bot with the moderation, hand-off and job handlers registered, and update dicts for
documents and replies in the moderators' group.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.dialogue import Brain
from bot.recorder import Recorder
from bot.storage import Storage
from handlers import handoff, jobs, moderation
from handlers.app import build_application
from handlers.moderation import ModerationDeps
from tests import factories
from tests.fakes import BOT_USER, FakeBotApi
from tests.handlers.conftest import MODERATOR, SETTINGS, Bot

GROUP_CHAT = -100_777
# A Wednesday, 11:00 in Brussels (10:00 UTC): inside "mon-fri 09:00-17:00".
WEDNESDAY_MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
_file_ids = itertools.count(1)
_message_ids = itertools.count(900_000)


@dataclass
class FileBotApi(FakeBotApi):
    """FakeBotApi plus getFile and the file download that follows it."""

    downloads: dict[str, bytes] = field(default_factory=dict)

    def offer(self, content: bytes) -> str:
        """Make `content` downloadable; returns the file_id to put in a document update."""
        file_id = f"file-{next(_file_ids)}"
        self.downloads[file_id] = content
        return file_id

    async def do_request(
        self, url: str, method: str, request_data: Any = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:
            self.calls.append(("download", {"url": url}))
            return 200, self.downloads[url.rsplit("/", 1)[-1]]
        if url.endswith("/getFile"):
            file_id = str(request_data.parameters["file_id"])
            self.calls.append(("getFile", {"file_id": file_id}))
            result = {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                      "file_size": len(self.downloads[file_id]), "file_path": f"documents/{file_id}"}  # fmt: skip
            return 200, _ok(result)
        return await super().do_request(url, method, request_data, *args, **kwargs)


def _ok(result: Any) -> bytes:
    return json.dumps({"ok": True, "result": result}).encode()


@dataclass
class ModBot(Bot):
    """A running bot with moderation wired as the lead wires it; `deps` for direct calls."""

    api: FileBotApi
    deps: ModerationDeps

    @property
    def group_texts(self) -> list[str]:
        return [str(p["text"]) for p in self.sent() if int(p["chat_id"]) == GROUP_CHAT]

    def texts_to(self, chat_id: int) -> list[str]:
        return [str(p["text"]) for p in self.sent() if int(p["chat_id"]) == chat_id]

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read the database file directly, as an auditor would."""
        with sqlite3.connect(self.deps.settings.db_path) as db:
            return list(db.execute(sql, params))


async def start(
    tmp_path: Path,
    brain: Brain,
    settings: Settings = SETTINGS,
    knowledge: Path | None = None,
    clock: Callable[[], datetime] = lambda: WEDNESDAY_MORNING,
) -> ModBot:
    """Storage in a file under tmp_path, the app with every handler, initialised."""
    knowledge = knowledge or Path(settings.knowledge_dir)
    settings = replace(
        settings, db_path=str(tmp_path / "helpdesk.sqlite3"), knowledge_dir=str(knowledge)
    )
    storage = await Storage.open(settings.db_path, settings.secret, clock=clock)
    recorder = Recorder(storage)
    await recorder.start()
    api = FileBotApi()
    app = build_application(settings, brain, storage, recorder, request=api)
    deps = ModerationDeps(settings, brain, storage, recorder, knowledge, clock)
    for group in (moderation.GROUP, handoff.GROUP):  # whatever handlers/app.py wired there,
        app.handlers.pop(group, None)  # replaced by the same handlers on the test's clock
    for module in (moderation, handoff, jobs):
        module.register(app, deps)
    await app.initialize()
    return ModBot(app, api, storage, recorder, deps)


async def stop(bot: ModBot) -> None:
    await bot.app.shutdown()
    await bot.recorder.stop()
    await bot.storage.close()
    assert bot.api.unexpected == []
    assert bot.api.rejected == [], "Telegram would have refused a message"


def handoff_settings(hours: str = "mon-fri 09:00-17:00") -> Settings:
    return replace(SETTINGS, moderator_chat=GROUP_CHAT, handoff_hours=hours, ticket_idle_hours=2)


def document(file_id: str, name: str, user_id: int = MODERATOR, size: int = 100) -> dict[str, Any]:
    """A file sent in the private chat with the bot."""
    body = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": factories.chat(user_id),
        "from": factories.user(user_id, "en"),
        "document": {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": name,
                     "file_size": size},
    }  # fmt: skip
    return factories.update(message=body)


def group_reply(text: str, to_message_id: int, user_id: int = MODERATOR) -> dict[str, Any]:
    """A message in the moderators' group replying to one of the bot's messages there."""
    chat = {"id": GROUP_CHAT, "type": "supergroup", "title": "Moderators"}
    body: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": factories.user(user_id, "nl", name="Moderator"),
        "text": text,
        "reply_to_message": {"message_id": to_message_id, "date": int(time.time()),
                             "chat": chat, "from": BOT_USER, "text": "Ticket"},
    }  # fmt: skip
    if text.startswith("/"):
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return factories.update(message=body)


def ticket_message_ids(bot: ModBot, ticket: int) -> list[int]:
    """Group message ids linked to `ticket` (what a moderator can reply to)."""
    rows = bot.rows("SELECT group_message_id FROM ticket_messages WHERE ticket_id = ?", ticket)
    return [int(row[0]) for row in rows]


def private_message(text: str, user_id: int = factories.USER_ID, **person: Any) -> dict[str, Any]:
    """A text in the private chat; `person` adds fields such as username to the sender."""
    data = factories.message(text, user_id=user_id)
    data["message"]["from"].update(person)
    return data
