"""Editorial warnings: the knowledge base loads, but an editor should look."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from bot.errors import Problem
from bot.model import Snapshot
from bot.text import fold

REVIEW_INTERVAL = timedelta(days=365)
MAX_WORDS = 200


def lint(
    snapshot: Snapshot, stigmatising: Mapping[str, list[str]], today: date | None = None
) -> list[Problem]:
    """Warnings for stale entries and services, long answers and stigmatising wording."""
    today = today or date.today()
    problems: list[Problem] = []
    for entry in snapshot.entries:
        where = (entry.file, entry.line)
        if entry.reviewed and today - entry.reviewed > REVIEW_INTERVAL:
            problems.append(
                Problem(*where, f"entry {entry.id}: last reviewed {entry.reviewed}", "warning")
            )
        for lang, variants in entry.answers.items():
            for audience, text in variants.items():
                label = f"entry {entry.id}: answer.{lang}.{audience}"
                problems.extend(_text_warnings(text, label, where, stigmatising.get(lang, [])))
    for service in snapshot.services.values():
        where = ("services.yaml", service.line)
        if service.verified and today - service.verified > REVIEW_INTERVAL:
            problems.append(
                Problem(
                    *where, f"service {service.id}: facts verified {service.verified}", "warning"
                )
            )
        if service.dated:
            shown = ", ".join(service.dated)
            problems.append(
                Problem(
                    *where,
                    f"service {service.id}: shows dated facts ({shown}); re-check",
                    "warning",
                )
            )
    return problems


def _text_warnings(
    text: str, label: str, where: tuple[str, int], words: list[str]
) -> list[Problem]:
    found = []
    count = len(text.split())
    if count > MAX_WORDS:
        found.append(
            Problem(*where, f"{label}: {count} words (aim for at most {MAX_WORDS})", "warning")
        )
    folded = f" {fold(text)} "
    for word in words:
        if f" {fold(word)} " in folded:
            found.append(Problem(*where, f"{label}: stigmatising wording {word!r}", "warning"))
    return found
