"""Service facts as people need them: name, how to reach, and whether it is open now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.model import Service, Snapshot

BRUSSELS = ZoneInfo("Europe/Brussels")
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class ServiceView:
    """What a renderer shows for one service, already in the reader's language."""

    id: str
    name: str
    purpose: str
    phone: str
    url: str
    email: str
    status: str  # "" when hours are not verified
    notes: tuple[str, ...]
    emergency: bool


def view(
    service: Service, snapshot: Snapshot, lang: str, now: datetime | None = None
) -> ServiceView:
    now = (now or datetime.now(BRUSSELS)).astimezone(BRUSSELS)
    notes = []
    if service.cost == "free":
        notes.append(snapshot.text("service.free", lang))
    if service.anonymous:
        notes.append(snapshot.text("service.anonymous", lang))
    return ServiceView(
        id=service.id,
        name=service.name.get(lang) or service.name["nl"],
        purpose=service.purpose.get(lang) or service.purpose["nl"],
        phone=service.phone,
        url=service.url,
        email=service.email,
        status=opening_status(service, snapshot, lang, now),
        notes=tuple(notes),
        emergency=service.emergency,
    )


def opening_status(service: Service, snapshot: Snapshot, lang: str, now: datetime) -> str:
    """ "open now", "closed, opens Monday 09:00", "24/7", or "" when hours are unknown."""
    if service.always_open:
        return snapshot.text("service.always", lang)
    if not service.hours:
        return ""
    minute = now.hour * 60 + now.minute
    for span in service.hours:
        if now.weekday() in span.days and span.start <= minute < span.end:
            return snapshot.text("service.open_until", lang, time=_clock(span.end))
    opening = next_opening(service, now)
    if opening is None:
        return ""
    day = snapshot.text(f"day.{DAY_KEYS[opening.weekday()]}", lang)
    if opening.date() == now.date():
        day = snapshot.text("day.today", lang)
    return snapshot.text("service.closed_opens", lang, day=day, time=opening.strftime("%H:%M"))


def next_opening(service: Service, now: datetime) -> datetime | None:
    """The next start of an opening span after `now`, within a week."""
    minute = now.hour * 60 + now.minute
    for offset in range(8):
        day = now + timedelta(days=offset)
        starts = sorted(s.start for s in service.hours if day.weekday() in s.days)
        for start in starts:
            if offset > 0 or start > minute:
                midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
                return midnight + timedelta(minutes=start)
    return None


def _clock(minutes: int) -> str:
    return "24:00" if minutes >= 24 * 60 else f"{minutes // 60:02d}:{minutes % 60:02d}"
