"""`helpdesk kb …`: validate, export, stats, check (leave-one-out) for editors."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from bot.config import Settings
from bot.dialogue import Brain
from bot.knowledge import load_snapshot, validate
from bot.model import LANGS, Snapshot

EXIT_OK, EXIT_FAIL = 0, 1


def add_commands(sub: Any) -> None:
    kb = sub.add_parser("kb", help="check and inspect the knowledge base").add_subparsers(
        dest="kb_command"
    )
    check = kb.add_parser("validate", help="list errors (file:line: reason) and warnings")
    check.add_argument("path", nargs="?")
    check.add_argument("--quiet", action="store_true", help="errors only, no warnings")
    check.set_defaults(handler=_validate)
    kb.add_parser("export", help="entries and services as JSON").set_defaults(handler=_export)
    kb.add_parser("stats", help="entries per topic and language").set_defaults(handler=_stats)
    overlap = kb.add_parser("check", help="leave-one-out: phrasings that land on another entry")
    overlap.add_argument("--all", action="store_true", help="list every miss, not the first 60")
    overlap.set_defaults(handler=_check)


def _folder(args: argparse.Namespace, settings: Settings) -> str:
    return str(
        getattr(args, "path", None) or getattr(args, "knowledge", None) or settings.knowledge_dir
    )


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    problems = validate(_folder(args, settings))
    errors = [p for p in problems if p.severity == "error"]
    shown = errors if args.quiet else problems
    for problem in shown:
        print(problem)
    warnings = len(problems) - len(errors)
    print(f"{len(errors)} error(s), {warnings} warning(s)", file=sys.stderr)
    return EXIT_FAIL if errors else EXIT_OK


def _export(args: argparse.Namespace, settings: Settings) -> int:
    snapshot = load_snapshot(_folder(args, settings))
    print(json.dumps(export(snapshot), ensure_ascii=False, indent=1))
    return EXIT_OK


def export(snapshot: Snapshot) -> dict[str, Any]:
    """One object per entry and language, and the service directory."""
    entries = []
    for entry in snapshot.entries:
        for lang in LANGS:
            entries.append(
                {
                    "id": entry.id,
                    "topic": entry.topic,
                    "lang": lang,
                    "questions": list(entry.questions.get(lang, ())),
                    "answer": entry.answer(lang, None),
                    "variants": dict(entry.answers[lang]),
                    "services": list(entry.refer),
                }
            )
    services = [
        {
            "id": s.id,
            "name": dict(s.name),
            "phone": s.phone,
            "url": s.url,
            "email": s.email,
            "region": s.region,
        }
        for s in snapshot.services.values()
    ]
    return {"entries": entries, "services": services}


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    snapshot = load_snapshot(_folder(args, settings))
    print(
        f"{'topic':<22}{'kind':<8}{'entries':>8}" + "".join(f"{lang + ' q':>8}" for lang in LANGS)
    )
    gaps = []
    for topic in snapshot.topics.values():
        entries = [e for e in snapshot.entries if e.topic == topic.id]
        counts = Counter(
            {lang: sum(len(e.questions.get(lang, ())) for e in entries) for lang in LANGS}
        )
        print(
            f"{topic.id:<22}{topic.kind:<8}{len(entries):>8}"
            + "".join(f"{counts[x]:>8}" for x in LANGS)
        )
        gaps.extend(f"{topic.id}: no {lang} phrasings" for lang in LANGS if not counts[lang])
    print(f"\n{len(snapshot.entries)} entries, {len(snapshot.services)} services")
    print(
        "coverage gaps:\n  " + "\n  ".join(gaps)
        if gaps
        else "every topic is covered in nl, fr and en"
    )
    return EXIT_FAIL if gaps else EXIT_OK


def _check(args: argparse.Namespace, settings: Settings) -> int:
    brain = Brain(load_snapshot(_folder(args, settings)))
    misses = leave_one_out(brain)
    total = len(brain.index.phrasings)
    for line in misses if args.all else misses[:60]:
        print(line)
    print(f"{total - len(misses)}/{total} phrasings find their own entry without themselves")
    return EXIT_OK


def leave_one_out(brain: Brain) -> list[str]:
    """Each phrasing, left out of the index, should still lead to its own entry.

    Term weights are not recomputed without the phrasing: close enough to spot overlap.
    """
    index = brain.index
    misses = []
    for pid, phrasing in enumerate(index.phrasings):
        entry = index.entries[phrasing.entry]
        found = index.rank(phrasing.text, langs=(phrasing.lang,), limit=1, exclude=pid)
        if not found or found[0].entry_id != entry.id:
            got = f"{found[0].entry_id} ({found[0].score:.0f})" if found else "nothing"
            same = " (same topic)" if found and found[0].topic == entry.topic else ""
            misses.append(
                f"{entry.file}: {entry.id} [{phrasing.lang}] {phrasing.text!r} -> {got}{same}"
            )
    return misses
