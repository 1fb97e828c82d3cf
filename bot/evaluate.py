"""Score the core on a labelled file in the format of shared/eval/dev.yaml (see FORMAT.md)."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from bot.dialogue import Brain, Reply, Session

SCORE_BINS = (0, 20, 30, 40, 50, 60, 70, 80, 101)


def evaluate_file(brain: Brain, path: str | Path) -> dict[str, Any]:
    items = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    rows = [_row(brain, item) for item in items if isinstance(item, dict) and "q" in item]
    return summarise(rows)


def _row(brain: Brain, item: dict[str, Any]) -> dict[str, Any]:
    # The session language is Dutch, the bot's default: the message itself must say otherwise.
    reply: Reply = brain.respond(str(item["q"]), Session(lang="nl", audience=_audience(item)))
    must = (
        brain.snapshot.topics[reply.topic].must_refer
        if reply.topic in brain.snapshot.topics
        else ()
    )
    return {
        "q": item["q"],
        "expect": item.get("expect"),
        "topics": list(item.get("topics") or []),
        "lang": item.get("lang"),
        "kind": reply.kind,
        "topic": reply.topic,
        "got_lang": reply.lang,
        "score": reply.score,
        "must_ok": all(s in reply.services for s in must),
    }


def _audience(item: dict[str, Any]) -> str | None:
    who = item.get("who")
    return who if who in ("parent", "professional") else None


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answer = [r for r in rows if r["expect"] == "answer"]
    crisis = [r for r in rows if r["expect"] == "crisis"]
    abstain = [r for r in rows if r["expect"] == "abstain"]
    answered = [r for r in rows if r["kind"] != "abstain"]
    hits = [r for r in answer if r["kind"] == "answer" and r["topic"] == (r["topics"] or [None])[0]]
    return {
        "items": len(rows),
        "top1_accuracy": _share(len([r for r in answer if _topic_hit(r)]), len(answer)),
        "top1_strict_first_topic": _share(len(hits), len(answer)),
        "answered_rate": _share(len([r for r in answer if r["kind"] != "abstain"]), len(answer)),
        "crisis_recall": _share(len([r for r in crisis if r["kind"] == "crisis" and _topic_hit(r)]), len(crisis)),
        "crisis_caught": _share(len([r for r in crisis if r["kind"] == "crisis"]), len(crisis)),
        "crisis_must_refer": _share(len([r for r in crisis if r["kind"] == "crisis" and r["must_ok"]]), len(crisis)),
        "false_alarms": _share(len([r for r in rows if r["expect"] != "crisis" and r["kind"] == "crisis"]), len(rows) - len(crisis)),
        "abstain_accuracy": _share(len([r for r in abstain if r["kind"] == "abstain"]), len(abstain)),
        "language_accuracy": _share(len([r for r in answered if r["got_lang"] == r["lang"]]), len(answered)),
        "per_language": _per(answer, "lang"),
        "per_topic": _per(answer, "topic_expected"),
        "scores": _histogram(answer),
        "confusions": _confusions(rows),
        "misses": [r for r in rows if not _ok(r)],
    }  # fmt: skip


def _topic_hit(row: dict[str, Any]) -> bool:
    return row["kind"] != "abstain" and row["topic"] in row["topics"]


def _ok(row: dict[str, Any]) -> bool:
    if row["expect"] == "abstain":
        return row["kind"] == "abstain"
    if row["expect"] == "crisis":
        return row["kind"] == "crisis" and row["topic"] in row["topics"]
    return row["kind"] == "answer" and row["topic"] in row["topics"]


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _per(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        group = row["lang"] if key == "lang" else (row["topics"] or ["?"])[0]
        groups[str(group)].append(row)
    return {
        name: {"n": len(group), "accuracy": _share(len([r for r in group if _ok(r)]), len(group))}
        for name, group in sorted(groups.items())
    }


def _histogram(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Score bands for hits and misses among answerable items: where to put the threshold."""
    bands: dict[str, dict[str, int]] = {}
    for low, high in pairwise(SCORE_BINS):
        band = [r for r in rows if low <= r["score"] < high]
        bands[f"{low}-{high - 1}"] = {
            "hit": len([r for r in band if r["topic"] in r["topics"]]),
            "miss": len([r for r in band if r["topic"] not in r["topics"]]),
        }
    return bands


def _confusions(rows: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    pairs = Counter()
    for row in rows:
        if not _ok(row):
            expected = (
                (row["topics"] or ["abstain"])[0] if row["expect"] != "abstain" else "abstain"
            )
            got = row["topic"] if row["kind"] != "abstain" else "abstain"
            pairs[(expected, str(got))] += 1
    return [(e, g, n) for (e, g), n in pairs.most_common()]


def format_report(report: dict[str, Any], misses: int = 40) -> str:
    lines = [
        f"items: {report['items']}",
        f"top-1 topic accuracy (expect: answer): {report['top1_accuracy']}%  "
        f"(first listed topic only: {report['top1_strict_first_topic']}%)",
        f"answered (expect: answer):             {report['answered_rate']}%",
        f"crisis recall (right crisis topic):    {report['crisis_recall']}%  "
        f"(caught as any crisis: {report['crisis_caught']}%, must_refer named: {report['crisis_must_refer']}%)",
        f"crisis false alarms (non-crisis):      {report['false_alarms']}%",
        f"abstain accuracy (expect: abstain):    {report['abstain_accuracy']}%",
        f"answer language right (answered):      {report['language_accuracy']}%",
        "",
        "per language (answerable items):",
        *[f"  {k:<4} n={v['n']:<4} {v['accuracy']}%" for k, v in report["per_language"].items()],
        "per topic (answerable items):",
        *[f"  {k:<22} n={v['n']:<3} {v['accuracy']}%" for k, v in report["per_topic"].items()],
        "score bands of answerable items (hit / miss):",
        *[f"  {band:<8} {v['hit']:>4} / {v['miss']:<4}" for band, v in report["scores"].items()],
        "confusions (expected -> got: count):",
        *[f"  {e} -> {g}: {n}" for e, g, n in report["confusions"][:30]],
        f"misses (first {misses}):",
        *[
            f"  [{m['lang']}] {m['expect']}:{'/'.join(m['topics']) or '-'} -> {m['kind']}:{m['topic']} "
            f"({m['score']:.0f}, {m['got_lang']}) {m['q'][:110]!r}"
            for m in report["misses"][:misses]
        ],
    ]
    return "\n".join(lines)
