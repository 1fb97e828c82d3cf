"""Groups, non-text messages, the flood limit and the error handler."""

from __future__ import annotations

import logging

import pytest
from telegram.ext import CommandHandler

from tests import factories
from tests.handlers.conftest import MODERATOR, Bot

QUESTION = "welke signalen wijzen op radicalisering"


@pytest.mark.parametrize(
    "update",
    [factories.photo, factories.sticker, factories.voice, factories.document, factories.video],
)
async def test_non_text_messages_get_a_kind_note_on_what_the_bot_reads(bot: Bot, update):
    await bot.feed(update())
    [text] = bot.texts()
    assert "alleen tekst" in text
    assert bot.data() == ["tp:0"]


async def test_a_moderators_document_goes_to_moderation_not_to_the_generic_reply(bot: Bot):
    await bot.feed(factories.document(user_id=MODERATOR))
    texts = bot.texts()
    assert len(texts) == 1, "one reply, from moderation only"
    assert ".yaml" in texts[0], "a non-YAML upload gets the hint of what to send"


async def test_group_chatter_is_ignored(bot: Bot):
    await bot.feed(factories.group_message(QUESTION))
    await bot.feed(factories.group_message("haha"))
    assert bot.sent() == []


async def test_a_mention_in_a_group_is_answered_without_quoting_the_question(bot: Bot):
    await bot.feed(factories.group_message(QUESTION, mention=True))
    sent = bot.sent()
    assert sent, "addressed, so answered"
    for params in sent:
        assert "reply_parameters" not in params and "reply_to_message_id" not in params
    assert all(QUESTION not in t for t in bot.texts())


async def test_a_reply_to_the_bot_in_a_group_is_answered(bot: Bot):
    await bot.feed(factories.group_message(QUESTION, reply_to_bot=True))
    assert bot.sent()


async def test_no_feedback_or_consent_buttons_in_a_group(bot: Bot):
    await bot.feed(factories.group_message(QUESTION, mention=True))
    assert not any(d.startswith(("f:", "g:")) for d in bot.data())


async def test_the_21st_message_in_a_minute_gets_one_notice_then_silence(bot: Bot):
    for _ in range(20):
        await bot.feed(factories.message("/help"))
    assert len(bot.sent()) == 20
    await bot.feed(factories.message("/help"))
    assert "veel berichten" in bot.texts()[-1]
    await bot.feed(factories.message(QUESTION))
    await bot.feed(factories.callback("e:signs-overview"))
    assert len(bot.sent()) == 21, "silence until it calms down"
    assert bot.api.called("answerCallbackQuery"), "a pressed button still stops spinning"
    await bot.feed(factories.message("/help", user_id=2002))
    assert len(bot.sent()) == 22, "other people are not affected"


async def test_group_chatter_does_not_count_towards_the_flood_limit(bot: Bot):
    for _ in range(25):
        await bot.feed(factories.group_message("bla"))
    await bot.feed(factories.message("/help"))
    assert "Zo werk ik" in bot.texts()[-1]


async def test_an_error_is_logged_with_context_and_the_person_gets_a_polite_message(
    bot: Bot, caplog
):
    async def broken(update, context):
        raise RuntimeError("database on fire")

    bot.app.add_handler(CommandHandler("boom", broken), group=-2)
    with caplog.at_level(logging.ERROR):
        await bot.feed(factories.message("/boom extra secret words", lang="en"))
    texts = bot.texts()
    assert any("something went wrong" in t for t in texts)
    assert not any("Traceback" in t or "fire" in t for t in texts)
    [record] = [r for r in caplog.records if r.name == "handlers.errors"]
    assert record.exc_info is not None
    assert "secret words" not in caplog.text
    assert "TEST-not-a-real-token" not in caplog.text


async def test_a_storage_failure_during_mydata_is_reported_politely(bot: Bot, caplog):
    await bot.storage.close()
    with caplog.at_level(logging.ERROR):
        await bot.feed(factories.message("/mydata", lang="fr"))
    assert "Désolé" in bot.texts()[-1]
    assert bot.sent("sendDocument") == []


async def test_an_answer_still_goes_out_when_storage_is_down(bot: Bot):
    await bot.storage.close()
    await bot.feed(factories.message(QUESTION))
    assert "Welke signalen" in bot.texts()[0]
