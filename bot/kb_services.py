"""Services: from line-aware YAML to validated `Service` values, every shown fact sourced."""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any

from bot.checks import Checker
from bot.model import OpeningSpan, Service
from bot.yamlfile import LineDict, LineList

REQUIRED = ("id", "name", "purpose", "audience", "region", "sources", "verified")
OPTIONAL = (
    "phone", "url", "email", "hours", "closed_on_holidays", "cost", "anonymous",
    "emergency", "dated", "note", "channels", "also",
)  # fmt: skip
SOURCED_FACTS = ("name", "phone", "url", "email", "hours")
REGIONS = ("flanders", "brussels", "wallonia", "belgium", "via-municipality", "fwb")
SERVICE_AUDIENCES = ("parent", "professional", "youth", "all")
COSTS = ("free", "paid", "unknown")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def parse_services(data: Any, check: Checker) -> list[Service]:
    if not isinstance(data, LineList):
        check.error(getattr(data, "line", 1), "services.yaml must be a list of services")
        return []
    services = []
    for index, item in enumerate(data):
        mapping = check.mapping(item, data.line_of(index), f"service {index + 1}")
        if mapping is not None and (service := _parse_service(mapping, check)) is not None:
            services.append(service)
    return services


def _parse_service(item: LineDict, check: Checker) -> Service | None:
    label = f"service {item.get('id', '?')!s}"
    if not check.keys(item, label, REQUIRED, OPTIONAL):
        return None
    _check_sources(item, check, label)
    hours = item.get("hours")
    return Service(
        id=check.text(item, "id", label),
        name=MappingProxyType(check.texts(item, "name", label)),
        purpose=MappingProxyType(check.texts(item, "purpose", label)),
        audience=tuple(_choices(item, "audience", SERVICE_AUDIENCES, check, label)),
        phone=_optional_text(item, "phone"),
        url=_optional_text(item, "url"),
        email=_optional_text(item, "email"),
        always_open=hours == "always",
        hours=() if hours in (None, "always") else _hours(item, check, label),
        closed_on_holidays=item.get("closed_on_holidays") is True,
        cost=_choice(item, "cost", COSTS, check, label, "unknown"),
        anonymous=item.get("anonymous") if isinstance(item.get("anonymous"), bool) else None,
        region=_choice(item, "region", REGIONS, check, label, "flanders"),
        emergency=item.get("emergency") is True,
        dated=tuple(str(d) for d in item.get("dated", []) or []),
        verified=check.day(item, "verified", label),
        line=item.line,
    )


def _optional_text(item: LineDict, key: str) -> str:
    value = item.get(key)
    return str(value).strip() if value not in (None, "") else ""


def _check_sources(item: LineDict, check: Checker, label: str) -> None:
    """Every fact the bot would show must name where it was read."""
    sources = check.mapping(item.get("sources"), item.line_of("sources"), f"{label}: sources")
    if sources is None:
        return
    for fact in SOURCED_FACTS:
        if item.get(fact) in (None, ""):
            continue
        cited = sources.get(fact)
        if not isinstance(cited, list) or not [c for c in cited if isinstance(c, str) and c]:
            check.error(item.line_of(fact), f"{label}: {fact} is shown but sources.{fact} is empty")


def _choice(
    item: LineDict, key: str, options: tuple[str, ...], check: Checker, label: str, default: str
) -> str:
    value = item.get(key, default)
    if value not in options:
        check.error(item.line_of(key), f"{label}: {key} must be one of {', '.join(options)}")
        return default
    return str(value)


def _choices(
    item: LineDict, key: str, options: tuple[str, ...], check: Checker, label: str
) -> list[str]:
    values = check.string_list(item, key, label)
    for value in values:
        if value not in options:
            check.error(item.line_of(key), f"{label}: {key}: {value!r} is not one of {options}")
    return values


def _hours(item: LineDict, check: Checker, label: str) -> tuple[OpeningSpan, ...]:
    spans = item.get("hours")
    if not isinstance(spans, LineList):
        check.error(item.line_of("hours"), f"{label}: hours must be 'always' or a list of spans")
        return ()
    result = []
    for index, span in enumerate(spans):
        line = spans.line_of(index)
        parsed = _span(span, line, check, f"{label}: hours[{index}]")
        if parsed is not None:
            result.append(parsed)
    return tuple(result)


def _span(span: Any, line: int, check: Checker, what: str) -> OpeningSpan | None:
    if not isinstance(span, LineDict) or not {"days", "from", "to"} <= set(span):
        check.error(line, f"{what} must have days, from and to")
        return None
    days = parse_days(str(span["days"]))
    start, end = minutes(str(span["from"])), minutes(str(span["to"]))
    if days is None:
        check.error(
            line, f"{what}: days {span['days']!r} not understood (e.g. mon-fri, wed, sat,sun)"
        )
    if start is None or end is None or (start is not None and end is not None and end <= start):
        check.error(line, f"{what}: from/to must be HH:MM with from before to")
    if days is None or start is None or end is None or end <= start:
        return None
    return OpeningSpan(frozenset(days), start, end)


def parse_days(text: str) -> set[int] | None:
    """'mon-fri' → {0..4}; 'mon,tue,thu' → {0,1,3}; None when not understood."""
    days: set[int] = set()
    for part in text.replace(" ", "").lower().split(","):
        first, _, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            return None
        a, b = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return days


def minutes(text: str) -> int | None:
    match = _TIME.match(text.strip())
    if not match:
        return None
    value = int(match.group(1)) * 60 + int(match.group(2))
    return value if value <= 24 * 60 else None
