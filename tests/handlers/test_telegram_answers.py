"""Free-text questions: answer, referral, buttons, crisis first, abstain, feedback and consent."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.dialogue import Brain, Session
from tests import factories
from tests.handlers.conftest import Bot, make_bot

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
QUESTION = "welke signalen wijzen op radicalisering"
CRISIS_NL = "mijn zoon wil vanavond een aanslag plegen"
UNSURE = (
    "de fiets van mijn buurman is gestolen",
    "het is allemaal zo ingewikkeld",
    "ik heb een vraag over iets anders",
    "dat is een lang verhaal",
)
HESITANT = (
    "mijn kind is veranderd",
    "ik maak me zorgen",
    "mijn zoon",
    "is dit normaal",
    "vrienden",
)


def first_reply(brain: Brain, kind: str, candidates: tuple[str, ...], choices: bool | None) -> str:
    """A message the core answers with `kind` (and with or without did-you-mean choices).

    An abstain here means "unsure": only those ask to keep the question (off-topic ones do not).
    """
    for text in candidates:
        reply = brain.respond(text, Session())
        wanted = choices is None or bool(reply.choices) == choices
        reason_ok = reply.reason == "unsure" if kind == "abstain" else True
        if reply.kind == kind and reason_ok and wanted:
            return text
    pytest.fail(f"no candidate gives a {kind} reply (choices={choices}); add one that does")


async def test_a_question_gets_an_html_answer_with_referral_and_buttons(bot: Bot, snapshot):
    await bot.feed(factories.message(QUESTION))
    [answer] = bot.sent()
    text = bot.texts()[0]
    assert answer["parse_mode"] == "HTML"
    assert snapshot.by_id["signs-overview"].title["nl"] in text
    assert "Hier kun je terecht" in text
    data = bot.data()
    assert "f:+:signs-overview" in data and "f:-:signs-overview" in data
    assert any(d.startswith("e:") for d in data), "related questions as buttons"


async def test_share_button_is_a_deep_link_to_the_answer(bot: Bot):
    await bot.feed(factories.message(QUESTION))
    [share] = [b for b in bot.buttons() if "url" in b]
    shared = parse_qs(urlsplit(share["url"]).query)["url"][0]
    assert shared == "https://t.me/helpdesk_test_bot?start=signs-overview"


async def test_urls_are_links_and_phones_are_plain_text(bot: Bot):
    await bot.feed(factories.message(QUESTION))
    html_text = bot.api.texts()[0]
    assert '<a href="https://' in html_text
    assert "tel:" not in html_text


async def test_html_in_a_question_never_breaks_or_leaks_into_the_answer(bot: Bot):
    question = "<b>&<3 mijn dochter kijkt extreme filmpjes"
    await bot.feed(factories.message(question))
    assert bot.sent(), "the answer went out (the fake refuses malformed HTML)"
    assert all("<3" not in t and "<b>&" not in t for t in bot.api.texts())


async def test_question_text_is_never_logged(bot: Bot, caplog):
    secret = "mijn zoon Jonas Peeters kijkt extreme filmpjes"
    with caplog.at_level("DEBUG"):
        await bot.feed(factories.message(secret))
    assert "Jonas" not in caplog.text


async def test_answer_is_recorded_as_an_event_without_text(bot: Bot):
    await bot.feed(factories.message(QUESTION))
    await bot.recorder.flush()
    export = await bot.storage.export_user(factories.USER_ID)
    stats = await bot.storage.stats(since=EPOCH)
    assert stats.answered == 1 and stats.by_topic.get("signs") == 1
    assert QUESTION not in str(export)


async def test_crisis_puts_the_emergency_referral_first_in_its_own_message(bot: Bot):
    await bot.feed(factories.message(CRISIS_NL))
    first, *rest = bot.sent()
    first_text = bot.texts()[0]
    assert "112" in first_text and "101" in first_text
    assert first.get("reply_markup") is None, "nothing to tap before the emergency numbers"
    assert rest, "the rest of the answer follows in its own message"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("je veux mourir", "1813"),
        ("I want to kill myself", "1813"),
        ("mijn vader slaat mij", "1712"),
    ],
)
async def test_crisis_in_each_language_names_the_right_line_first(bot: Bot, text, number):
    await bot.feed(factories.message(text))
    assert number in bot.texts()[0]


async def test_abstain_offers_topics_and_services_then_asks_consent_once(bot: Bot, brain: Brain):
    text = first_reply(brain, "abstain", UNSURE, choices=None)
    await bot.feed(factories.message(text))
    reply_data, consent_data = bot.data(0), bot.data(1)
    assert "tp:0" in reply_data, "the topic menu: never a dead end"
    assert "Hier kun je terecht" in bot.texts()[0], "general services"
    assert consent_data == ["g:y", "g:n"]
    await bot.feed(factories.message(text))
    assert len(bot.sent()) == 3, "the consent question is asked once per session"


async def test_abstain_with_suggestions_shows_them_as_buttons(bot: Bot, brain: Brain):
    text = first_reply(brain, "abstain", UNSURE + HESITANT, choices=True)
    await bot.feed(factories.message(text))
    suggested = brain.respond(text, Session()).choices
    assert [f"e:{c}" for c in suggested] == [d for d in bot.data(0) if d.startswith("e:")][
        : len(suggested)
    ]


async def test_hesitation_offers_did_you_mean_and_tapping_shows_that_answer(
    bot: Bot, brain: Brain, snapshot
):
    text = first_reply(brain, "answer", HESITANT, choices=True)
    await bot.feed(factories.message(text))
    assert "Misschien bedoelde je" in bot.texts()[0]
    choice = next(d for d in bot.data(0) if d.startswith("e:"))
    bot.api.clear()
    await bot.feed(factories.callback(choice))
    entry = snapshot.by_id[choice.split(":")[1]]
    assert bot.api.called("answerCallbackQuery")
    assert entry.title["nl"] in bot.texts()[0]


async def test_consent_yes_keeps_the_question_scrubbed(bot: Bot, brain: Brain):
    with_phone = tuple(text + " bel 0470 12 34 56" for text in UNSURE)
    text = first_reply(brain, "abstain", with_phone, choices=None)
    await bot.feed(factories.message(text))
    await bot.feed(factories.callback("g:y"))
    await bot.recorder.flush()
    [gap] = await bot.storage.list_gaps()
    assert "0470" not in gap.text and gap.reason == "abstain"
    assert bot.sent("editMessageText"), "the question is replaced by a thank-you"


async def test_consent_no_keeps_nothing(bot: Bot, brain: Brain):
    text = first_reply(brain, "abstain", UNSURE, choices=None)
    await bot.feed(factories.message(text))
    await bot.feed(factories.callback("g:n"))
    await bot.recorder.flush()
    assert await bot.storage.list_gaps() == []


async def test_thumbs_up_is_counted_once(bot: Bot):
    await bot.feed(factories.message(QUESTION))
    await bot.feed(factories.callback("f:+:signs-overview"))
    await bot.feed(factories.callback("f:+:signs-overview"))
    await bot.recorder.flush()
    stats = await bot.storage.stats(since=EPOCH)
    assert stats.votes["signs-overview"] == (1, 0)
    assert all(c.get("text") for c in bot.api.called("answerCallbackQuery"))


async def test_thumbs_down_offers_to_keep_the_question(bot: Bot):
    await bot.feed(factories.message(QUESTION))
    await bot.feed(factories.callback("f:-:signs-overview"))
    assert "tp:0" in bot.data(-2), "a way on after a 👎"
    assert bot.data(-1) == ["g:y", "g:n"]
    await bot.feed(factories.callback("g:y"))
    await bot.recorder.flush()
    [gap] = await bot.storage.list_gaps()
    assert gap.reason == "downvote"


async def test_talk_to_a_person_only_when_hand_off_is_configured(
    bot: Bot, brain, storage, handoff_settings
):
    await bot.feed(factories.message(QUESTION))
    assert "ho" not in bot.data()
    with_handoff = await make_bot(brain, storage, handoff_settings)
    try:
        await with_handoff.feed(factories.message(QUESTION))
        assert "ho" in with_handoff.data()
        await with_handoff.feed(factories.callback("ho"))
        assert with_handoff.api.called("answerCallbackQuery")
        # Consent first: what will be shared, that this is no emergency line, yes or no.
        assert {"hc:y", "hc:n"} <= set(with_handoff.data())
        assert "112" in with_handoff.texts()[-1]
    finally:
        await with_handoff.app.shutdown()
        await with_handoff.recorder.stop()


async def test_related_button_shows_the_related_answer(bot: Bot, snapshot):
    await bot.feed(factories.message(QUESTION))
    related = next(d for d in bot.data() if d.startswith("e:"))
    bot.api.clear()
    await bot.feed(factories.callback(related))
    assert snapshot.by_id[related[2:]].title["nl"] in bot.texts()[0]


async def test_an_empty_message_gets_a_kind_nudge_not_a_consent_question(bot: Bot):
    await bot.feed(factories.message("???"))
    assert len(bot.sent()) == 1
    assert "tp:0" in bot.data()


async def test_a_button_to_an_answer_that_no_longer_exists_explains_and_offers_topics(bot: Bot):
    await bot.feed(factories.callback("e:removed-in-an-update"))
    assert bot.api.called("answerCallbackQuery")
    assert "bestaat niet meer" in bot.texts()[0] and bot.data() == ["tp:0"]


async def test_an_unknown_button_only_stops_the_spinner(bot: Bot):
    await bot.feed(factories.callback("zz:from-an-old-version"))
    assert bot.api.called("answerCallbackQuery") and bot.sent() == []
