"""Synthetic knowledge bases of any size, built from the real one's vocabulary."""

from __future__ import annotations

import random
from dataclasses import replace
from types import MappingProxyType

from bot.model import LANGS, Snapshot
from bot.text import words


def vocabulary(snapshot: Snapshot) -> dict[str, list[str]]:
    """The words people use in the real phrasings, per language."""
    found: dict[str, set[str]] = {lang: set() for lang in LANGS}
    for entry in snapshot.entries:
        for lang in LANGS:
            for question in entry.questions.get(lang, ()):
                found[lang].update(words(question))
    return {lang: sorted(values) for lang, values in found.items()}


def synthetic(snapshot: Snapshot, size: int, phrasings: int = 10, seed: int = 7) -> Snapshot:
    """`size` entries with about `phrasings` phrasings each, over the real topics."""
    rng = random.Random(seed)
    vocab = vocabulary(snapshot)
    topics = [t for t in snapshot.topics if snapshot.topics[t].kind == "answer"]
    template = snapshot.entries[0]
    entries = []
    for n in range(size):
        per_lang = {
            "nl": phrasings - phrasings // 3,
            "fr": phrasings // 6 + 1,
            "en": phrasings // 6 + 1,
        }
        questions = {
            lang: tuple(_sentence(rng, vocab[lang]) for _ in range(k))
            for lang, k in per_lang.items()
        }
        entries.append(
            replace(
                template,
                id=f"synthetic-{n}",
                topic=topics[n % len(topics)],
                questions=MappingProxyType(questions),
                related=(),
            )
        )
    by_id = MappingProxyType({e.id: e for e in entries})
    return replace(snapshot, entries=tuple(entries), by_id=by_id)


def _sentence(rng: random.Random, vocab: list[str]) -> str:
    return " ".join(rng.choice(vocab) for _ in range(rng.randint(4, 12)))


def queries(snapshot: Snapshot, count: int, seed: int = 11) -> list[str]:
    """Realistic-looking queries: real phrasings with a typo, and some free sentences."""
    rng = random.Random(seed)
    pool = [q for e in snapshot.entries for lang in LANGS for q in e.questions.get(lang, ())]
    out = []
    for _ in range(count):
        text = rng.choice(pool)
        if len(text) > 6:
            cut = rng.randrange(1, len(text) - 1)
            text = text[:cut] + text[cut + 1 :]
        out.append(text)
    return out
