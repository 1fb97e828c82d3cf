"""Start-up: from process start to the first answer, for the real and a 10,000-entry knowledge base.

    python -m benchmarks.startup                 # 5 runs on the real KB, 3 on 10,000 entries
    python -m benchmarks.startup --runs 3 --size 2000

Each run is a fresh `python -m bot ask "..."` (the interpreter, imports, YAML parsing and
validation, the index, one answer); the median is reported. The in-process columns split one
start into loading+validating the knowledge (load s), building the index (index s) and the first
answer (first ms). The synthetic base is the real folder plus `entries/zz-synthetic.yaml`, valid
per knowledge/README.md, built from the real phrasings' vocabulary (benchmarks.synthetic).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from benchmarks.synthetic import vocabulary
from benchmarks.tables import Column, render
from bot.dialogue import Brain, Session
from bot.knowledge import load_snapshot
from bot.model import LANGS, Entry, Snapshot

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "mijn zoon van 16 praat alleen nog over wij tegen zij, wat kan ik doen?"
PHRASINGS = {"nl": 6, "fr": 3, "en": 3}
ANSWER_WORDS = 70


def synthetic_folder(real: Snapshot, size: int, target: Path, seed: int = 7) -> Path:
    """A copy of knowledge/ with `size` extra, valid entries in entries/zz-synthetic.yaml."""
    shutil.copytree(ROOT / "knowledge", target)
    rng = random.Random(seed)
    vocab = vocabulary(real)
    templates: dict[str, Entry] = {}
    for entry in real.entries:
        if real.topics[entry.topic].kind == "answer":
            templates.setdefault(entry.topic, entry)
    topics = sorted(templates)
    entries = []
    for n in range(size):
        template = templates[topics[n % len(topics)]]
        entries.append(
            {
                "id": f"zz-synthetic-{n}",
                "topic": template.topic,
                "audience": "all",
                "title": {lang: f"Synthetic {n} ({lang})" for lang in LANGS},
                "questions": {
                    lang: [_words(rng, vocab[lang], 4, 12) for _ in range(count)]
                    for lang, count in PHRASINGS.items()
                },
                "answer": {
                    lang: _words(rng, vocab[lang], ANSWER_WORDS, ANSWER_WORDS) + "."
                    for lang in LANGS
                },
                "refer": list(template.refer),
                "related": [f"zz-synthetic-{(n + k) % size}" for k in (1, 2)],
                "sources": list(template.sources),
                "reviewed": date.today(),
            }
        )
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with (target / "entries" / "zz-synthetic.yaml").open("w", encoding="utf-8") as out:
        yaml.dump(entries, out, Dumper=dumper, allow_unicode=True, sort_keys=False, width=1000)
    return target


def _words(rng: random.Random, vocab: list[str], least: int, most: int) -> str:
    return " ".join(rng.choice(vocab) for _ in range(rng.randint(least, most)))


def process_seconds(folder: Path, runs: int) -> list[float]:
    """Wall time of `python -m bot ask QUESTION`, one fresh process per run."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "HELPDESK_KNOWLEDGE": str(folder),
    }
    laps = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "bot", "ask", QUESTION],
            capture_output=True,
            text=True,
            cwd=folder.parent,
            env=env,
            check=False,
        )
        laps.append(time.perf_counter() - start)
        if result.returncode != 0 or not result.stdout.strip():
            raise RuntimeError(f"`helpdesk ask` failed on {folder}:\n{result.stderr[-2000:]}")
    return laps


def interpreter_seconds(runs: int) -> list[float]:
    """The floor: a bare interpreter start."""
    laps = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        laps.append(time.perf_counter() - start)
    return laps


def in_process(folder: Path) -> dict[str, float]:
    """One start split into its stages, in this process."""
    start = time.perf_counter()
    snapshot = load_snapshot(folder)
    loaded = time.perf_counter()
    brain = Brain(snapshot)
    indexed = time.perf_counter()
    brain.respond(QUESTION, Session())
    answered = time.perf_counter()
    return {
        "entries": len(snapshot.entries),
        "load_s": loaded - start,
        "index_s": indexed - loaded,
        "first_ms": (answered - indexed) * 1000,
    }


def measure(name: str, folder: Path, runs: int) -> dict[str, Any]:
    laps = process_seconds(folder, runs)
    return {
        "kb": name,
        **in_process(folder),
        "runs": runs,
        "median_s": statistics.median(laps),
        "min_s": min(laps),
        "max_s": max(laps),
    }


def rows(runs: int = 5, size: int = 10_000, synthetic_runs: int = 3) -> list[dict[str, Any]]:
    laps = interpreter_seconds(runs)
    floor = {"kb": "(interpreter only)", "entries": 0, "runs": runs}
    floor.update(median_s=statistics.median(laps), min_s=min(laps), max_s=max(laps))
    result: list[dict[str, Any]] = [floor, measure("real", ROOT / "knowledge", runs)]
    if size:
        with tempfile.TemporaryDirectory(prefix="helpdesk-startup-") as temp:
            real = load_snapshot(ROOT / "knowledge")
            folder = synthetic_folder(real, size, Path(temp) / "knowledge")
            result.append(measure(f"real+{size:,} synthetic", folder, synthetic_runs))
    return result


COLUMNS: list[Column] = [
    ("knowledge base", 26, "kb", ""),
    ("entries", 8, "entries", ""),
    ("runs", 5, "runs", ""),
    ("median s", 10, "median_s", ".2f"),
    ("min s", 8, "min_s", ".2f"),
    ("max s", 8, "max_s", ".2f"),
    ("load s", 8, "load_s", ".2f"),
    ("index s", 9, "index_s", ".2f"),
    ("first ms", 10, "first_ms", ".1f"),
]


def table(results: Sequence[dict[str, Any]]) -> str:
    return render(COLUMNS, results)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="process starts per knowledge base")
    parser.add_argument("--size", type=int, default=10_000, help="synthetic entries (0: none)")
    parser.add_argument("--synthetic-runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(table(rows(args.runs, args.size, args.synthetic_runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
