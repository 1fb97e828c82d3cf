"""Gaps for editors: consented unanswered questions grouped by similarity, and learned phrasings.

A moderator turns a group into a learned phrasing of an entry. Learned phrasings are stored
(`Storage.add_learned`), join the index at once (`Brain.swap(snapshot, learned)`), are loaded
again at start-up (`load_learned`), and `helpdesk kb learned` prints them as YAML in the
entries' `questions` format so an editor can merge them into knowledge/.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import yaml
from rapidfuzz import fuzz

from bot.dialogue import Brain
from bot.matcher import Index, Match
from bot.model import LANGS, Snapshot
from bot.storage import Storage
from bot.storage_types import Gap, Learned
from bot.text import fold

LISTED = 500  # gaps read per /gaps; retention keeps the table small anyway
SIMILAR = 80.0  # rapidfuzz token_set_ratio on folded text: "the same question, worded apart"
SUGGESTIONS = 3

LearnedTuple = tuple[str, str, str]
"""(entry id, language, text), the form `Brain` and `Index` take."""


class LearnedSource(Protocol):
    async def list_learned(self, entry: str | None = None) -> list[Learned]: ...


@dataclass(frozen=True, slots=True)
class GapGroup:
    """Similar gaps, newest first; the first one stands for the group."""

    gaps: tuple[Gap, ...]
    suggestions: tuple[Match, ...] = ()

    @property
    def lead(self) -> Gap:
        return self.gaps[0]

    @property
    def count(self) -> int:
        return len(self.gaps)


def similar(a: str, b: str, threshold: float = SIMILAR) -> bool:
    return fuzz.token_set_ratio(fold(a), fold(b)) >= threshold


def group_gaps(gaps: Sequence[Gap], threshold: float = SIMILAR) -> list[list[Gap]]:
    """Greedy grouping of newest-first gaps: each joins the first group whose lead it resembles.

    Groups come out newest first (by their newest gap), as the editors read them.
    """
    groups: list[list[Gap]] = []
    for gap in gaps:
        home = next((g for g in groups if similar(g[0].text, gap.text, threshold)), None)
        if home is None:
            groups.append([gap])
        else:
            home.append(gap)
    return groups


def members(gaps: Sequence[Gap], lead: Gap, threshold: float = SIMILAR) -> list[Gap]:
    """The gaps that belong with `lead` now (recomputed when a button is pressed)."""
    return [g for g in gaps if g.id == lead.id or similar(lead.text, g.text, threshold)]


def suggest(index: Index, gap: Gap, limit: int = SUGGESTIONS) -> tuple[Match, ...]:
    """The entries that come closest to the gap, best first (out-of-scope never)."""
    langs = (gap.lang,) if gap.lang in LANGS else LANGS
    return tuple(index.rank(gap.text, langs=langs, limit=limit))


def grouped(gaps: Sequence[Gap], index: Index, limit: int) -> list[GapGroup]:
    """At most `limit` groups with their suggestions, newest first."""
    return [GapGroup(tuple(group), suggest(index, group[0])) for group in group_gaps(gaps)[:limit]]


def phrasing_lang(gap: Gap, match: Match | None) -> str:
    """The language a learned phrasing is filed under: the gap's, else the match's, else nl."""
    if gap.lang in LANGS:
        return str(gap.lang)
    return match.lang if match is not None and match.lang in LANGS else "nl"


async def load_learned(storage: LearnedSource) -> list[LearnedTuple]:
    """Every learned phrasing as `Brain` takes them: call at start-up and after each change."""
    return [(item.entry, item.lang, item.text) for item in await storage.list_learned()]


@dataclass(frozen=True, slots=True)
class Learnt:
    """A gap group turned into a phrasing: the language it was filed under, gaps handled."""

    lang: str
    handled: int


class GapDesk:
    """The editors' desk: grouped gaps, turning a group into a phrasing, dismissing it."""

    def __init__(self, brain: Brain, storage: Storage) -> None:
        self._brain = brain
        self._storage = storage

    async def groups(self, limit: int) -> list[GapGroup]:
        return grouped(await self._storage.list_gaps(LISTED), self._brain.index, limit)

    async def learn(self, gap_id: int, entry_id: str, moderator_key: str) -> Learnt | None:
        """Store the group's question as a phrasing of `entry_id`; live at once. None: gone."""
        group = await self._group(gap_id)
        if not group or entry_id not in self._brain.snapshot.by_id:
            return None
        lead = group[0]
        match = next((m for m in suggest(self._brain.index, lead) if m.entry_id == entry_id), None)
        lang = phrasing_lang(lead, match)
        await self._storage.add_learned(entry_id, lang, lead.text, moderator_key)
        await self._dismiss_all(group)
        learned = await load_learned(self._storage)
        await asyncio.to_thread(self._brain.swap, self._brain.snapshot, learned)  # ~1 s of indexing
        return Learnt(lang, len(group))

    async def dismiss(self, gap_id: int) -> int | None:
        """Hide the group; returns how many gaps it held, None when it is gone."""
        group = await self._group(gap_id)
        if not group:
            return None
        await self._dismiss_all(group)
        return len(group)

    async def _group(self, gap_id: int) -> list[Gap]:
        gaps = await self._storage.list_gaps(LISTED)
        lead = next((g for g in gaps if g.id == gap_id), None)
        return [] if lead is None else [lead, *(g for g in members(gaps, lead) if g.id != gap_id)]

    async def _dismiss_all(self, group: Sequence[Gap]) -> None:
        for gap in group:
            await self._storage.dismiss_gap(gap.id)


def learn_report(
    learnt: Learnt | None, snapshot: Snapshot, lang: str, gap: int, entry: str
) -> tuple[str, str]:
    """(what the moderator reads, the audit detail) after adding a phrasing."""
    if learnt is None:
        return snapshot.text("mod.gaps.gone", lang), f"gap={gap} entry={entry} gone"
    title = snapshot.by_id[entry].title.get(lang) or entry
    text = snapshot.text(
        "mod.gaps.added", lang, title=title, language=learnt.lang, count=learnt.handled
    )
    return text, f"gap={gap} entry={entry} lang={learnt.lang} n={learnt.handled}"


def dismiss_report(handled: int | None, snapshot: Snapshot, lang: str, gap: int) -> tuple[str, str]:
    """(what the moderator reads, the audit detail) after dismissing a group."""
    if handled is None:
        return snapshot.text("mod.gaps.gone", lang), f"gap={gap} gone"
    return snapshot.text("mod.gaps.dismissed", lang, count=handled), f"gap={gap} n={handled}"


def learned_yaml(learned: Sequence[Learned], snapshot: Snapshot | None = None) -> str:
    """Learned phrasings as YAML to merge into knowledge/entries/, grouped by entry and language."""
    by_entry: dict[str, dict[str, list[str]]] = {}
    for item in learned:
        texts = by_entry.setdefault(item.entry, {}).setdefault(item.lang, [])
        if item.text not in texts:
            texts.append(item.text)
    if not by_entry:
        return "# no learned phrasings\n[]\n"
    parts = ["# Learned phrasings: add each under `questions` of the entry with the same id.\n"]
    for entry_id, langs in by_entry.items():
        parts.append(_entry_block(entry_id, langs, snapshot))
    return "\n".join(parts)


def _entry_block(entry_id: str, langs: dict[str, list[str]], snapshot: Snapshot | None) -> str:
    entry = snapshot.by_id.get(entry_id) if snapshot is not None else None
    where = f"# {entry.file}\n" if entry is not None else "# entry not in the knowledge base\n"
    ordered = {lang: langs[lang] for lang in (*LANGS, *sorted(langs)) if lang in langs}
    item: dict[str, Any] = {"id": entry_id, "questions": ordered}
    dumped = yaml.dump([item], Dumper=_Indented, allow_unicode=True, sort_keys=False, width=100)
    return where + dumped


class _Indented(yaml.SafeDumper):
    """Lists indented under their key, as the knowledge files write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)
