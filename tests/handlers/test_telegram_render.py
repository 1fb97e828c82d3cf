"""render.py on its own: escaping, links, splitting under 4,096, callback_data under 64 bytes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.dialogue import Reply, Session
from handlers import keyboards, render
from tests.fakes import html_problem
from tests.handlers.conftest import visible

FRAME = render.Frame(bot_username="helpdesk_test_bot", handoff=True)


def test_the_fake_refuses_malformed_html_so_passing_tests_prove_escaping():
    assert html_problem("<b>&<3</b>") is not None
    assert html_problem("<b>unclosed") is not None
    assert html_problem("a & b") is not None
    assert html_problem("<script>x</script>") is not None
    assert html_problem("<b>ok</b> &lt;3 &amp; <a href='https://x.be'>x</a>") is None


def test_hostile_knowledge_text_is_escaped(brain, snapshot):
    reply = brain.entry_reply("signs-overview", Session())
    hostile = replace(reply, body="<script>alert(1)</script> & <b>bold</b> <3")
    for card in render.reply_cards(
        hostile, snapshot, keyboards.for_reply(hostile, snapshot, FRAME)
    ):
        assert html_problem(card.text) is None
        assert "<script>" not in card.text
    assert "<script>alert(1)</script> & <b>bold</b> <3" in visible(
        render.reply_cards(hostile, snapshot)[0].text
    )


def test_only_http_links_become_anchors():
    assert (
        render.link("https://www.caw.be/contact")
        == '<a href="https://www.caw.be/contact">caw.be/contact</a>'
    )
    assert "<a" not in render.link("javascript:alert(1)")
    assert '"><b>' not in render.link('https://x.be/"><b>')


def test_a_long_answer_splits_on_paragraphs_under_the_limit(brain, snapshot):
    reply = brain.entry_reply("signs-overview", Session())
    paragraph = "Een & ander <zoals> dit. " * 40
    long = replace(reply, body="\n\n".join([paragraph] * 12))
    cards = render.reply_cards(long, snapshot, keyboards.for_reply(long, snapshot, FRAME))
    assert len(cards) > 1
    for card in cards:
        assert len(card.text) <= render.MAX_TEXT
        assert html_problem(card.text) is None
    assert [c.markup is not None for c in cards] == [False] * (len(cards) - 1) + [True]
    assert paragraph.strip() in visible(cards[0].text)


def test_one_enormous_word_is_cut_without_breaking_entities():
    blocks = render.paragraphs("&" * 9000)
    assert all(len(b) <= render.MAX_TEXT and html_problem(b) is None for b in blocks)


def test_callback_data_over_64_bytes_is_refused():
    with pytest.raises(ValueError, match="64"):
        render.data("e", "x" * 70)


def test_every_entry_fits_in_callback_data(snapshot):
    for entry in snapshot.entries:
        render.data("f", "-", entry.id)
    for topic in snapshot.topics:
        render.data("t", topic)


def test_every_catalogue_topic_has_a_name_in_each_language(snapshot):
    for topic in snapshot.topics:
        for lang in ("nl", "fr", "en"):
            assert snapshot.text(f"topic.{topic}", lang) != f"topic.{topic}"


def test_crisis_without_an_entry_still_names_the_emergency_services(snapshot):
    reply = Reply("crisis", "nl", "crisis-danger", services=("emergency-112", "police-101"))
    cards = render.reply_cards(reply, snapshot)
    assert "112" in visible(cards[0].text) and "101" in visible(cards[0].text)
