"""Scripted people talk to the real bot over HTTP (long polling on 127.0.0.1)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests import factories
from tests.e2e.conftest import Live, visible

pytestmark = pytest.mark.e2e


def buttons(params: dict) -> list[dict]:
    markup = params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def data(params: dict) -> list[str]:
    return [b["callback_data"] for b in buttons(params) if "callback_data" in b]


async def test_a_parent_asks_votes_follows_a_related_question_and_shares(live: Live):
    ann = live.person(1001, "nl")
    [welcome] = await ann.says("/start")
    assert "geen nooddienst" in visible(welcome["text"])
    [confirm] = await ann.taps("a:parent")
    assert "ouders" in visible(confirm["text"])

    [answer] = await ann.says("welke signalen wijzen op radicalisering?")
    assert "Hier kun je terecht" in visible(answer["text"])
    assert "f:+:signs-overview" in data(answer)

    await ann.taps("f:-:signs-overview", expect=2)  # sorry + "may I keep the question?"
    [kept] = await ann.taps("g:y")
    assert "Bedankt" in visible(kept["text"])

    related = next(d for d in data(answer) if d.startswith("e:"))
    [follow_up] = await ann.taps(related)
    assert "Hier kun je terecht" in visible(follow_up["text"])

    share = next(b["url"] for b in buttons(answer) if "url" in b)
    link = parse_qs(urlsplit(share).query)["url"][0]
    assert link == f"https://t.me/{factories.BOT_USERNAME}?start=signs-overview"
    [opened] = await live.person(3003, "fr").says("/start signs-overview")
    assert "Quels signaux" in visible(opened["text"]), (
        "the parent opening the link reads it in French"
    )

    await live.recorder.flush()
    [gap] = await live.storage.list_gaps()
    assert gap.reason == "downvote"
    ann.show("parent: start → audience → question → 👎 → keep → related → share")


async def test_a_youth_worker_uses_inline_mode(live: Live):
    results = await live.person(1002, "nl").inline("beroepsgeheim")
    assert 1 <= len(results) <= 10
    assert all(r["input_message_content"]["parse_mode"] == "HTML" for r in results)


async def test_a_crisis_gets_the_emergency_numbers_first(live: Live):
    person = live.person(1003, "nl")
    first, *_ = await person.says("mijn zoon wil vanavond een aanslag plegen", expect=2)
    assert "112" in visible(first["text"]) and "101" in visible(first["text"])
    assert not first.get("reply_markup")
    person.show("crisis")


async def test_not_sure_then_did_you_mean_then_pick(live: Live, brain):
    from tests.handlers.test_telegram_answers import HESITANT, UNSURE, first_reply

    person = live.person(1004, "nl")
    unsure = first_reply(brain, "abstain", UNSURE, choices=None)
    reply, consent = await person.says(unsure, expect=2)
    assert "tp:0" in data(reply) and data(consent) == ["g:y", "g:n"]
    await person.taps("g:n")
    hesitant = first_reply(brain, "answer", HESITANT, choices=True)
    [answer] = await person.says(hesitant)
    pick = next(d for d in data(answer) if d.startswith("e:"))
    [picked] = await person.taps(pick)
    assert brain.snapshot.by_id[pick[2:]].title["nl"] in visible(picked["text"])
    await live.recorder.flush()
    assert await live.storage.list_gaps() == []
    person.show("abstain → consent no → did you mean → pick")


async def test_local_referral_by_postcode_misspelt_name_and_location(live: Live):
    person = live.person(1005, "nl")
    await person.says("/hulpinbuurt")
    [gent] = await person.says("9000")
    assert "Hulp in Gent" in visible(gent["text"])
    await person.taps("lo")
    [again] = await person.says("Gentt")
    assert "Hulp in Gent" in visible(again["text"])
    await person.taps("lo")
    [ask] = await person.sends(factories.location(user_id=1005), "shares a location")
    assert "postcode" in visible(ask["text"])
    [old] = await person.says("Wachtebeke")
    assert "Lochristi" in visible(old["text"])
    [remembered] = await person.taps("rm:y")
    assert "onthoud" in visible(remembered["text"])
    person.show("local referral")


async def test_non_text_messages_get_a_kind_answer(live: Live):
    person = live.person(1006, "en")
    for label, update in (
        ("voice", factories.voice(1006, "en")),
        ("photo", factories.photo(1006, "en")),
        ("sticker", factories.sticker(1006, "en")),
    ):
        [reply] = await person.sends(update, label)
        assert "only read text" in visible(reply["text"])


async def test_flood_gets_one_notice_then_silence(live: Live):
    person = live.person(1007, "nl")
    for _ in range(20):
        await person.says("/help")
    [notice] = await person.says("/help")
    assert "veel berichten" in visible(notice["text"])
    live.server.push(factories.message("/help", user_id=1007))  # dropped in silence
    await live.person(1008, "nl").says("/help")  # processed after it: a barrier, no sleep
    assert len(person._mine(live.server.calls)) == 21
