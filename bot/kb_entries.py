"""Entries: from line-aware YAML to validated `Entry` values."""

from __future__ import annotations

import html
import re
from types import MappingProxyType
from typing import Any

from bot.checks import Checker
from bot.model import AUDIENCES, Entry
from bot.yamlfile import LineDict, LineList

ENTRY_REQUIRED = ("id", "topic", "audience", "title", "questions", "answer", "refer", "sources")
ENTRY_OPTIONAL = ("related", "reviewed", "note")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
TITLE_MAX = 64
# Telegram allows 4,096 characters per message; the referral block and buttons need room too.
ANSWER_MAX_RENDERED = 3_400
MIN_QUESTIONS = {"nl": 5, "fr": 3, "en": 3}


def parse_entries(data: Any, check: Checker) -> list[Entry]:
    """Every well-formed entry of one file; problems go to `check`."""
    if not isinstance(data, LineList):
        check.error(getattr(data, "line", 1), "an entries file must be a list of entries")
        return []
    entries = []
    for index, item in enumerate(data):
        mapping = check.mapping(item, data.line_of(index), f"entry {index + 1}")
        entry = _parse_entry(mapping, check) if mapping is not None else None
        if entry is not None:
            entries.append(entry)
    return entries


def _parse_entry(item: LineDict, check: Checker) -> Entry | None:
    label = f"entry {item.get('id', '?')!s}"
    if not check.keys(item, label, ENTRY_REQUIRED, ENTRY_OPTIONAL):
        return None
    entry_id = check.text(item, "id", label)
    if entry_id and not ID_PATTERN.match(entry_id):
        check.error(item.line_of("id"), f"{label}: id must be 2-40 of a-z, 0-9 and '-'")
    audience = check.text(item, "audience", label)
    if audience and audience not in AUDIENCES:
        check.error(item.line_of("audience"), f"{label}: audience must be one of {AUDIENCES}")
    titles = check.texts(item, "title", label)
    for lang, title in titles.items():
        if len(title) > TITLE_MAX:
            check.error(item.line_of("title"), f"{label}: title.{lang} longer than {TITLE_MAX}")
    return Entry(
        id=entry_id,
        topic=check.text(item, "topic", label),
        audience=audience,
        title=MappingProxyType(titles),
        questions=MappingProxyType(_questions(item, check, label)),
        answers=MappingProxyType(_answers(item, check, label)),
        refer=tuple(check.string_list(item, "refer", label)),
        related=tuple(check.string_list(item, "related", label)),
        sources=tuple(check.string_list(item, "sources", label)),
        reviewed=check.day(item, "reviewed", label) if "reviewed" in item else None,
        file=check.file,
        line=item.line,
        lines=MappingProxyType(dict(item.key_lines)),
    )


def _questions(item: LineDict, check: Checker, label: str) -> dict[str, tuple[str, ...]]:
    found = check.per_language(item, "questions", label)
    holder = item["questions"]
    result = {}
    for lang, phrasings in found.items():
        if not isinstance(phrasings, LineList) or not phrasings:
            check.error(holder.line_of(lang), f"{label}: questions.{lang} must be a non-empty list")
            continue
        texts = [p.strip() for p in phrasings if isinstance(p, str) and p.strip()]
        if len(texts) != len(phrasings):
            check.error(holder.line_of(lang), f"{label}: questions.{lang} has an empty phrasing")
        if len(texts) < MIN_QUESTIONS[lang]:
            check.warn(
                holder.line_of(lang),
                f"{label}: only {len(texts)} {lang} phrasings (aim for {MIN_QUESTIONS[lang]}+)",
            )
        result[lang] = tuple(texts)
    return result


def _answers(item: LineDict, check: Checker, label: str) -> dict[str, MappingProxyType[str, str]]:
    found = check.per_language(item, "answer", label)
    holder = item["answer"]
    result = {}
    for lang, value in found.items():
        line = holder.line_of(lang)
        variants = _variants(value, line, check, f"{label}: answer.{lang}")
        for audience, text in variants.items():
            if len(html.escape(text)) > ANSWER_MAX_RENDERED:
                check.error(
                    line,
                    f"{label}: answer.{lang}.{audience} is {len(html.escape(text))} characters "
                    f"after rendering; with its referral it would pass Telegram's 4,096 limit "
                    f"(keep it under {ANSWER_MAX_RENDERED})",
                )
        if variants:
            result[lang] = MappingProxyType(variants)
    shapes = {tuple(sorted(v)) for v in result.values()}
    if len(shapes) > 1:
        check.error(holder.line, f"{label}: answer has different audience variants per language")
    return result


def _variants(value: Any, line: int, check: Checker, what: str) -> dict[str, str]:
    if isinstance(value, str):
        if not value.strip():
            check.error(line, f"{what} is empty")
            return {}
        return {"all": value.strip()}
    if not isinstance(value, LineDict):
        check.error(line, f"{what} must be a text or a mapping parent/professional")
        return {}
    variants: dict[str, str] = {}
    for audience, text in value.items():
        if audience not in AUDIENCES:
            check.error(value.line_of(audience), f"{what}: unknown audience {audience!r}")
        elif not isinstance(text, str) or not text.strip():
            check.error(value.line_of(audience), f"{what}.{audience} is empty")
        else:
            variants[audience] = text.strip()
    if "all" not in variants and not {"parent", "professional"} <= set(variants):
        check.error(value.line, f"{what}: give both parent and professional (or all)")
    return variants


def cross_check(entries: list[Entry], context: dict[str, Any], checks: dict[str, Checker]) -> None:
    """Checks that need the whole knowledge base: ids, topics, services, related, sources."""
    seen: dict[str, Entry] = {}
    for entry in entries:
        check = checks[entry.file]
        if entry.id in seen:
            first = seen[entry.id]
            check.error(
                entry.at("id"), f"duplicate id {entry.id!r} (first at {first.file}:{first.line})"
            )
        seen.setdefault(entry.id, entry)
    for entry in entries:
        _check_references(entry, seen, context, checks[entry.file])


def _check_references(
    entry: Entry, ids: dict[str, Entry], context: dict[str, Any], check: Checker
) -> None:
    topic = context["topics"].get(entry.topic)
    label = f"entry {entry.id}"
    if topic is None:
        check.error(entry.at("topic"), f"{label}: unknown topic {entry.topic!r}")
    for service in entry.refer:
        if service not in context["services"]:
            check.error(entry.at("refer"), f"{label}: refer: unknown service {service!r}")
    for needed in topic.must_refer if topic else ():
        if needed not in entry.refer:
            check.error(entry.at("refer"), f"{label}: topic {entry.topic} must refer to {needed!r}")
    for other in entry.related:
        if other not in ids:
            check.error(entry.at("related"), f"{label}: related: unknown entry {other!r}")
        elif other == entry.id:
            check.error(entry.at("related"), f"{label}: related: an entry cannot relate to itself")
    for source in entry.sources:
        if not source.startswith(("http://", "https://")) and source not in context["sources"]:
            check.error(
                entry.at("sources"),
                f"{label}: sources: {source!r} is neither a URL nor in sources.yaml",
            )
    if not entry.sources:
        check.error(entry.at("sources"), f"{label}: sources must name at least one source")
