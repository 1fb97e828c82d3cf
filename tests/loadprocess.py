"""The acking fake Bot API and its crowd, run in a process of their own for load runs.

In the bot's process, the fake server's request threads would share one GIL with the bot, and
a run would measure the two together: their CPU, their memory, and their threads taking turns.
In a child process the bot has its interpreter to itself, as it has against Telegram, and the
bot's CPU and RSS are its own. The parent drives the run through a manager proxy:
`with load_run(people) as run: run.start(); run.wait_until(n, timeout); run.report()`.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.managers import BaseManager

from tests.crowd import Crowd
from tests.crowd_scripts import Person
from tests.loadfakes import AckingTelegramServer


@dataclass(frozen=True)
class Report:
    """What the server saw: attribution problems are lists of examples (empty is good)."""

    answered: int  # updates wholly answered
    latencies: list[float]  # seconds from available to the whole reply, per answered update
    surplus: list[str]  # replies no outstanding update explains (duplicates)
    mismatched: list[str]  # first messages that do not begin as the core's reply does
    consent_problems: list[str]
    pending: int  # updates never acknowledged by the bot
    carried_over: int  # updates handed out before the last restart, answered after it
    polls: int  # getUpdates calls
    rejected: list[str]  # messages Telegram would have refused
    unexpected: list[str]  # methods the fake does not know


class LoadRun:
    """Lives in the child process: the server, the crowd, and what the parent may ask."""

    def __init__(self, people: list[Person], think: float = 0.0) -> None:
        self._server = AckingTelegramServer()
        self._crowd = Crowd(self._server, people, think)
        self._held: threading.Event | None = None
        self._handed_out: set[int] = set()  # before the last restart
        self._server.start()

    def base_url(self) -> str:
        return self._server.base_url

    def start(self) -> None:
        self._crowd.start()

    def wait_until(self, count: int, timeout: float) -> None:
        self._crowd.wait_until(count, timeout)

    def answered(self) -> int:
        return self._crowd.completed

    def next_generation(self) -> None:
        """The bot restarted: note what it had been handed, count what comes after apart."""
        self._handed_out = self._server.handed_out()
        self._crowd.next_generation()

    def hold_next_batch(self, seconds: float) -> None:
        self._held = self._server.hold_next_batch(seconds)

    def wait_held(self, timeout: float) -> bool:
        return self._held is not None and self._held.wait(timeout)

    def report(self) -> Report:
        crowd, server = self._crowd, self._server
        return Report(
            answered=crowd.completed,
            latencies=list(crowd.latencies),
            surplus=crowd.surplus[:10],
            mismatched=crowd.mismatched[:10],
            consent_problems=crowd.consent_problems()[:10],
            pending=server.pending,
            carried_over=sum(
                1 for u in self._handed_out if crowd.answered_in.get(u) == crowd.generation
            ),
            polls=len(server.offsets),
            rejected=server.rejected[:10],
            unexpected=server.unexpected[:10],
        )

    def cpu_seconds(self) -> float:
        """CPU time this process (server and people) has used so far."""
        return time.process_time()

    def stop(self) -> None:
        self._server.stop()


class _Manager(BaseManager):
    pass


_Manager.register("LoadRun", LoadRun)


@contextmanager
def load_run(people: list[Person], think: float = 0.0) -> Iterator[LoadRun]:
    """A LoadRun (a proxy to it) in a fresh child process, stopped and reaped afterwards."""
    manager = _Manager(ctx=multiprocessing.get_context("spawn"))
    manager.start()
    try:
        run: LoadRun = manager.LoadRun(people, think)  # type: ignore[attr-defined]
        try:
            yield run
        finally:
            run.stop()
    finally:
        manager.shutdown()
