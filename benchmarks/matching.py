"""Matching speed: our Index against a naive rapidfuzz WRatio baseline, side by side.

    python -m benchmarks.matching            # real KB, 1,000 and 10,000 synthetic entries

For each knowledge base: load+index time, and per-message latency p50/p99 over the same
queries for both matchers. The baseline is what a first version would do:
`process.extractOne(query, all_phrasings, scorer=fuzz.WRatio)` with default processing.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from benchmarks.synthetic import queries, synthetic
from benchmarks.tables import Column, render
from bot.language import Normaliser
from bot.matcher import Index
from bot.model import LANGS, Snapshot

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(call: Callable[[str], object], texts: list[str]) -> tuple[float, float]:
    """p50 and p99 latency in milliseconds."""
    for text in texts[:20]:
        call(text)  # warm caches the way a running bot has them warm
    laps = []
    for text in texts:
        start = time.perf_counter()
        call(text)
        laps.append((time.perf_counter() - start) * 1000)
    return statistics.median(laps), percentile(laps, 0.99)


def measure(name: str, snapshot: Snapshot, texts: list[str]) -> dict[str, float | str]:
    start = time.perf_counter()
    index = Index(snapshot, Normaliser(snapshot.language))
    build = time.perf_counter() - start
    phrasings = [q for e in snapshot.entries for lang in LANGS for q in e.questions.get(lang, ())]
    start = time.perf_counter()
    prepared = [utils.default_process(p) for p in phrasings]
    naive_build = time.perf_counter() - start
    ours = timed(lambda t: index.rank(t), texts)
    naive = timed(
        lambda t: process.extractOne(
            utils.default_process(t), prepared, scorer=fuzz.WRatio, processor=None
        ),
        texts,
    )
    return {
        "kb": name,
        "entries": len(snapshot.entries),
        "phrasings": len(phrasings),
        "index_s": build,
        "naive_index_s": naive_build,
        "p50_ms": ours[0],
        "p99_ms": ours[1],
        "naive_p50_ms": naive[0],
        "naive_p99_ms": naive[1],
        "speedup_p50": naive[0] / ours[0] if ours[0] else 0.0,
    }


def rows(
    sizes: tuple[int, ...] = (1_000, 10_000), count: int = 400
) -> list[dict[str, float | str]]:
    from bot.knowledge import load_snapshot

    start = time.perf_counter()
    real = load_snapshot(ROOT / "knowledge")
    load = time.perf_counter() - start
    texts = queries(real, count)
    result = [measure("real", real, texts)]
    result[0]["load_s"] = load
    for size in sizes:
        result.append(measure(f"synthetic-{size}", synthetic(real, size), texts))
    return result


COLUMNS: list[Column] = [
    ("knowledge base", 18, "kb", ""),
    ("entries", 8, "entries", ""),
    ("phrasings", 10, "phrasings", ""),
    ("index s", 9, "index_s", ".2f"),
    ("p50 ms", 8, "p50_ms", ".3f"),
    ("p99 ms", 8, "p99_ms", ".3f"),
    ("naive p50", 10, "naive_p50_ms", ".3f"),
    ("naive p99", 10, "naive_p99_ms", ".3f"),
    ("x faster", 9, "speedup_p50", ".1f"),
]


def table(results: list[dict[str, float | str]]) -> str:
    return render(COLUMNS, results)


def main() -> int:
    results = rows()
    print(table(results))
    print(f"\nreal knowledge base: load and validate {results[0]['load_s']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
