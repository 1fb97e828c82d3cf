"""The knowledge base as immutable values: what the loader produces and the dialogue reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

LANGS: tuple[str, ...] = ("nl", "fr", "en")
AUDIENCES: tuple[str, ...] = ("parent", "professional", "all")

Texts = MappingProxyType[str, str]


@dataclass(frozen=True, slots=True)
class Topic:
    """A catalogue topic: the unit the evaluation scores."""

    id: str
    kind: str  # answer | crisis | meta
    audience: str
    about: str
    must_refer: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Entry:
    """One question-and-answer item in all its languages."""

    id: str
    topic: str
    audience: str
    title: Texts
    questions: MappingProxyType[str, tuple[str, ...]]
    answers: MappingProxyType[str, MappingProxyType[str, str]]  # lang -> audience -> text
    refer: tuple[str, ...]
    related: tuple[str, ...]
    sources: tuple[str, ...]
    reviewed: date | None
    file: str = ""
    line: int = 0
    lines: MappingProxyType[str, int] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )

    def at(self, key: str) -> int:
        """The line of field `key` in the entry's file (for cross-reference errors)."""
        return self.lines.get(key, self.line)

    def answer(self, lang: str, audience: str | None) -> str:
        """The text for `lang` and the asker's audience, falling back sensibly."""
        variants = self.answers[lang]
        if audience in variants:
            return variants[audience]
        if "all" in variants:
            return variants["all"]
        default = "professional" if self.audience == "professional" else "parent"
        return variants[default]


@dataclass(frozen=True, slots=True)
class OpeningSpan:
    """One weekly opening span: days 0=Monday..6=Sunday, minutes since midnight."""

    days: frozenset[int]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Service:
    """A support service from services.yaml; only verified facts are present."""

    id: str
    name: Texts
    purpose: Texts
    audience: tuple[str, ...]
    phone: str = ""
    url: str = ""
    email: str = ""
    always_open: bool = False
    hours: tuple[OpeningSpan, ...] = ()
    closed_on_holidays: bool = False
    cost: str = "unknown"
    anonymous: bool | None = None
    region: str = "flanders"
    emergency: bool = False
    dated: tuple[str, ...] = ()
    verified: date | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A validated, immutable view of the whole knowledge folder."""

    topics: MappingProxyType[str, Topic]
    entries: tuple[Entry, ...]
    by_id: MappingProxyType[str, Entry]
    services: MappingProxyType[str, Service]
    strings: MappingProxyType[str, Texts]
    language: MappingProxyType[str, Any]
    crisis: Any  # bot.crisis.CrisisDetector
    places: Any  # bot.places.Places | None
    local_contacts: MappingProxyType[str, Any]
    out_of_scope: MappingProxyType[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    version: str = ""
    warnings: tuple[Any, ...] = field(default=(), compare=False)

    def text(self, key: str, lang: str, **values: object) -> str:
        """An interface string in `lang` (falling back to nl), with `{name}` values filled in."""
        texts = self.strings.get(key)
        if texts is None:
            return key
        template = texts.get(lang) or texts.get("nl") or key
        return template.format(**values) if values else template
