"""When a person answers hand-offs: HELPDESK_HANDOFF_HOURS, in Brussels local time.

The value lists spans separated by ";", each "days from-to" with the days of services.yaml:
"mon-fri 09:00-17:00; sat 10:00-12:00". An empty value means a person may answer at any time
(the moderators then watch the group themselves). A value that does not parse is refused at
start-up, never guessed at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.errors import ConfigError
from bot.kb_services import minutes as parse_time
from bot.kb_services import parse_days
from bot.model import OpeningSpan

BRUSSELS = ZoneInfo("Europe/Brussels")
SETTING = "HELPDESK_HANDOFF_HOURS"


@dataclass(frozen=True, slots=True)
class HandoffHours:
    """Weekly spans in which the moderators' group answers; no spans means always."""

    spans: tuple[OpeningSpan, ...] = ()
    text: str = ""

    def is_open(self, moment: datetime) -> bool:
        """True when `moment` (aware) falls inside a span, read in Brussels time."""
        if not self.spans:
            return True
        local = moment.astimezone(BRUSSELS)
        now = local.hour * 60 + local.minute
        day = local.weekday()
        return any(day in s.days and s.start <= now < s.end for s in self.spans)

    def describe(self, day_names: Sequence[str]) -> str:
        """ "Monday-Friday 09:00-17:00; Saturday 10:00-12:00" in the given day names (Mon first)."""
        return "; ".join(
            f"{_days(span.days, day_names)} {_clock(span.start)}-{_clock(span.end)}"
            for span in self.spans
        )


def parse_hours(text: str) -> HandoffHours:
    """Parse the setting; raises ConfigError naming the part it does not understand."""
    spans = []
    for part in (p.strip() for p in text.split(";")):
        if part:
            spans.append(_span(part))
    return HandoffHours(tuple(spans), "; ".join(p.strip() for p in text.split(";") if p.strip()))


def _days(days: frozenset[int], names: Sequence[str]) -> str:
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(
        names[run[0]] if len(run) == 1 else f"{names[run[0]]}-{names[run[-1]]}" for run in runs
    )


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _span(part: str) -> OpeningSpan:
    days_text, _, times = part.rpartition(" ")
    start_text, _, end_text = times.partition("-")
    days = parse_days(days_text)
    start, end = parse_time(start_text), parse_time(end_text)
    if days is None or start is None or end is None or end <= start:
        raise ConfigError(
            [
                f"{SETTING}: {part!r} not understood; write e.g. 'mon-fri 09:00-17:00; sat 10:00-12:00'"
            ]
        )
    return OpeningSpan(frozenset(days), start, end)
