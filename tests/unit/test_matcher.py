"""Ranking (bot.matcher) on small hand-made knowledge bases, so each rule is seen on its own."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import pytest

from bot.dialogue import _choices
from bot.language import Normaliser
from bot.matcher import OUT_OF_SCOPE, Index, Match
from bot.model import Entry, Snapshot


def entry(entry_id: str, *questions: str, lang: str = "nl", answer: str = "Antwoord.") -> Entry:
    return Entry(
        id=entry_id,
        topic=entry_id.split("-")[0],
        audience="all",
        title=MappingProxyType({}),
        questions=MappingProxyType({lang: tuple(questions)}),
        answers=MappingProxyType({lang: MappingProxyType({"all": answer})}),
        refer=(),
        related=(),
        sources=(),
        reviewed=None,
    )


def index_of(snapshot: Snapshot, *entries: Entry, out_of_scope: tuple[str, ...] = ()) -> Index:
    mini = replace(
        snapshot,
        entries=entries,
        by_id=MappingProxyType({e.id: e for e in entries}),
        out_of_scope=MappingProxyType({"nl": out_of_scope}),
    )
    return Index(mini, Normaliser(snapshot.language))


def top(index: Index, text: str, **kwargs: object) -> str:
    return index.rank(text, **kwargs)[0].entry_id  # type: ignore[arg-type]


def test_a_rare_word_outweighs_common_ones(snapshot: Snapshot) -> None:
    index = index_of(
        snapshot,
        entry("police-report", "hoe meld ik iets bij de politie"),
        entry("talk-son", "hoe praat ik met mijn zoon over iets"),
        entry("talk-daughter", "hoe praat ik met mijn dochter"),
        entry("talk-pupil", "hoe praat ik met een leerling"),
    )
    assert top(index, "hoe praat ik met de politie") == "police-report"


def test_every_phrasing_of_an_entry_counts_not_only_the_first(snapshot: Snapshot) -> None:
    index = index_of(
        snapshot,
        entry("secrecy-a", "wat is beroepsgeheim", "mag ik informatie delen met de school"),
        entry("other-b", "wat is een aanspreekpunt", "informatie over vorming"),
    )
    assert top(index, "mag ik dat delen met de school") == "secrecy-a"


def test_scores_are_between_0_and_100_and_ranked(snapshot: Snapshot) -> None:
    index = index_of(
        snapshot,
        entry("a-one", "welke signalen van radicalisering"),
        entry("b-two", "signalen bij een leerling in de klas"),
        entry("c-three", "wie kan ik bellen"),
    )
    matches = index.rank("signalen van radicalisering bij een leerling")
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 100 for s in scores)
    assert index.rank("welke signalen van radicalisering")[0].score > 80


@pytest.mark.parametrize("typo", ["radicalisaring", "radicaliseering", "radikalisering"])
def test_a_typo_in_a_long_word_still_matches(snapshot: Snapshot, typo: str) -> None:
    index = index_of(
        snapshot,
        entry("signs-a", "wat zijn signalen van radicalisering"),
        entry("other-b", "wat zijn de openingsuren van het caw"),
    )
    assert top(index, f"signalen {typo}") == "signs-a"
    assert top(index, typo) == "signs-a"


def test_an_unknown_compound_counts_as_its_known_head_word(snapshot: Snapshot) -> None:
    index = index_of(
        snapshot,
        entry("online-a", "mijn zoon zit in een groep met vreemde ideeën"),
        entry("other-b", "mijn zoon heeft een nieuwe telefoon"),
    )
    assert top(index, "telegramgroep") == "online-a"
    assert index.rank("xyzzyplughgroep")[0].score < index.rank("groep")[0].score


def test_short_unknown_words_are_not_split_into_nonsense(snapshot: Snapshot) -> None:
    index = index_of(snapshot, entry("arm-a", "hij breekt zijn arm"), entry("b-b", "iets anders"))
    assert index.rank("verwarm") == []


def test_a_run_of_letters_longer_than_any_word_is_not_searched(snapshot: Snapshot) -> None:
    # A pasted blob ending in a known word is noise, not a compound of that word.
    index = index_of(snapshot, entry("online-a", "een groep op telegram"), entry("b-b", "iets"))
    assert top(index, "telegramgroep") == "online-a"
    assert index.rank("q" * 4000 + "groep") == []


def test_the_answer_text_is_weak_evidence(snapshot: Snapshot) -> None:
    index = index_of(
        snapshot,
        entry("plain-a", "waar vind ik hulp"),
        entry("told-b", "waar vind ik hulp", answer="Bel de Opvoedingslijn."),
        entry("line-c", "wat doet de opvoedingslijn"),
    )
    scores = {m.entry_id: m.score for m in index.rank("hulp opvoedingslijn")}
    assert scores["told-b"] > scores["plain-a"]
    assert scores["told-b"] - scores["plain-a"] < 20, "the answer only tips the balance"


def test_the_language_of_the_matching_phrasing_is_reported(snapshot: Snapshot) -> None:
    index = index_of(
        snapshot,
        entry("fr-a", "que faire si mon fils se radicalise", lang="fr"),
        entry("nl-b", "wat als mijn zoon radicaliseert"),
    )
    assert index.rank("mon fils se radicalise que faire")[0].lang == "fr"


def test_out_of_scope_competes_only_when_asked(snapshot: Snapshot) -> None:
    index = index_of(
        snapshot,
        entry("signs-a", "wat zijn signalen van radicalisering"),
        entry("other-b", "wie kan ik bellen"),
        out_of_scope=("hoe wordt het weer morgen", "recept voor soep"),
    )
    assert top(index, "het weer morgen", out_of_scope=True) == OUT_OF_SCOPE
    assert all(m.entry_id != OUT_OF_SCOPE for m in index.rank("het weer morgen"))


def test_leave_one_out_ignores_the_excluded_phrasing(snapshot: Snapshot) -> None:
    index = index_of(
        snapshot,
        entry("alone-a", "zeldzaam onderwerp kwijlebabbel"),
        entry("other-b", "iets gewoon"),
    )
    assert index.rank("zeldzaam onderwerp kwijlebabbel", exclude=0) == []


def test_did_you_mean_offers_close_entries_of_other_topics_only() -> None:
    matches = [
        Match("signs-a", "signs", 50.0, "nl"),
        Match("signs-b", "signs", 49.5, "nl"),
        Match("talking-a", "talking", 48.0, "nl"),
        Match("school-a", "school", 30.0, "nl"),
    ]
    assert _choices(matches) == ("talking-a",)
    assert _choices([matches[0], matches[3]]) == ()
