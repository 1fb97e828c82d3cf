"""Rank knowledge-base entries for a message.

Every phrasing of every entry is normalised once (bot.language) into weighted tokens. A query
token counts for a knowledge token when they are equal or, for longer words, within a small
edit distance (rapidfuzz over the prepared vocabulary, in C). Weights are inverse entry
frequencies, so rare, meaningful words count more than common ones. An entry's score mixes

- its best single phrasing (how much of the query and of that phrasing agree, F-measure),
- all its phrasings together (how much of the query any of its phrasings covers),
- its answer text, as weak evidence,

into a number from 0 to 100. Thresholds on that number are calibrated in bot.dialogue.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.language import Normaliser
from bot.model import LANGS, Snapshot

W_PHRASE, W_ENTRY, W_ANSWER = 0.55, 0.35, 0.10


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked entry: score in [0, 100] and the language of the phrasing that matched."""

    entry_id: str
    topic: str
    score: float
    lang: str


@dataclass(frozen=True, slots=True)
class Phrasing:
    entry: int
    lang: str
    tokens: frozenset[str]
    weight: float
    text: str


class Index:
    """All phrasings of one Snapshot (plus learned ones), normalised and weighted once."""

    def __init__(
        self, snapshot: Snapshot, normaliser: Normaliser, extra: Iterable[tuple[str, str, str]] = ()
    ) -> None:
        self.normaliser = normaliser
        self.entries = snapshot.entries
        position = {entry.id: n for n, entry in enumerate(self.entries)}
        texts = [
            (n, lang, q)
            for n, e in enumerate(self.entries)
            for lang in LANGS
            for q in e.questions.get(lang, ())
        ]
        texts.extend((position[e], lang, t) for e, lang, t in extra if e in position)
        raw = [(n, lang, normaliser.tokens(q, lang), q) for n, lang, q in texts]
        self.idf = _idf(raw, len(self.entries))
        self.phrasings = [
            Phrasing(n, lang, frozenset(t), self._weight(t), q) for n, lang, t, q in raw if t
        ]
        self.postings: dict[str, list[int]] = defaultdict(list)
        for pid, phrasing in enumerate(self.phrasings):
            for token in phrasing.tokens:
                self.postings[token].append(pid)
        self.vocab = {
            lang: sorted({t for p in self.phrasings if p.lang == lang for t in p.tokens})
            for lang in LANGS
        }
        self.entry_bags = _bags(self.phrasings, len(self.entries))
        self.answer_bags = [self._answer_tokens(entry) for entry in self.entries]
        self._expand = lru_cache(maxsize=8192)(self._expand_token)

    def _weight(self, tokens: Iterable[str]) -> float:
        return sum(self.idf.get(t, self.max_idf) for t in set(tokens))

    @property
    def max_idf(self) -> float:
        return math.log(1 + len(self.entries))

    def _answer_tokens(self, entry: object) -> dict[str, frozenset[str]]:
        answers = getattr(entry, "answers", {})
        return {
            lang: frozenset(
                t for text in answers[lang].values() for t in self.normaliser.tokens(text, lang)
            )
            for lang in answers
        }

    def _expand_token(self, token: str, lang: str) -> tuple[tuple[str, float], ...]:
        """Knowledge tokens this query token stands for, with a similarity in (0, 1]."""
        if token in self.postings or token.startswith("@"):
            return ((token, 1.0),) if token in self.postings else ()
        if len(token) < 5 or token.isdigit():
            return ()
        hits = process.extract(token, self.vocab[lang], scorer=fuzz.ratio, score_cutoff=80, limit=3)
        return tuple((choice, (score / 100) ** 2) for choice, score, _ in hits)

    def rank(
        self, text: str, langs: Iterable[str] = LANGS, limit: int = 5, exclude: int = -1
    ) -> list[Match]:
        """Entries ranked by score for `text`, trying each language in `langs`.

        `exclude` leaves one phrasing out, for the leave-one-out check of `helpdesk kb check`.
        """
        best: dict[int, Match] = {}
        for lang in langs:
            for entry, score in self._scores(text, lang, exclude).items():
                if entry not in best or score > best[entry].score:
                    e = self.entries[entry]
                    best[entry] = Match(e.id, e.topic, round(score, 1), lang)
        return sorted(best.values(), key=lambda m: -m.score)[:limit]

    def score_of(self, text: str, lang: str, entry_id: str) -> float:
        """The score of one entry when `text` is read as `lang`."""
        position = next((n for n, e in enumerate(self.entries) if e.id == entry_id), None)
        return self._scores(text, lang).get(position, 0.0) if position is not None else 0.0

    def _scores(self, text: str, lang: str, exclude: int = -1) -> dict[int, float]:
        tokens = self.normaliser.tokens(text, lang)
        if not tokens:
            return {}
        matched: dict[str, float] = {}
        query_weight = 0.0
        for token in set(tokens):
            expansions = self._expand(token, lang)
            query_weight += max((self.idf[k] for k, _ in expansions), default=self.max_idf * 0.6)
            for known, similarity in expansions:
                matched[known] = max(similarity, matched.get(known, 0.0))
        return self._combine(matched, query_weight, lang, exclude)

    def _combine(
        self, matched: dict[str, float], query_weight: float, lang: str, exclude: int
    ) -> dict[int, float]:
        phrase_hits: dict[int, float] = defaultdict(float)
        for token, similarity in matched.items():
            for pid in self.postings[token]:
                if pid != exclude:
                    phrase_hits[pid] += self.idf[token] * similarity
        best_phrase: dict[int, float] = defaultdict(float)
        for pid, hit in phrase_hits.items():
            phrasing = self.phrasings[pid]
            recall, precision = hit / query_weight, hit / phrasing.weight
            f_score = 2 * recall * precision / (recall + precision) if hit else 0.0
            best_phrase[phrasing.entry] = max(best_phrase[phrasing.entry], f_score)
        scores = {}
        left_out = self.phrasings[exclude] if exclude >= 0 else None
        for entry, phrase_score in best_phrase.items():
            bag, answer = self.entry_bags[entry], self.answer_bags[entry].get(lang, frozenset())
            minus = left_out.tokens if left_out and left_out.entry == entry else frozenset()
            bag_cover = (
                sum(self.idf[t] * s for t, s in matched.items() if bag[t] > (t in minus))
                / query_weight
            )
            answer_cover = (
                sum(self.idf[t] * s for t, s in matched.items() if t in answer) / query_weight
            )
            mix = (
                W_PHRASE * phrase_score
                + W_ENTRY * min(bag_cover, 1.0)
                + W_ANSWER * min(answer_cover, 1.0)
            )
            scores[entry] = 100.0 * mix
        return scores


def _idf(raw: list[tuple[int, str, tuple[str, ...], str]], entries: int) -> dict[str, float]:
    """Inverse entry frequency: a token used by every entry weighs almost nothing."""
    holders: dict[str, set[int]] = defaultdict(set)
    for entry, _, tokens, _ in raw:
        for token in tokens:
            holders[token].add(entry)
    return {t: math.log(1 + entries / len(h)) for t, h in holders.items()}


def _bags(phrasings: list[Phrasing], entries: int) -> list[Counter[str]]:
    """Per entry, how many of its phrasings hold each token (so one can be left out)."""
    bags: list[Counter[str]] = [Counter() for _ in range(entries)]
    for phrasing in phrasings:
        bags[phrasing.entry].update(phrasing.tokens)
    return bags
