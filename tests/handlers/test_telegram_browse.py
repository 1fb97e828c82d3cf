"""/topics (paged, filtered by role), a topic's questions, and /search."""

from __future__ import annotations

import pytest

from handlers.browse import topics_for
from handlers.keyboards import TOPICS_PER_PAGE
from tests import factories
from tests.handlers.conftest import Bot


def topic_data(bot: Bot, index: int = -1, method: str = "sendMessage") -> list[str]:
    markup = bot.sent(method)[index].get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


@pytest.mark.parametrize("command", ["/topics", "/themas", "/themes"])
async def test_topics_shows_the_first_page_of_topics(bot: Bot, command, snapshot):
    await bot.feed(factories.message(command))
    data = bot.data()
    shown = [d for d in data if d.startswith("t:")]
    assert 0 < len(shown) <= TOPICS_PER_PAGE
    assert all(snapshot.topics[d[2:]].kind == "answer" for d in shown)
    if len(topics_for(snapshot, None)) > TOPICS_PER_PAGE:
        assert "tp:1" in data


async def test_next_page_edits_the_menu_in_place(bot: Bot, snapshot):
    if len(topics_for(snapshot, None)) <= TOPICS_PER_PAGE:
        pytest.skip("only one page of topics in this knowledge base")
    await bot.feed(factories.message("/topics"))
    first = {d for d in bot.data() if d.startswith("t:")}
    await bot.feed(factories.callback("tp:1", message_text="Kies een thema:"))
    second = set(topic_data(bot, method="editMessageText"))
    assert "tp:0" in second, "a way back"
    assert first.isdisjoint({d for d in second if d.startswith("t:")})


async def test_topic_names_are_translated(bot: Bot):
    await bot.feed(factories.message("/themes", lang="fr"))
    labels = [b["text"] for b in bot.buttons()]
    assert "Reconnaître les signaux" in labels


async def test_tapping_a_topic_lists_its_questions_then_an_answer(bot: Bot, snapshot):
    await bot.feed(factories.callback("t:signs", message_text="Kies een thema:"))
    listed = topic_data(bot, method="editMessageText")
    entries = [d for d in listed if d.startswith("e:")]
    assert entries and all(snapshot.by_id[d[2:]].topic == "signs" for d in entries)
    await bot.feed(factories.callback(entries[0]))
    assert snapshot.by_id[entries[0][2:]].title["nl"] in bot.texts()[-1]


async def test_topics_are_filtered_by_audience(bot: Bot, snapshot):
    await bot.feed(factories.callback("a:parent"))
    await bot.feed(factories.message("/topics"))
    pages = list(topics_for(snapshot, "parent"))
    assert all(snapshot.topics[t].audience in ("all", "parent") for t in pages)
    shown = {d[2:] for d in bot.data() if d.startswith("t:")}
    assert shown <= set(pages)


@pytest.mark.parametrize("command", ["/search", "/zoek", "/chercher"])
async def test_search_offers_at_most_five_answers(bot: Bot, command):
    await bot.feed(factories.message(f"{command} signalen radicalisering"))
    data = bot.data()
    assert 1 <= len(data) <= 5
    assert all(d.startswith("e:") for d in data)


async def test_search_without_words_explains_how(bot: Bot):
    await bot.feed(factories.message("/zoek"))
    assert "/zoek" in bot.texts()[0]
    assert bot.data() == []


async def test_search_with_nothing_found_offers_the_topics(bot: Bot):
    await bot.feed(factories.message("/search qqqq zzzz"))
    assert bot.data() == ["tp:0"]
