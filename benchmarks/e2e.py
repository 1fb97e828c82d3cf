"""End to end: the real Application long-polling a loopback fake Bot API, 500 people at once.

    python -m benchmarks.e2e                       # 500 people × 20 updates, then a paced run
    python -m benchmarks.e2e --people 100 --steps 10

Saturated run: each person sends the next message as soon as the whole reply to the last one
has arrived, so 500 updates are always waiting. Updates/s is then the bot's capacity, and its
latency is mostly queueing (500 waiting ÷ capacity). Paced run: each person reads for a while
before typing again, offering half the measured capacity; its latency is what someone waits on
a moderately busy bot. Latency runs from the moment the fake server could hand an update out to
the arrival of the last message of its reply. The fake server (tests/loadfakes.py, HTTP/1.1
keep-alive, up to 100 updates a getUpdates, updates kept until acknowledged) and the people
(tests/crowd.py) run in a child process, so the RSS and CPU reported are the bot's own.
Telegram's ~30 messages/s cap is not simulated (see tests/livebot.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.matching import percentile
from benchmarks.tables import Column, render
from bot.dialogue import Brain
from bot.knowledge import load_snapshot
from tests.crowd_scripts import scripts
from tests.livebot import settings_for, start_bot
from tests.loadprocess import Report, load_run

ROOT = Path(__file__).resolve().parents[1]
PACED_SHARE = 0.5  # of the saturated capacity
PACED_STEPS = 2
WAIT = 900.0  # seconds; a run that stalls fails after 20 s without any answer
BUSY = 0.8  # a process using this share of a core for the whole run is the bottleneck


def rss_mb() -> float:
    """This process's resident memory now (Linux), else its peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            line = next(x for x in status if x.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        return peak_mb()


def peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes there, KiB here


async def drive(
    brain: Brain, people: int, steps: int, think: float = 0.0, samples: tuple[int, ...] = ()
) -> dict[str, Any]:
    """One run; `samples`: after how many answered updates to note the RSS."""
    crowd, total = scripts(brain, people, steps), people * steps
    memory: dict[str, float] = {}
    with load_run(crowd, think) as run, tempfile.TemporaryDirectory() as temp:
        flood = 10 * steps  # nobody is slowed down by the flood guard
        bot = await start_bot(settings_for(run.base_url(), flood), brain, Path(temp) / "db")
        try:
            memory["rss_start_mb"] = rss_mb()
            cpu, server_cpu, start = time.process_time(), run.cpu_seconds(), time.perf_counter()
            run.start()
            for count in (*samples, total):
                await asyncio.to_thread(run.wait_until, count, WAIT)
                memory[f"rss_{_thousands(count)}_mb"] = rss_mb()
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            server_cpu = run.cpu_seconds() - server_cpu
        finally:
            await bot.stop()
        report = run.report()
    _check(report, total)
    return {
        "updates": total,
        "people": people,
        "updates_per_s": total / wall,
        "p50_ms": statistics.median(report.latencies) * 1000,
        "p99_ms": percentile(report.latencies, 0.99) * 1000,
        "bot_cpu_ms": cpu / total * 1000,
        "bot_busy": cpu / wall,
        "server_busy": server_cpu / wall,
        "polls_per_update": report.polls / total,
        **memory,
    }


def _thousands(count: int) -> str:
    return f"{count // 1000}k" if count % 1000 == 0 else str(count)


def _check(report: Report, total: int) -> None:
    """A benchmark of a bot that loses or repeats answers would be meaningless."""
    problems = report.surplus + report.mismatched + report.rejected + report.unexpected
    if report.answered != total or problems:
        raise RuntimeError(f"run went wrong: {report.answered}/{total} answered; {problems[:3]}")


def rows(people: int = 500, steps: int = 20) -> list[dict[str, Any]]:
    load = os.getloadavg()[0]  # this machine may be shared: say how busy it was
    brain = Brain(load_snapshot(ROOT / "knowledge"))
    entries = len(brain.snapshot.entries)
    samples = tuple(n for n in (2_000,) if n < people * steps)
    saturated = asyncio.run(drive(brain, people, steps, samples=samples))
    sampled = max(v for k, v in saturated.items() if k.startswith("rss_"))
    peak = max(peak_mb(), sampled)  # the kernel's high-water mark can lag a fresh sample
    saturated.update(kb="real, saturated", entries=entries, peak_rss_mb=peak, load=load)
    think = people / (PACED_SHARE * saturated["updates_per_s"])
    paced = asyncio.run(drive(brain, people, PACED_STEPS, think=think))
    paced.update(kb="real, paced", entries=entries, think_s=think)
    return [saturated, paced]


COLUMNS: list[Column] = [
    ("run", 18, "kb", ""),
    ("updates", 8, "updates", ""),
    ("people", 7, "people", ""),
    ("upd/s", 8, "updates_per_s", ".1f"),
    ("p50 ms", 9, "p50_ms", ".0f"),
    ("p99 ms", 9, "p99_ms", ".0f"),
    ("bot CPU ms/upd", 15, "bot_cpu_ms", ".2f"),
    ("bot busy", 9, "bot_busy", ".0%"),
    ("server busy", 12, "server_busy", ".0%"),
    ("polls/upd", 10, "polls_per_update", ".2f"),
]


def table(results: list[dict[str, Any]]) -> str:
    return render(COLUMNS, results)


def notes(results: list[dict[str, Any]]) -> str:
    saturated = results[0]
    rss = ", ".join(
        f"{key.removeprefix('rss_').removesuffix('_mb')} {value:.0f}"
        for key, value in saturated.items()
        if key.startswith("rss_")
    )
    lines = [
        f"bot RSS MB: {rss}; peak {saturated['peak_rss_mb']:.0f} (knowledge loading included)",
        f"paced run: {results[1]['updates_per_s']:.0f} updates/s offered, "
        f"each person reading {results[1]['think_s']:.1f} s between messages",
        "bottleneck: " + bottleneck(saturated),
        f"load average when it started: {saturated['load']:.1f} on {os.cpu_count()} cores",
    ]
    return "\n".join(lines)


def bottleneck(run: dict[str, Any]) -> str:
    if run["server_busy"] >= BUSY:
        return f"the fake server (it used {run['server_busy']:.0%} of a core)"
    if run["bot_busy"] >= BUSY:
        return (
            f"the bot: its one event loop used {run['bot_busy']:.0%} of a core; "
            f"the fake server only {run['server_busy']:.0%}"
        )
    return "neither process used a whole core: waiting on each other (round trips)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--steps", type=int, default=20, help="updates per person")
    args = parser.parse_args(argv)
    results = rows(args.people, args.steps)
    print(table(results))
    print(notes(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
