"""scrub(): personal details never reach the gaps table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.scrub import scrub


@pytest.mark.parametrize(
    ("text", "secret", "placeholder"),
    [
        ("bel me op 0470 12 34 56 aub", "0470", "[phone]"),
        ("mijn nummer: +32 470/12.34.56", "470/12", "[phone]"),
        ("het kantoor: 02 123 45 67.", "123 45", "[phone]"),
        ("gratis via 0800 13 500", "0800", "[phone]"),
        ("appel au +32 (0)2 123 45 67", "123", "[phone]"),
        ("call +44 20 7946 0958 tonight", "7946", "[phone]"),
        ("of 0032 470 12 34 56", "0032", "[phone]"),
        ("schrijf naar sarah.peeters@example.be", "sarah.peeters", "[email]"),
        ("zie https://t.me/joinchat/abc123?x=1 en www.foo.be/pagina", "joinchat", "[url]"),
        ("zie https://t.me/joinchat/abc123?x=1 en www.foo.be/pagina", "foo.be", "[url]"),
        ("hij volgt instagram.com/someone", "someone", "[url]"),
        ("hij volgt @abu_example op telegram", "abu_example", "[handle]"),
        ("rekening BE71 0961 2345 6769 gestort", "0961", "[number]"),
        ("rijksregister 85.07.30-033.61", "033", "[number]"),
        ("rijksregister 85073003361", "85073003361", "[number]"),
        ("code 123456 ontvangen", "123456", "[number]"),
    ],
)
def test_contact_details_and_numbers_are_replaced(text, secret, placeholder):
    scrubbed = scrub(text)
    assert secret not in scrubbed
    assert placeholder in scrubbed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hallo, ik ben Sarah en ik maak me zorgen", "Hallo, ik ben [name] en ik maak me zorgen"),
        ("mijn naam is sarah peeters en ik", "mijn naam is [name] en ik"),
        ("ik heet Jan De Smet.", "ik heet [name]."),
        ("Hallo Ahmed, hoe gaat het", "Hallo [name], hoe gaat het"),
        ("mijn zoon Yassin kijkt filmpjes", "mijn zoon [name] kijkt filmpjes"),
        ("onze dochter Lina van der Berg", "onze dochter [name]"),
        (
            "je m'appelle Fatima, ma fille Lina a 14 ans",
            "je m'appelle [name], ma fille [name] a 14 ans",
        ),
        ("Bonjour Karim, mon fils Adam parle", "Bonjour [name], mon fils [name] parle"),
        ("je suis Nadia", "je suis [name]"),
        ("My name is John Smith, my son Adam is 16", "My name is [name], my son [name] is 16"),
        (
            "Hi, I'm Tom and my daughter Emma worries me",
            "Hi, I'm [name] and my daughter [name] worries me",
        ),
    ],
)
def test_names_after_introductions_and_relatives_are_replaced(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Hallo hoe gaat het, ik ben bezorgd",
        "Hi I am worried about my daughter",
        "mijn zoon is 15 en ik bel 112",
        "Bonjour, je suis inquiète pour mon fils",
        "Wat zijn signalen van radicalisering?",
        "",
    ],
)
def test_ordinary_questions_are_kept_as_they_are(text):
    assert scrub(text) == text


def test_scrub_keeps_the_question_readable():
    text = "Hallo, ik ben Sarah (0470 12 34 56). Mijn zoon Yassin volgt @preacher, wat nu?"
    assert scrub(text) == "Hallo, ik ben [name] ([phone]). Mijn zoon [name] volgt [handle], wat nu?"


@given(st.text(max_size=300))
def test_scrub_never_raises_and_is_idempotent(text):
    once = scrub(text)
    assert scrub(once) == once


@given(st.from_regex(r"04[0-9]{2} [0-9]{2} [0-9]{2} [0-9]{2}", fullmatch=True))
def test_every_belgian_mobile_number_is_removed(number):
    assert scrub(f"bel {number} aub") == "bel [phone] aub"
