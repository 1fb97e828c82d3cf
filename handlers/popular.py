"""Which topics people read most, counted in memory since start (for the empty inline query)."""

from __future__ import annotations

from collections import Counter

from bot.model import Snapshot

# Shown while nothing has been answered yet: the questions most people start with.
MAIN_ENTRIES = (
    "signs-overview",
    "signs-what-to-do",
    "talking-start",
    "online-content",
    "conspiracy-talk",
    "religion-devout",
)


class Popular:
    """A topic counter; no user, no text, only how often each topic was answered."""

    def __init__(self) -> None:
        self._topics: Counter[str] = Counter()

    def note(self, topic: str) -> None:
        self._topics[topic] += 1

    def entries(self, snapshot: Snapshot, limit: int = 10) -> list[str]:
        """The first entry of each most-read topic, or the main entries when there is no data."""
        picks: list[str] = []
        for topic, _ in self._topics.most_common():
            first = next((e.id for e in snapshot.entries if e.topic == topic), None)
            if first is not None and snapshot.topics[topic].kind == "answer":
                picks.append(first)
        if not picks:
            picks = [e for e in MAIN_ENTRIES if e in snapshot.by_id]
        if not picks:
            picks = [e.id for e in snapshot.entries if snapshot.topics[e.topic].kind == "answer"]
        return picks[:limit]
