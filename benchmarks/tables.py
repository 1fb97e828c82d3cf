"""Fixed-width text tables for the benchmark suites: one renderer, a column list per suite."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# (header, width, row key, format spec); the first column is left-aligned, the rest right.
Column = tuple[str, int, str, str]


def render(columns: Sequence[Column], rows: Sequence[Mapping[str, Any]]) -> str:
    """Header, a rule, one line per row; a value the row lacks shows as "-"."""
    head = "".join(
        _cell(header, width, first=n == 0) for n, (header, width, _, _) in enumerate(columns)
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        cells = []
        for n, (_, width, key, spec) in enumerate(columns):
            text = format(row[key], spec) if key in row else "-"
            cells.append(_cell(text, width, first=n == 0))
        lines.append("".join(cells))
    return "\n".join(lines)


def _cell(text: str, width: int, *, first: bool) -> str:
    return f"{text:<{width}}" if first else f"{text:>{width}}"
