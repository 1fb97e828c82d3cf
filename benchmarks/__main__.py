"""Every benchmark, one combined table: `python -m benchmarks [matching] [startup] [e2e]`.

Each suite is a module with `rows() -> list[dict]`: one row per knowledge base, with "kb",
"entries" and its measurements. Reported, never asserted; not part of the test suite.
Each suite runs in a fresh Python process: the end-to-end run measures the memory of a bot
in its process, which the 10,000-entry knowledge bases of an earlier suite would inflate.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

SUITES = {
    "matching": "benchmarks.matching",
    "startup": "benchmarks.startup",
    "e2e": "benchmarks.e2e",
}
# The measurements worth a line in the combined table, with their units, per suite.
SHOWN = {
    "matching": ("index_s", "p50_ms", "p99_ms", "naive_p50_ms", "speedup_p50"),
    "startup": ("median_s", "min_s", "max_s", "load_s", "index_s", "first_ms"),
    "e2e": (
        "updates_per_s",
        "p50_ms",
        "p99_ms",
        "bot_cpu_ms",
        "bot_busy",
        "server_busy",
        "rss_start_mb",
        "rss_2k_mb",
        "rss_10k_mb",
        "peak_rss_mb",
    ),
}


def combined(results: Sequence[tuple[str, dict[str, Any]]]) -> str:
    head = f"{'suite':<10}{'knowledge base':<26}{'entries':>8}  {'measure':<14}{'value':>10}"
    lines = [head, "-" * len(head)]
    for suite, row in results:
        keys = SHOWN.get(suite) or tuple(k for k in row if k not in ("kb", "entries"))
        for key in keys:
            if isinstance(row.get(key), int | float):
                lines.append(
                    f"{suite:<10}{row['kb']!s:<26}{row.get('entries', ''):>8}  "
                    f"{key:<14}{row[key]:>10.3f}"
                )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("suites", nargs="*", metavar="SUITE", help=f"{', '.join(SUITES)} (all)")
    parser.add_argument("--rows-of", choices=sorted(SUITES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = sorted(set(args.suites) - set(SUITES))
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(unknown)}")
    if args.rows_of:
        rows = importlib.import_module(SUITES[args.rows_of]).rows()
        print(json.dumps(rows))
        return 0
    results: list[tuple[str, dict[str, Any]]] = []
    for name in args.suites or SUITES:
        start = time.perf_counter()
        results.extend((name, row) for row in _rows_in_a_fresh_process(name))
        print(f"{name}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    print(combined(results))
    return 0


def _rows_in_a_fresh_process(name: str) -> list[dict[str, Any]]:
    done = subprocess.run(  # noqa: S603 - our own interpreter, a suite from SUITES
        [sys.executable, "-m", "benchmarks", "--rows-of", name],
        check=True,
        capture_output=True,
        text=True,
    )
    rows: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return rows


if __name__ == "__main__":
    sys.exit(main())
