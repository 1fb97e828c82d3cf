"""Inline mode: answers to send into any chat, popular topics for an empty query, crisis first."""

from __future__ import annotations

import json

from tests import factories
from tests.fakes import html_problem
from tests.handlers.conftest import Bot


def results(bot: Bot) -> list[dict]:
    [call] = bot.sent("answerInlineQuery")
    return call["results"] if isinstance(call["results"], list) else json.loads(call["results"])


async def test_inline_query_returns_up_to_ten_articles_with_full_html_answers(bot: Bot):
    await bot.feed(factories.inline_query("beroepsgeheim"))
    found = results(bot)
    assert 1 <= len(found) <= 10
    for article in found:
        content = article["input_message_content"]
        assert article["type"] == "article" and article["title"]
        assert content["parse_mode"] == "HTML"
        assert html_problem(content["message_text"]) is None
        assert f"https://t.me/helpdesk_test_bot?start={article['id']}" in content["message_text"]
    assert len({a["id"] for a in found}) == len(found)


async def test_empty_inline_query_offers_the_main_answers(bot: Bot, snapshot):
    await bot.feed(factories.inline_query(""))
    found = results(bot)
    assert found and all(a["id"] in snapshot.by_id for a in found)


async def test_empty_inline_query_follows_what_people_read(bot: Bot, snapshot):
    for _ in range(2):
        await bot.feed(factories.callback("e:talking-start"))
    await bot.feed(factories.inline_query(""))
    first = results(bot)[0]
    assert snapshot.by_id[first["id"]].topic == "talking"


async def test_inline_crisis_puts_the_emergency_numbers_first(bot: Bot):
    await bot.feed(factories.inline_query("mijn zoon wil vanavond een aanslag plegen"))
    first = results(bot)[0]
    assert first["id"].startswith("crisis-")
    assert "112" in first["input_message_content"]["message_text"]
