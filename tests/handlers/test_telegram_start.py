"""/start, onboarding buttons, deep links, /language, /help, /about, /privacy."""

from __future__ import annotations

import pytest

from tests import factories
from tests.handlers.conftest import Bot


@pytest.mark.parametrize(
    ("lang", "words"),
    [("nl", "geen nooddienst"), ("fr", "pas un service d'urgence"), ("en", "not an emergency")],
)
async def test_start_greets_in_the_telegram_language_with_emergency_numbers(bot: Bot, lang, words):
    await bot.feed(factories.message("/start", lang=lang))
    [greeting] = bot.sent()
    [text] = bot.texts()
    assert words in text
    assert "112" in text and "101" in text
    assert greeting["parse_mode"] == "HTML"
    assert {"a:parent", "a:professional", "l:nl", "l:fr", "l:en"} <= set(bot.data())


async def test_start_in_an_unknown_language_falls_back_to_dutch(bot: Bot):
    await bot.feed(factories.message("/start", lang="de"))
    assert "geen nooddienst" in bot.texts()[0]


async def test_choosing_parent_saves_the_audience_and_confirms(bot: Bot):
    await bot.feed(factories.callback("a:parent"))
    await bot.recorder.flush()
    assert bot.api.called("answerCallbackQuery"), "the button spinner must stop"
    assert "ouders" in bot.texts()[-1]
    saved = await bot.storage.get_preferences(bot.storage.user_key(factories.USER_ID))
    assert saved is not None and saved.audience == "parent"


async def test_audience_orders_the_services_of_an_answer(bot: Bot):
    question = "hoe begin ik het gesprek met mijn zoon"
    await bot.feed(factories.callback("a:professional", user_id=11))
    await bot.feed(factories.message(question, user_id=11))
    await bot.feed(factories.callback("a:parent", user_id=12))
    await bot.feed(factories.message(question, user_id=12))
    professional, parent = (t for t in bot.texts() if "Hier kun je terecht" in t)
    assert professional != parent


async def test_choosing_french_switches_the_interface_and_is_remembered(bot: Bot):
    await bot.feed(factories.callback("l:fr"))
    await bot.feed(factories.message("/help"))
    await bot.recorder.flush()
    assert "français" in bot.texts()[0]
    assert "/themes" in bot.texts()[1]
    saved = await bot.storage.get_preferences(bot.storage.user_key(factories.USER_ID))
    assert saved is not None and saved.language == "fr"


async def test_saved_preferences_are_loaded_on_first_contact(bot: Bot, brain, storage):
    from tests.handlers.conftest import make_bot

    await bot.feed(factories.callback("l:en"))
    await bot.recorder.flush()
    restarted = await make_bot(brain, storage)  # a new process: empty memory, same database
    try:
        await restarted.feed(factories.message("/help", lang="nl"))
        assert "How I work" in restarted.texts()[0]
    finally:
        await restarted.app.shutdown()
        await restarted.recorder.stop()


async def test_deep_link_opens_that_answer_directly(bot: Bot, snapshot):
    await bot.feed(factories.message("/start signs-overview"))
    texts = bot.texts()
    assert snapshot.by_id["signs-overview"].title["nl"] in texts[0]
    assert not any("geen nooddienst" in t for t in texts), "no welcome before a shared answer"


async def test_deep_link_to_french_greets_in_french(bot: Bot):
    await bot.feed(factories.message("/start lang-fr", lang="nl"))
    assert "Bonjour" in bot.texts()[0]


async def test_deep_link_to_an_unknown_entry_just_greets(bot: Bot):
    await bot.feed(factories.message("/start no-such-entry"))
    assert "geen nooddienst" in bot.texts()[0]


async def test_language_command_offers_the_three_languages(bot: Bot):
    await bot.feed(factories.message("/taal"))
    assert set(bot.data()) == {"l:nl", "l:fr", "l:en"}


@pytest.mark.parametrize("command", ["/help", "/about", "/privacy"])
async def test_information_commands_answer(bot: Bot, command):
    await bot.feed(factories.message(command, lang="en"))
    assert bot.texts() and all(t.strip() for t in bot.texts())


async def test_privacy_shows_the_privacy_answer_of_the_knowledge_base(bot: Bot, snapshot):
    privacy = [e for e in snapshot.entries if e.topic == "privacy"]
    await bot.feed(factories.message("/privacy", lang="en"))
    if privacy:
        assert privacy[0].title["en"] in bot.texts()[0]
    else:
        assert "What I keep" in bot.texts()[0]


async def test_an_unknown_command_gets_the_help(bot: Bot):
    await bot.feed(factories.message("/doesnotexist", lang="en"))
    assert "How I work" in bot.texts()[0]
