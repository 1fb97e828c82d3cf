"""Language-aware normalisation: the one pipeline used by the index and by every query.

fold → multi-word concepts → chat/Flemish forms → stop words → Snowball stem → concept groups.
Language detection counts each language's function words and typical letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]

from bot.model import LANGS
from bot.text import PLACEHOLDERS, fold

_STEMMER_NAMES = {"nl": "dutch", "fr": "french", "en": "english"}
# "IS" in capitals is the organisation, "is" is the verb: decide before case is folded away.
_ISLAMIC_STATE = re.compile(r"(?<![A-Za-z])(?:IS|I\.S\.)(?![A-Za-z])")
_FR_LETTERS = re.compile(r"[éèêàçùâîôûœ]|\b(?:l|d|qu|j|n|c|m|s)'\w", re.IGNORECASE)
_NL_LETTERS = re.compile(r"ij|\b(?:'t|'k)\b|aa|oe|uu", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Pipeline:
    stop: frozenset[str]
    cues: frozenset[str]  # stop words and function words: evidence of the language
    forms: Mapping[str, tuple[str, ...]]
    stemmer: Any
    concepts: Mapping[str, str]  # stem -> concept
    phrases: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]]  # first word -> (words, token)


class Normaliser:
    """Turns text into weighted-matching tokens for one language at a time.

    Town names and postcodes become the concepts `@place` and `@postcode`, so "who can help
    in Mechelen" and "wie in 3500" match questions written with any other town. `places` maps
    each folded name to its token (`Places.placeholders`); a plain list of names means "@place".
    """

    def __init__(
        self, data: Mapping[str, Any], places: Mapping[str, str] | Iterable[str] = ()
    ) -> None:
        excluded = {fold(str(w)) for w in data.get("not_places", []) or []}
        tokens = places if isinstance(places, Mapping) else dict.fromkeys(places, "@place")
        towns = {
            name: token for name, token in tokens.items() if len(name) >= 4 and name not in excluded
        }
        self._pipes = {lang: _build(lang, data, towns) for lang in LANGS}
        self.tokens = lru_cache(maxsize=4096)(self._tokens)

    def _tokens(self, text: str, lang: str) -> tuple[str, ...]:
        pipe = self._pipes[lang]
        words = fold(_ISLAMIC_STATE.sub(" isis ", text)).split()
        words = _replace_phrases(words, pipe.phrases)
        out: list[str] = []
        for word in words:
            for part in pipe.forms.get(word, (word,)):
                if part in pipe.stop or part in PLACEHOLDERS or not part:
                    continue  # a pasted number or link says nothing about the question
                out.append(_concept_or_stem(part, pipe))
        return tuple(out)

    def members(self, lang: str) -> dict[str, str]:
        """Written forms of concept-group words and the concept each stands for (for typos)."""
        return {
            word: concept for word, concept in self._pipes[lang].concepts.items() if "_" not in word
        }

    def word_token(self, word: str, lang: str) -> str:
        """The token of one folded word (no forms, no stop words): for splitting compounds."""
        return _concept_or_stem(word, self._pipes[lang])

    def evidence(self, text: str) -> dict[str, float]:
        """How strongly each language shows in `text` (function words and letters)."""
        words = fold(text).split()
        scores = {lang: 0.0 for lang in LANGS}
        for lang, pipe in self._pipes.items():
            scores[lang] = sum(1.0 for w in words if w in pipe.cues or w in pipe.forms)
        scores["fr"] += 0.5 * len(_FR_LETTERS.findall(text))
        scores["nl"] += 0.3 * len(_NL_LETTERS.findall(text))
        return scores


def _concept_or_stem(word: str, pipe: _Pipeline) -> str:
    if word.isdigit():
        return "@postcode" if len(word) == 4 and word[0] != "0" else word
    if word in pipe.concepts:
        return pipe.concepts[word]
    if word.startswith("@"):  # a placeholder ("@place"), never a word to stem
        return word
    stem = pipe.stemmer.stemWord(word) if len(word) > 3 else word
    return pipe.concepts.get(stem, stem)


def _replace_phrases(
    words: list[str], phrases: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]]
) -> list[str]:
    """Replace the longest known multi-word (or place) name starting at each word."""
    out: list[str] = []
    i = 0
    while i < len(words):
        for phrase, token in phrases.get(words[i], ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                out.append(token)
                i += len(phrase)
                break
        else:
            out.append(words[i])
            i += 1
    return out


class _CachedStemmer:
    """Snowball stemming is pure Python; the same words recur across thousands of phrasings."""

    def __init__(self, stemmer: Any) -> None:
        self.stemWord = lru_cache(maxsize=65536)(stemmer.stemWord)


def _build(lang: str, data: Mapping[str, Any], towns: Mapping[str, str]) -> _Pipeline:
    stemmer = _CachedStemmer(snowballstemmer.stemmer(_STEMMER_NAMES[lang]))
    stop = frozenset(fold(str(w)) for w in (data.get("stopwords", {}) or {}).get(lang, []) or [])
    function = {fold(str(w)) for w in (data.get("function_words", {}) or {}).get(lang, []) or []}
    raw_forms = (data.get("forms", {}) or {}).get(lang, {}) or {}
    forms = {fold(str(k)): tuple(fold(str(v)).split()) for k, v in raw_forms.items()}
    concepts: dict[str, str] = {}
    phrases: list[tuple[tuple[str, ...], str]] = []
    for group in data.get("concepts", []) or []:
        members = [fold(str(m)) for m in group]
        concept = "@" + members[0].replace(" ", "_")
        for member in members:
            if " " in member:
                phrases.append((tuple(member.split()), member.replace(" ", "_")))
                concepts[member.replace(" ", "_")] = concept
            else:
                concepts.setdefault(member, concept)
                concepts.setdefault(stemmer.stemWord(member), concept)
    for town, token in towns.items():
        phrases.append((tuple(town.split()), token))
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase, token in sorted(phrases, key=lambda item: -len(item[0])):
        by_first.setdefault(phrase[0], []).append((phrase, token))
    return _Pipeline(
        stop,
        frozenset(stop | function),
        forms,
        stemmer,
        concepts,
        {k: tuple(v) for k, v in by_first.items()},
    )
