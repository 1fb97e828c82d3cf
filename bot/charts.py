"""The /stats chart: questions per day and per topic, as PNG bytes.

matplotlib is optional (the `charts` extra) and imported only when a chart is drawn. The
object-oriented API with the Agg canvas is used, never pyplot, so drawing keeps no global state
and is safe in a worker thread (`asyncio.to_thread(stats_png, ...)`).
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from bot.storage_types import Stats

TOP_TOPICS = 10
LABEL_KEYS = ("per_day", "per_topic", "questions")  # strings mod.chart.<key>, in ChartLabels order


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """The chart's words, in the moderator's language."""

    per_day: str
    per_topic: str
    questions: str


def available() -> bool:
    """True when matplotlib is installed."""
    return importlib.util.find_spec("matplotlib") is not None


def days_between(start: date, end: date, counts: Mapping[str, int]) -> list[tuple[date, int]]:
    """Every day from `start` to `end`, with 0 for days without questions."""
    span = (end - start).days
    return [
        (day, counts.get(day.isoformat(), 0))
        for day in (start + timedelta(days=n) for n in range(span + 1))
    ]


def stats_png(stats: Stats, today: date, labels: ChartLabels) -> bytes:
    """Two panels: a bar per day, and the most asked topics. Raises ImportError without
    matplotlib."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 7), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    daily, topics = figure.subplots(2, 1, height_ratios=(1, 1.2))
    days = days_between(stats.since.date(), today, stats.per_day)
    daily.bar([d for d, _ in days], [n for _, n in days], color="#3465a4")
    daily.set_title(labels.per_day)
    daily.set_ylabel(labels.questions)
    daily.tick_params(axis="x", labelrotation=45)
    top = sorted(stats.by_topic.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TOPICS]
    names = [name for name, _ in reversed(top)]
    topics.barh(names, [count for _, count in reversed(top)], color="#73a839")
    topics.set_title(labels.per_topic)
    topics.set_xlabel(labels.questions)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
