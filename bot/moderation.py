"""The moderators' work on the knowledge base and their reports, free of Telegram.

`KnowledgeKeeper` reloads, applies uploads and rolls back. Every change is validated on a copy
of the folder first; only a clean load is written (file by file, atomically), stored as a
version and swapped into the Brain, so a broken upload never reaches a user. Each version keeps
what its files held before, so `/rollback n` restores the folder as it was after version n
(0: before the first upload): each file a later version touched gets back the content it had
just before the first of those versions touched it.

The `*_text` functions format reports as plain text in the moderator's language; the Telegram
adapter escapes them (handlers/render.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.dialogue import Brain, Reply, confidence
from bot.errors import KnowledgeError
from bot.gaps import load_learned
from bot.kb_upload import (
    Files,
    Summary,
    UploadError,
    candidate,
    current_texts,
    read_upload,
    restore_plan,
    summarize,
    version_files,
    write_files,
)
from bot.knowledge import load_snapshot
from bot.lint import REVIEW_INTERVAL
from bot.model import Snapshot
from bot.storage import Storage
from bot.storage_types import KbVersion, Stats

KEY_SHOWN = 8  # characters of a moderator's keyed hash shown in /versions and /audit
LISTED = 20  # versions and audit entries shown
PROBLEMS_SHOWN = 30


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a reload, upload or rollback."""

    ok: bool = False
    problems: tuple[str, ...] = ()
    summary: Summary | None = None
    version: int | None = None
    snapshot: Snapshot | None = None
    unchanged: bool = False


class KnowledgeKeeper:
    """Changes the knowledge folder and the Brain together, or not at all."""

    def __init__(self, folder: Path, brain: Brain, storage: Storage) -> None:
        self._folder = folder
        self._brain = brain
        self._storage = storage

    async def reload(self) -> Outcome:
        """Load the folder as it is on disk; on errors keep serving the old snapshot."""
        try:
            snapshot = await asyncio.to_thread(load_snapshot, self._folder)
        except KnowledgeError as error:
            return Outcome(problems=tuple(str(p) for p in error.problems))
        summary = summarize(self._brain.snapshot, snapshot, 0)
        await self._swap(snapshot)
        return Outcome(ok=True, summary=summary, snapshot=snapshot)

    async def upload(self, name: str, content: bytes, moderator_key: str) -> Outcome:
        try:
            files = await asyncio.to_thread(read_upload, name, content, self._folder)
        except UploadError as error:
            return Outcome(problems=(str(error),))
        return await self._apply(dict(files), moderator_key, "upload")

    async def rollback(self, target: int, moderator_key: str) -> Outcome | None:
        """Go back to version `target`; None when there is no such version."""
        if target < 0 or (target and await self._storage.get_kb_version(target) is None):
            return None
        later = await self._versions_after(target)
        if not later:
            return Outcome(unchanged=True)
        return await self._apply(restore_plan(later), moderator_key, f"rollback to #{target}")

    async def _versions_after(self, target: int) -> list[KbVersion]:
        listed = await self._storage.list_kb_versions(limit=1_000_000)
        found = [await self._storage.get_kb_version(v.id) for v in listed if v.id > target]
        return sorted((v for v in found if v is not None), key=lambda v: v.id)

    async def _apply(self, files: Files, moderator_key: str, note: str) -> Outcome:
        before = await asyncio.to_thread(current_texts, self._folder, list(files))
        changed = {rel: text for rel, text in files.items() if before[rel] != text}
        if not changed:
            return Outcome(unchanged=True)
        try:
            snapshot = await asyncio.to_thread(candidate, self._folder, changed)
        except KnowledgeError as error:
            return Outcome(problems=tuple(str(p) for p in error.problems))
        summary = summarize(self._brain.snapshot, snapshot, len(changed))
        try:
            await asyncio.to_thread(write_files, self._folder, changed)
        except OSError as error:  # e.g. a read-only knowledge folder in a container
            with contextlib.suppress(OSError):  # put back what a multi-file upload did write
                await asyncio.to_thread(write_files, self._folder, {r: before[r] for r in changed})
            reason = error.strerror or type(error).__name__
            return Outcome(
                problems=(f"{self._folder}: cannot write the knowledge folder ({reason})",)
            )
        try:
            stored = version_files(changed, before)
            version = await self._storage.add_kb_version(
                moderator_key, stored, f"{note}: {summary}"
            )
        except BaseException:
            await asyncio.to_thread(write_files, self._folder, {r: before[r] for r in changed})
            raise
        await self._swap(snapshot)
        return Outcome(ok=True, summary=summary, version=version, snapshot=snapshot)

    async def _swap(self, snapshot: Snapshot) -> None:
        learned = await load_learned(self._storage)
        await asyncio.to_thread(self._brain.swap, snapshot, learned)  # indexing takes a second


# -- reports ------------------------------------------------------------------------------


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def stats_text(stats: Stats, days: int, snapshot: Snapshot, lang: str) -> str:
    text = snapshot.text
    totals = text(
        "mod.stats.totals", lang, days=days, questions=stats.questions,
        answered=stats.answered, answered_pct=percent(stats.answered, stats.questions),
        abstained=stats.abstained, abstained_pct=percent(stats.abstained, stats.questions),
        clarified=stats.clarified, crises=stats.crises, handoffs=stats.handoffs,
    )  # fmt: skip
    votes = sorted(stats.votes.items(), key=lambda kv: (-(kv[1][0] + kv[1][1]), kv[0]))
    sections = [
        (text("mod.stats.languages", lang), _counts(stats.by_language)),
        (text("mod.stats.topics", lang), _counts(stats.by_topic, 10)),
        (text("mod.stats.votes", lang), [f"{e}: 👍 {u} · 👎 {d}" for e, (u, d) in votes[:15]]),
    ]
    none = text("mod.none", lang)
    blocks = [f"{head}\n" + ("\n".join(lines) if lines else none) for head, lines in sections]
    return "\n\n".join([totals, *blocks])


def _counts(counts: Mapping[str, int], limit: int | None = None) -> list[str]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [f"{name}: {count}" for name, count in ranked]


def preview_text(text: str, brain: Brain, reply: Reply, lang: str) -> str:
    """Why the bot answers `text` as it does: crisis rules, best five matches, the decision."""
    snapshot, say = brain.snapshot, brain.snapshot.text
    hits = snapshot.crisis.explain(text) if snapshot.crisis else []
    rules = ", ".join(f"{hit.rule} ({hit.topic})" for hit in hits)
    crisis = (
        say("mod.preview.crisis", lang, rules=rules) if rules else say("mod.preview.calm", lang)
    )
    matches = [
        f"{m.entry_id} ({m.topic}, {m.lang}): {m.score:.0f} / {confidence(m):.0f}"
        for m in brain.index.rank(text, limit=5, out_of_scope=True)
    ]
    ranked = say("mod.preview.matches", lang) + "\n" + ("\n".join(matches) or say("mod.none", lang))
    why = reply.rule or reply.reason or reply.entry or "-"
    decision = say("mod.preview.decision", lang, kind=reply.kind, why=why)
    return "\n\n".join((crisis, ranked, decision))


def outcome_text(
    outcome: Outcome, snapshot: Snapshot, lang: str, ok_key: str, **values: object
) -> str:
    """A reload, upload or rollback as the moderator reads it; problems one per line."""
    if outcome.unchanged:
        return snapshot.text("mod.unchanged", lang)
    if not outcome.ok or outcome.snapshot is None:
        shown = list(outcome.problems[:PROBLEMS_SHOWN])
        if len(outcome.problems) > PROBLEMS_SHOWN:
            more = len(outcome.problems) - PROBLEMS_SHOWN
            shown.append(snapshot.text("mod.more", lang, count=more))
        failed = "mod.reload.failed" if ok_key == "mod.reload.ok" else "mod.upload.failed"
        return "\n".join([snapshot.text(failed, lang), *shown])
    new, number = outcome.snapshot, outcome.version or 0
    return snapshot.text(
        ok_key, lang, number=number, previous=number - 1, summary=str(outcome.summary),
        entries=len(new.entries), services=len(new.services), version=new.version, **values,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Stale:
    """Entries and services due for a review."""

    entries: tuple[tuple[str, str, date | None], ...] = ()  # (id, file, reviewed)
    services: tuple[tuple[str, date | None], ...] = ()  # (id, verified)

    def __bool__(self) -> bool:
        return bool(self.entries or self.services)


def stale(snapshot: Snapshot, today: date) -> Stale:
    """Entries reviewed more than a year ago (or never), services verified over a year ago."""

    def due(day: date | None) -> bool:
        return day is None or today - day > REVIEW_INTERVAL

    return Stale(
        tuple((e.id, e.file, e.reviewed) for e in snapshot.entries if due(e.reviewed)),
        tuple((s.id, s.verified) for s in snapshot.services.values() if due(s.verified)),
    )


def stale_text(found: Stale, snapshot: Snapshot, lang: str, heading: str) -> str:
    if not found:
        return snapshot.text("mod.stale.none", lang)
    never = snapshot.text("mod.stale.never", lang)
    by_file: dict[str, list[str]] = {}
    for entry_id, file, day in found.entries:
        by_file.setdefault(file, []).append(f"{entry_id} ({day or never})")
    if found.services:
        by_file["services.yaml"] = [f"{i} ({day or never})" for i, day in found.services]
    lines = [f"• {file}: {', '.join(items)}" for file, items in by_file.items()]
    return "\n".join([snapshot.text(heading, lang), *lines])


async def versions_report(storage: Storage, snapshot: Snapshot, lang: str) -> tuple[str, int]:
    """/versions: newest first, who (key prefix), when, what changed in counts."""
    versions = await storage.list_kb_versions(LISTED)
    if not versions:
        return snapshot.text("mod.versions.none", lang), 0
    lines = [snapshot.text("mod.versions.head", lang)]
    lines += [
        f"#{v.id} · {v.at:%Y-%m-%d %H:%M} UTC · {v.moderator_key[:KEY_SHOWN]} · {v.summary}"
        for v in versions
    ]
    return "\n".join(lines), len(versions)


async def audit_report(storage: Storage, snapshot: Snapshot, lang: str) -> tuple[str, int]:
    """/audit: the latest moderator actions, newest first."""
    entries = await storage.list_audit(LISTED)
    if not entries:
        return snapshot.text("mod.audit.none", lang), 0
    lines = [snapshot.text("mod.audit.head", lang)]
    lines += [
        f"{a.at:%Y-%m-%d %H:%M} · {a.moderator_key[:KEY_SHOWN]} · {a.action}"
        + (f" · {a.detail}" if a.detail else "")
        for a in entries
    ]
    return "\n".join(lines), len(entries)
