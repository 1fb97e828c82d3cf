"""/mydata sends everything stored as JSON; /forget erases it after a confirmation."""

from __future__ import annotations

import json

from tests import factories
from tests.handlers.conftest import Bot


async def test_mydata_sends_a_json_document_with_what_was_saved(bot: Bot):
    await bot.feed(factories.callback("a:professional"))
    await bot.feed(factories.message("/mijngegevens"))
    [document] = bot.sent("sendDocument")
    [files] = bot.api.files
    (_, (name, content, _mime)) = next(iter(files.items()))
    data = json.loads(content)
    assert name.endswith(".json")
    assert data["preferences"][0]["audience"] == "professional"
    assert data["this_conversation"]["audience"] == "professional"
    assert document["parse_mode"] == "HTML"


async def test_forget_asks_first_and_cancel_keeps_everything(bot: Bot):
    await bot.feed(factories.callback("a:parent"))
    await bot.feed(factories.message("/vergeet"))
    assert bot.data() == ["fg:y", "fg:n"]
    await bot.feed(factories.callback("fg:n"))
    await bot.recorder.flush()
    assert await bot.storage.get_preferences(bot.storage.user_key(factories.USER_ID))


async def test_forget_erases_storage_and_memory(bot: Bot):
    await bot.feed(factories.callback("a:parent"))
    await bot.feed(factories.callback("fg:y"))
    assert await bot.storage.get_preferences(bot.storage.user_key(factories.USER_ID)) is None
    assert bot.app.user_data[factories.USER_ID] == {}
    assert "/start" in bot.sent("editMessageText")[-1]["text"]


async def test_personal_commands_in_a_group_send_nothing_personal(bot: Bot):
    await bot.feed(factories.message("/mydata", chat_id=factories.GROUP_ID))
    await bot.feed(factories.message("/forget", chat_id=factories.GROUP_ID))
    assert bot.sent("sendDocument") == []
    assert all(d == [] for d in (bot.data(0), bot.data(1)))
    assert all(b.get("url") for b in bot.buttons(0))
