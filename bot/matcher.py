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
from types import MappingProxyType

import numpy as np
from rapidfuzz import fuzz, process

from bot.language import Normaliser
from bot.model import LANGS, Entry, Snapshot
from bot.text import fold

W_PHRASE, W_ENTRY, W_ANSWER = 0.40, 0.50, 0.10
# The pseudo-entry built from knowledge/out_of_scope.yaml: landing here means "not our field".
OUT_OF_SCOPE = "out-of-scope"
FUZZY_MIN_LENGTH = 5
FUZZY_CUTOFF = 80
# A word the knowledge base has never seen weighs this share of the rarest known word.
UNKNOWN_WEIGHT = 0.6
# Entry coverage: a word in one phrasing counts TF_FLOOR, in TF_SATURATION of them fully.
TF_FLOOR = 0.4
TF_SATURATION = 0.4
# Share of the coverage term taken from the entry's whole topic (its sibling entries' words).
TOPIC_SHARE = 0.5
# An unknown compound ("terugbellen", "telegramgroep") counts as its known head word, a little
# less than the word itself, and as its known first part, less again.
COMPOUND_MIN_LENGTH = 7
COMPOUND_HEAD, COMPOUND_MODIFIER = 0.65, 0.5
# Longer "words" are pasted links, keyboard mashing or another script without spaces: nothing
# fuzzy or compound can come of them, and trying costs seconds on a 4,096-letter run.
LONGEST_WORD = 40


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
        self.entries: tuple[Entry, ...] = (*snapshot.entries, _out_of_scope_entry(snapshot))
        self.phrasings = _phrasings(self.entries, normaliser, extra)
        self.idf = _idf(self.phrasings, len(self.entries))
        self.max_idf = math.log(1 + len(self.entries))
        self._position = {entry.id: n for n, entry in enumerate(self.entries)}
        self._phrase_entry = np.array([p.entry for p in self.phrasings], dtype=np.int64)
        self._phrase_weight = np.array([self._weight(p.tokens) for p in self.phrasings]) + 1e-9
        starts = np.searchsorted(self._phrase_entry, np.arange(len(self.entries)))
        # An entry may have no phrasings (no out_of_scope.yaml): reduceat needs valid starts.
        self._has_phrasings = np.diff(np.append(starts, len(self.phrasings))) > 0
        self._starts = np.minimum(starts, max(len(self.phrasings) - 1, 0))
        self._phrase_post = _postings((pid, p.tokens) for pid, p in enumerate(self.phrasings))
        self._entry_post, self._entry_tf = _tf_postings(self.phrasings, len(self.entries))
        topics = sorted({e.topic for e in self.entries})
        self._topic_of = np.array([topics.index(e.topic) for e in self.entries], dtype=np.int64)
        by_topic = [
            Phrasing(int(self._topic_of[p.entry]), p.lang, p.tokens, p.text) for p in self.phrasings
        ]
        self._topics = len(topics)
        self._topic_post, self._topic_tf = _tf_postings(by_topic, len(topics))
        self._answer_post = {lang: _postings(self._answer_tokens(lang)) for lang in LANGS}
        self._buckets, self._aliases = _buckets(self.phrasings, normaliser, self.idf)
        self._own_words = _own_words(self.entries)
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
        if not FUZZY_MIN_LENGTH <= len(token) <= LONGEST_WORD:
            return ()
        if token.startswith("@") or token.isdigit():
            return ()
        bucket = self._buckets.get((lang, token[0]), [])
        hits = process.extract(token, bucket, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3)
        found: dict[str, float] = {}
        for choice, score, _ in hits:
            known = self._aliases.get((lang, choice), choice)
            found[known] = max(found.get(known, 0.0), (score / 100) ** 2)
        return tuple(found.items()) or self._split_compound(token, lang)

    def _split_compound(self, token: str, lang: str) -> tuple[tuple[str, float], ...]:
        """The longest known tail of an unknown long word, and its known front part if any.

        Dutch writes compounds as one word, so "terugbellen" is a kind of "bellen" and
        "telegramgroep" a kind of "groep"; stems keep the tail intact, so splitting the stem
        is enough. A tail needs four letters, or three when the front part is known too.
        """
        if len(token) < COMPOUND_MIN_LENGTH:
            return ()
        for cut in range(3, len(token) - 2):
            head = self._known(token[cut:], lang)
            front = self._known(token[:cut], lang) or self._known(token[: cut - 1], lang)
            if head and (len(token) - cut >= 5 or (front and cut >= 4)):
                parts = {head: COMPOUND_HEAD}
                if front and front != head:
                    parts[front] = COMPOUND_MODIFIER
                return tuple(parts.items())
        return ()

    def _known(self, fragment: str, lang: str) -> str | None:
        if len(fragment) < 3:
            return None
        token = fragment if fragment in self.idf else self.normaliser.word_token(fragment, lang)
        return token if token in self.idf else None

    def rank(
        self,
        text: str,
        langs: Iterable[str] = LANGS,
        limit: int = 5,
        exclude: int = -1,
        out_of_scope: bool = False,
    ) -> list[Match]:
        """Entries ranked by score for `text`, reading it as each language in `langs`.

        `exclude` leaves one phrasing out, for the leave-one-out check of `helpdesk kb check`;
        `out_of_scope` lets the out-of-scope pseudo-entry compete (the dialogue wants that).
        """
        best_score = np.zeros(len(self.entries))
        best_evidence = np.zeros(len(self.entries))
        best_lang = np.zeros(len(self.entries), dtype=np.int64)
        for code, lang in enumerate(LANGS):
            if lang in langs:
                scores, evidence = self._scores(text, lang, exclude)
                better = scores > best_score
                best_score[better], best_lang[better] = scores[better], code
                best_evidence[better] = evidence[better]
        if not out_of_scope:
            best_score[-1] = 0.0
        top = np.argsort(-best_score, kind="stable")[:limit]
        return [
            self._match(int(i), best_score, best_evidence, best_lang)
            for i in top
            if best_score[i] > 0
        ]

    def _match(self, i: int, score: np.ndarray, evidence: np.ndarray, lang: np.ndarray) -> Match:
        entry = self.entries[i]
        return Match(
            entry.id,
            entry.topic,
            round(float(score[i]), 1),
            LANGS[lang[i]],
            round(float(evidence[i]), 2),
        )

    def language_votes(self, text: str) -> dict[str, float]:
        """Per language, the words of `text` that only that language's texts use."""
        found = fold(text).split()
        return {lang: float(sum(1 for w in found if w in self._own_words[lang])) for lang in LANGS}

    def score_of(self, text: str, lang: str, entry_id: str) -> float:
        """The score of one entry when `text` is read as `lang`."""
        return self.scores_of(text, lang, (entry_id,))[0]

    def scores_of(self, text: str, lang: str, entry_ids: Iterable[str]) -> list[float]:
        """The scores of some entries when `text` is read as `lang`, from one scoring pass."""
        scores = self._scores(text, lang)[0]
        positions = [self._position.get(entry_id) for entry_id in entry_ids]
        return [float(scores[p]) if p is not None else 0.0 for p in positions]

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
        if len(f_score):
            best_phrase = np.maximum.reduceat(f_score, self._starts) * self._has_phrasings
        else:
            best_phrase = np.zeros(len(self.entries))
        bag = (
            _accumulate(self._entry_post, weights, len(self.entries), self._entry_tf) / query_weight
        )
        if exclude >= 0:
            bag = self._without(bag, exclude, weights, query_weight)
        elif TOPIC_SHARE:
            topic = _accumulate(self._topic_post, weights, self._topics, self._topic_tf)
            bag = (1 - TOPIC_SHARE) * bag + TOPIC_SHARE * topic[self._topic_of] / query_weight
        answer = _accumulate(self._answer_post[lang], weights, len(self.entries)) / query_weight
        mix = (
            W_PHRASE * best_phrase
            + W_ENTRY * np.minimum(bag, 1.0)
            + W_ANSWER * np.minimum(answer, 1.0)
        )
        return 100.0 * mix, bag * query_weight

    def _match_tokens(self, text: str, lang: str) -> tuple[dict[str, float], float]:
        matched: dict[str, float] = {}
        query_weight = 0.0
        for token in set(self.normaliser.tokens(text, lang)):
            expansions = self._expand(token, lang)
            # A word the knowledge base has never seen still counts as part of the question.
            query_weight += max(
                (self.idf[k] for k, _ in expansions), default=self.max_idf * UNKNOWN_WEIGHT
            )
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


def _own_words(entries: tuple[Entry, ...]) -> dict[str, frozenset[str]]:
    """Folded words that occur in one language's phrasings and answers and in no other's."""
    seen: dict[str, set[str]] = {lang: set() for lang in LANGS}
    for entry in entries:
        for lang in LANGS:
            texts = [*entry.questions.get(lang, ()), *entry.answers.get(lang, {}).values()]
            for text in texts:
                seen[lang].update(w for w in fold(text).split() if len(w) > 3 and not w.isdigit())
    return {
        lang: frozenset(words - set().union(*(seen[o] for o in LANGS if o != lang)))
        for lang, words in seen.items()
    }


def _out_of_scope_entry(snapshot: Snapshot) -> Entry:
    """Everyday subjects as one entry, so declining is a match like any other."""
    questions = MappingProxyType(dict(snapshot.out_of_scope))
    empty: MappingProxyType[str, str] = MappingProxyType({})
    return Entry(
        OUT_OF_SCOPE, OUT_OF_SCOPE, "all", empty, questions, MappingProxyType({}), (), (), (), None
    )


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
    postings: dict[str, np.ndarray],
    weights: dict[str, float],
    size: int,
    factors: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Sum each token's weight (times a per-posting factor) into its targets, in one bincount."""
    found = [t for t in weights if t in postings]
    if not found:
        return np.zeros(size)
    arrays = [postings[t] for t in found]
    values = np.repeat([weights[t] for t in found], [len(array) for array in arrays])
    if factors is not None:
        values = values * np.concatenate([factors[t] for t in found])
    return np.bincount(np.concatenate(arrays), weights=values, minlength=size)


def _tf_postings(
    phrasings: list[Phrasing], entries: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Entries per token, with how characteristic the token is of each entry.

    A word in one of an entry's phrasings counts TF_FLOOR; a word in many of them up to 1
    (saturating like BM25's term frequency), so an entry is recognised by its own vocabulary.
    """
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    sizes = [0] * entries
    for phrasing in phrasings:
        sizes[phrasing.entry] += 1
        for token in phrasing.tokens:
            counts[token][phrasing.entry] += 1
    posts, factors = {}, {}
    for token, per_entry in counts.items():
        ids = sorted(per_entry)
        posts[token] = np.array(ids, dtype=np.int64)
        share = np.array([per_entry[e] / max(sizes[e], 1) for e in ids])
        factors[token] = TF_FLOOR + (1 - TF_FLOOR) * np.minimum(1.0, share / TF_SATURATION)
    return posts, factors


def _buckets(
    phrasings: list[Phrasing], normaliser: Normaliser, idf: dict[str, float]
) -> tuple[dict[tuple[str, str], list[str]], dict[tuple[str, str], str]]:
    """Fuzzy candidates per language and first letter (typos rarely hit the first letter).

    Concept words ("conspiracy") are candidates too, standing for their concept, so a typo in
    them ("conspircy") still finds the concept.
    """
    buckets: dict[tuple[str, str], set[str]] = defaultdict(set)
    aliases: dict[tuple[str, str], str] = {}
    for phrasing in phrasings:
        for token in phrasing.tokens:
            if len(token) >= FUZZY_MIN_LENGTH - 1 and not token.startswith("@"):
                buckets[(phrasing.lang, token[0])].add(token)
    for lang in LANGS:
        for word, concept in normaliser.members(lang).items():
            if concept in idf and len(word) >= FUZZY_MIN_LENGTH and (lang, word) not in aliases:
                buckets[(lang, word[0])].add(word)
                aliases[(lang, word)] = concept
    return {key: sorted(values) for key, values in buckets.items()}, aliases
