"""Normalisation: the one pipeline shared by the index and every query (bot.language)."""

from __future__ import annotations

import pytest

from bot.language import Normaliser
from bot.model import Snapshot


@pytest.fixture(scope="module")
def norm(snapshot: Snapshot) -> Normaliser:
    return Normaliser(
        snapshot.language, snapshot.places.placeholders(snapshot.language.get("extra_places"))
    )


def test_accents_ligatures_and_full_width_fold_away(norm: Normaliser) -> None:
    assert norm.tokens("Radicalisé", "fr") == norm.tokens("radicalise", "fr")
    assert norm.tokens("Œuvre", "fr") == norm.tokens("oeuvre", "fr")
    assert norm.tokens("ＰＯＬＩＴＩＥ", "nl") == norm.tokens("politie", "nl")


def test_inflections_of_one_word_become_one_token(norm: Normaliser) -> None:
    forms = ["radicaliseert", "geradicaliseerd", "radicalisering", "radicaliseren"]
    assert len({norm.tokens(word, "nl") for word in forms}) == 1


def test_concept_groups_join_synonyms_across_languages(norm: Normaliser) -> None:
    assert norm.tokens("Daesh", "nl") == norm.tokens("ISIS", "en") == norm.tokens("IS", "nl")
    assert norm.tokens("puber", "nl") == norm.tokens("dochter", "nl")


def test_capital_is_is_the_organisation_and_lower_case_is_the_verb(norm: Normaliser) -> None:
    assert norm.tokens("is IS", "nl") == norm.tokens("daesh", "nl")
    assert norm.tokens("het is zo", "nl") == ()


def test_stop_words_and_politeness_are_dropped(norm: Normaliser) -> None:
    assert norm.tokens("de politie alstublieft", "nl") == norm.tokens("politie", "nl")
    assert norm.tokens("la police svp", "fr") == norm.tokens("police", "fr")
    assert norm.tokens("the police please", "en") == norm.tokens("police", "en")


def test_flemish_and_chat_forms_are_rewritten_before_stemming(norm: Normaliser) -> None:
    assert norm.tokens("kunt gij mij helpen", "nl") == norm.tokens("kan je mij helpen", "nl")
    assert norm.tokens("ge hebt mij geholpen", "nl") == norm.tokens("je helpen", "nl")
    assert norm.tokens("mn gsm", "nl") == norm.tokens("mijn smartphone", "nl")


def test_places_and_postcodes_become_placeholders(norm: Normaliser) -> None:
    assert norm.tokens("hulp in Sint-Niklaas", "nl") == norm.tokens("hulp in mechelen", "nl")
    assert "@place" in norm.tokens("hulp in Mechelen", "nl")
    assert "@postcode" in norm.tokens("postcode 2800", "nl")
    assert "@postcode" not in norm.tokens("0470 12 34 56", "nl")
    assert "@place" in norm.tokens("de l'aide à Mechelen", "fr")  # never stemmed to "@plac"


def test_brussels_names_have_their_own_placeholder(norm: Normaliser) -> None:
    # Brussels has its own services; a Flemish town must not read as Brussels or back.
    assert "@brussels" in norm.tokens("ik woon in Schaarbeek", "nl")
    assert "@brussels" in norm.tokens("j'habite à Schaerbeek", "fr")
    assert "@brussels" not in norm.tokens("ik woon in Lokeren", "nl")
    assert "@wallonia" in norm.tokens("j'habite à Namur", "fr")


@pytest.mark.parametrize(
    ("text", "lang", "token"),
    [
        ("help in Brussels", "en", "@brussels"),
        ("de l'aide à Bruxelle", "fr", "@brussels"),
        ("help in Ghent", "en", "@place"),
        ("hulp in antwerpe", "nl", "@place"),
    ],
)
def test_exonyms_and_common_misspellings_are_places(
    norm: Normaliser, text: str, lang: str, token: str
) -> None:
    assert token in norm.tokens(text, lang)


def test_emoji_and_punctuation_leave_no_tokens(norm: Normaliser) -> None:
    assert norm.tokens("😀 ?!", "nl") == ()


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("qu'est-ce que je peux faire pour mon fils", "fr"),
        ("wat kan ik doen voor mijn zoon", "nl"),
        ("what can I do for my son", "en"),
        ("wa moete doen me mijne zoon", "nl"),
    ],
)
def test_function_words_show_the_language(norm: Normaliser, text: str, lang: str) -> None:
    evidence = norm.evidence(text)
    assert max(evidence, key=lambda code: evidence[code]) == lang


def test_a_pasted_phone_number_or_link_adds_no_tokens(norm: Normaliser) -> None:
    # An unknown number would count as an unknown word and dilute the question.
    plain = norm.tokens("kan iemand mij terugbellen", "nl")
    assert norm.tokens("kan iemand mij terugbellen op 0470 12 34 56", "nl") == plain
    assert norm.tokens("kan iemand mij terugbellen https://example.org/x", "nl") == plain


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("un membre du groupe tient des propos racistes", "fr"),
        ("il traîne avec une bande du quartier", "fr"),
        ("hoe kan ik een gesprek voeren met mijn zoon", "nl"),
        ("mediawijsheid lessen over propaganda", "nl"),
        ("peer support for parents", "en"),
    ],
)
def test_ordinary_words_that_are_also_villages_are_not_places(
    norm: Normaliser, text: str, lang: str
) -> None:
    assert "@place" not in norm.tokens(text, lang)
