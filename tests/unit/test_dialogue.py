"""Decisions of the core: crisis before matching, abstain when unsure, language, audience."""

from __future__ import annotations

import pytest

from bot.dialogue import Brain, Session


def test_crisis_is_caught_before_matching_and_names_must_refer(brain: Brain) -> None:
    reply = brain.respond("mijn zoon wil vanavond een aanslag plegen, hij heeft een mes", Session())
    assert reply.kind == "crisis"
    assert reply.topic == "crisis-danger"
    assert reply.services[:2] == ("emergency-112", "police-101")
    assert reply.text.index("112") < reply.text.index(reply.body[:20])


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("ik wil er een einde aan maken", "crisis-suicide"),
        ("elle veut mourir, elle a dit adieu à tout le monde", "crisis-suicide"),
        ("my dad hits me and my little sister every night", "crisis-abuse"),
    ],
)
def test_crisis_in_every_language(brain: Brain, message: str, topic: str) -> None:
    reply = brain.respond(message, Session())
    assert reply.kind == "crisis"
    assert reply.topic == topic
    must = brain.snapshot.topics[topic].must_refer
    assert reply.services[: len(must)] == must


@pytest.mark.parametrize("message", ["", "   ", "😀", "?", "ok", "asdkjh qwpoeiru zxmnv"])
def test_nothing_to_answer_abstains_politely(brain: Brain, message: str) -> None:
    reply = brain.respond(message, Session())
    assert reply.kind == "abstain"
    assert reply.text
    assert reply.services, "an abstain still offers people to talk to"


def test_out_of_scope_question_abstains(brain: Brain) -> None:
    reply = brain.respond("wat is het recept voor stoofvlees met frietjes", Session())
    assert reply.kind == "abstain"


@pytest.mark.parametrize(
    ("message", "lang"),
    [
        ("welke signalen wijzen op radicalisering bij mijn zoon", "nl"),
        ("quels sont les signes de radicalisation chez un adolescent", "fr"),
        ("what are the signs that my son is being radicalised", "en"),
    ],
)
def test_answers_come_in_the_language_of_the_message(brain: Brain, message: str, lang: str) -> None:
    reply = brain.respond(message, Session(lang="nl"))
    assert reply.kind == "answer"
    assert reply.topic == "signs"
    assert reply.lang == lang


def test_french_message_is_never_answered_in_dutch(brain: Brain) -> None:
    reply = brain.respond(
        "mon fils regarde des vidéos extrémistes sur internet", Session(lang="nl")
    )
    assert reply.lang == "fr"


def test_a_short_dutch_lookup_with_a_town_is_answered_in_dutch(brain: Brain) -> None:
    # Town names are shared by all languages; one Dutch-only word must decide the language.
    reply = brain.respond("aanspreekpunt radicalisering Lokeren", Session(lang="en"))
    assert reply.lang == "nl"


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        ("met wie kan ik in Hasselt praten over mijn zorgen om mijn zoon", "local-help-who"),
        ("bij wie kan ik terecht in Lokeren als ik me ongerust maak", "local-help-who"),
        ("je vis à Schaerbeek, qui peut m'aider avec mon fils", "local-help-brussels"),
        ("who can help me in Ghent, my son is radicalising", "local-help-who"),
        ("je vis à Namur, qui peut aider mon fils", "local-help-brussels"),  # Brussels+Wallonia
    ],
)
def test_a_worry_with_a_town_gets_the_local_route(brain: Brain, message: str, entry: str) -> None:
    # A long message is answered by the entry covering most of it (confidence, not agreement
    # alone), and the town decides between the Flemish and the Brussels route.
    assert brain.respond(message, Session()).entry == entry


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("wie ben jij", "about-bot"),  # all stop words but one: kept whole as a phrase
        ("t'es qui toi", "about-bot"),
        ("who are you", "about-bot"),
        ("kan iemand mij bellen op 0470 12 34 56", "human"),  # the number is no word
        ("hoeveel kost de opvoedingslijn", "parent-support"),  # a price, yet not off-topic
    ],
)
def test_short_everyday_questions_reach_their_topic(brain: Brain, message: str, topic: str) -> None:
    reply = brain.respond(message, Session())
    assert (reply.kind, reply.topic) == ("answer", topic)


@pytest.mark.parametrize("message", ["mijn zoon", "my son", "mon fils", "vraag"])
def test_a_vague_message_gets_the_topic_menu_not_a_guess(brain: Brain, message: str) -> None:
    # Words every topic uses agree with any short phrasing; guessing "far-right" for "my son"
    # would hurt, as an answer or as the first "did you mean". The bot asks for more and
    # shows the topic menu instead.
    reply = brain.respond(message, Session())
    assert (reply.kind, reply.reason) == ("abstain", "unsure")
    assert reply.matches == () and reply.choices == ()


@pytest.mark.parametrize(
    ("message", "topic"),
    [("radicalisering", "definitions"), ("beroepsgeheim", "professional-secrecy")],
)
def test_one_subject_word_is_enough_to_answer(brain: Brain, message: str, topic: str) -> None:
    assert brain.respond(message, Session()).topic == topic


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        ("mijn zoon vertrekt vanavond naar Syrië", "crisis-danger-leaving"),
        ("my daughter is flying to syria tonight", "crisis-danger-leaving"),
        ("mijn zoon wil vanavond een aanslag plegen", "crisis-danger-attack"),
        ("ik wil dood", "crisis-suicide-help"),
        ("mijn zoon wil een einde aan zijn leven maken", "crisis-suicide-someone"),
    ],
)
def test_a_crisis_gets_the_entry_of_its_topic_that_fits(
    brain: Brain, message: str, entry: str
) -> None:
    # The rule decides that it is a crisis and which kind; matching only picks the wording.
    reply = brain.respond(message, Session())
    assert (reply.kind, reply.entry) == ("crisis", entry)


def test_long_message_is_cut_not_refused(brain: Brain) -> None:
    reply = brain.respond("radicalisering " * 2000, Session())
    assert reply.kind in ("answer", "abstain")
    assert reply.text


def test_entry_reply_for_a_deep_link(brain: Brain) -> None:
    entry = brain.snapshot.entries[0]
    reply = brain.entry_reply(entry.id, Session(lang="fr"))
    assert reply is not None
    assert reply.entry == entry.id
    assert reply.lang == "fr"
    assert brain.entry_reply("no-such-entry", Session()) is None


def test_professional_gets_the_professional_variant(brain: Brain) -> None:
    entry = next(e for e in brain.snapshot.entries if "professional" in e.answers["nl"])
    parent = brain.entry_reply(entry.id, Session(audience="parent"))
    professional = brain.entry_reply(entry.id, Session(audience="professional"))
    assert parent is not None and professional is not None
    assert parent.body != professional.body
