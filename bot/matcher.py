"""Rank knowledge-base entries for a message.

Every phrasing of every entry is normalised once (bot.language) into tokens. A query token
counts for a knowledge token when they are equal or, for longer words, within a small edit
distance (rapidfuzz over the prepared vocabulary, bucketed by first letter). Weights are
inverse entry frequencies, so rare, meaningful words count more than common ones. An entry's
score mixes

- its best single phrasing (how much of the query and of that phrasing agree, F-measure),
- all its phrasings together (how much of the query any of its phrasings covers),
- its answer text, as weak evidence,

into a number from 0 to 100. Thresholds on that number are calibrated in bot.dialogue.
Scoring is vectorised with numpy over posting arrays built at load time, so a query costs
about the same whether the knowledge base holds a hundred entries or ten thousand.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from bot.language import Normaliser
from bot.model import LANGS, Entry, Snapshot

W_PHRASE, W_ENTRY, W_ANSWER = 0.55, 0.35, 0.10
FUZZY_MIN_LENGTH = 5
FUZZY_CUTOFF = 80


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked entry: score in [0, 100] and the language of the phrasing that matched."""

    entry_id: str
    topic: str
    score: float
    lang: str
    evidence: float = (
        0.0  # summed weight of the query's words this entry knows, however long the query
    )


@dataclass(frozen=True, slots=True)
class Phrasing:
    entry: int
    lang: str
    tokens: frozenset[str]
    text: str


class Index:
    """All phrasings of one Snapshot (plus learned ones), normalised and weighted once."""

    def __init__(
        self, snapshot: Snapshot, normaliser: Normaliser, extra: Iterable[tuple[str, str, str]] = ()
    ) -> None:
        self.normaliser = normaliser
        self.entries: tuple[Entry, ...] = snapshot.entries
        self.phrasings = _phrasings(self.entries, normaliser, extra)
        self.idf = _idf(self.phrasings, len(self.entries))
        self.max_idf = math.log(1 + len(self.entries))
        self._position = {entry.id: n for n, entry in enumerate(self.entries)}
        self._phrase_entry = np.array([p.entry for p in self.phrasings], dtype=np.int64)
        self._phrase_weight = np.array([self._weight(p.tokens) for p in self.phrasings]) + 1e-9
        self._starts = np.searchsorted(self._phrase_entry, np.arange(len(self.entries)))
        self._phrase_post = _postings((pid, p.tokens) for pid, p in enumerate(self.phrasings))
        self._entry_post = _postings((p.entry, p.tokens) for p in self.phrasings)
        self._answer_post = {lang: _postings(self._answer_tokens(lang)) for lang in LANGS}
        self._buckets = _buckets(self.phrasings)
        self._expand = lru_cache(maxsize=16384)(self._expand_token)

    def _weight(self, tokens: Iterable[str]) -> float:
        return sum(self.idf.get(t, self.max_idf) for t in tokens)

    def _answer_tokens(self, lang: str) -> Iterable[tuple[int, frozenset[str]]]:
        for n, entry in enumerate(self.entries):
            texts = entry.answers.get(lang, {}).values()
            yield n, frozenset(t for text in texts for t in self.normaliser.tokens(text, lang))

    def _expand_token(self, token: str, lang: str) -> tuple[tuple[str, float], ...]:
        """Knowledge tokens this query token stands for, with a similarity in (0, 1]."""
        if token in self.idf:
            return ((token, 1.0),)
        if len(token) < FUZZY_MIN_LENGTH or token.startswith("@") or token.isdigit():
            return ()
        bucket = self._buckets.get((lang, token[0]), [])
        hits = process.extract(token, bucket, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3)
        return tuple((choice, (score / 100) ** 2) for choice, score, _ in hits)

    def rank(
        self, text: str, langs: Iterable[str] = LANGS, limit: int = 5, exclude: int = -1
    ) -> list[Match]:
        """Entries ranked by score for `text`, reading it as each language in `langs`.

        `exclude` leaves one phrasing out, for the leave-one-out check of `helpdesk kb check`.
        """
        best_score = np.zeros(len(self.entries))
        best_lang = np.zeros(len(self.entries), dtype=np.int64)
        for code, lang in enumerate(LANGS):
            if lang in langs:
                scores = self._scores(text, lang, exclude)
                better = scores > best_score
                best_score[better], best_lang[better] = scores[better], code
        top = np.argsort(-best_score, kind="stable")[:limit]
        return [
            Match(
                self.entries[i].id,
                self.entries[i].topic,
                round(float(best_score[i]), 1),
                LANGS[best_lang[i]],
            )
            for i in top
            if best_score[i] > 0
        ]

    def score_of(self, text: str, lang: str, entry_id: str) -> float:
        """The score of one entry when `text` is read as `lang`."""
        position = self._position.get(entry_id)
        return float(self._scores(text, lang)[0][position]) if position is not None else 0.0

    def _scores(self, text: str, lang: str, exclude: int = -1) -> tuple[np.ndarray, np.ndarray]:
        """Per entry: the mixed score in [0, 100] and the absolute evidence."""
        matched, query_weight = self._match_tokens(text, lang)
        if not matched:
            return np.zeros(len(self.entries)), np.zeros(len(self.entries))
        weights = {token: self.idf[token] * similarity for token, similarity in matched.items()}
        hits = _accumulate(self._phrase_post, weights, len(self.phrasings))
        if exclude >= 0:
            hits[exclude] = 0.0
        recall, precision = hits / query_weight, hits / self._phrase_weight
        f_score = np.where(hits > 0, 2 * recall * precision / (recall + precision + 1e-12), 0.0)
        best_phrase = np.maximum.reduceat(f_score, self._starts) if len(f_score) else f_score
        bag = _accumulate(self._entry_post, weights, len(self.entries)) / query_weight
        if exclude >= 0:
            bag = self._without(bag, exclude, weights, query_weight)
        answer = _accumulate(self._answer_post[lang], weights, len(self.entries)) / query_weight
        mix = (
            W_PHRASE * best_phrase
            + W_ENTRY * np.minimum(bag, 1.0)
            + W_ANSWER * np.minimum(answer, 1.0)
        )
        return 100.0 * mix

    def _match_tokens(self, text: str, lang: str) -> tuple[dict[str, float], float]:
        matched: dict[str, float] = {}
        query_weight = 0.0
        for token in set(self.normaliser.tokens(text, lang)):
            expansions = self._expand(token, lang)
            # A word the knowledge base has never seen still counts as part of the question.
            query_weight += max((self.idf[k] for k, _ in expansions), default=self.max_idf * 0.6)
            for known, similarity in expansions:
                matched[known] = max(similarity, matched.get(known, 0.0))
        return matched, query_weight

    def _without(
        self, bag: np.ndarray, exclude: int, weights: dict[str, float], query_weight: float
    ) -> np.ndarray:
        """Entry coverage as if phrasing `exclude` did not exist (leave-one-out)."""
        left_out = self.phrasings[exclude]
        others = [
            p.tokens
            for pid, p in enumerate(self.phrasings)
            if p.entry == left_out.entry and pid != exclude
        ]
        still = frozenset().union(*others) if others else frozenset()
        bag = bag.copy()
        bag[left_out.entry] = sum(w for t, w in weights.items() if t in still) / query_weight
        return bag


def _phrasings(
    entries: tuple[Entry, ...], normaliser: Normaliser, extra: Iterable[tuple[str, str, str]]
) -> list[Phrasing]:
    """Phrasings sorted by entry, so per-entry maxima are one `reduceat`."""
    position = {entry.id: n for n, entry in enumerate(entries)}
    texts = [
        (n, lang, q)
        for n, e in enumerate(entries)
        for lang in LANGS
        for q in e.questions.get(lang, ())
    ]
    texts.extend((position[e], lang, t) for e, lang, t in extra if e in position and lang in LANGS)
    texts.sort(key=lambda item: item[0])
    return [Phrasing(n, lang, frozenset(normaliser.tokens(q, lang)), q) for n, lang, q in texts]


def _idf(phrasings: list[Phrasing], entries: int) -> dict[str, float]:
    """Inverse entry frequency: a token used by every entry weighs almost nothing."""
    holders: dict[str, set[int]] = defaultdict(set)
    for phrasing in phrasings:
        for token in phrasing.tokens:
            holders[token].add(phrasing.entry)
    return {t: math.log(1 + entries / len(h)) for t, h in holders.items()}


def _postings(items: Iterable[tuple[int, frozenset[str]]]) -> dict[str, np.ndarray]:
    lists: dict[str, set[int]] = defaultdict(set)
    for target, tokens in items:
        for token in tokens:
            lists[token].add(target)
    return {token: np.fromiter(sorted(ids), dtype=np.int64) for token, ids in lists.items()}


def _accumulate(
    postings: dict[str, np.ndarray], weights: dict[str, float], size: int
) -> np.ndarray:
    """Sum each token's weight into every target of its posting list, in one bincount."""
    found = [(postings[t], w) for t, w in weights.items() if t in postings]
    if not found:
        return np.zeros(size)
    arrays = [array for array, _ in found]
    values = np.repeat([w for _, w in found], [len(array) for array in arrays])
    return np.bincount(np.concatenate(arrays), weights=values, minlength=size)


def _buckets(phrasings: list[Phrasing]) -> dict[tuple[str, str], list[str]]:
    """Fuzzy candidates per language and first letter: typos rarely hit the first letter."""
    buckets: dict[tuple[str, str], set[str]] = defaultdict(set)
    for phrasing in phrasings:
        for token in phrasing.tokens:
            if len(token) >= FUZZY_MIN_LENGTH - 1 and not token.startswith("@"):
                buckets[(phrasing.lang, token[0])].add(token)
    return {key: sorted(values) for key, values in buckets.items()}
