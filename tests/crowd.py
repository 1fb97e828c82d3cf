"""Simulated people for load runs: each sends a message, waits for the whole reply, sends the next.

A person has at most one update outstanding (someone reads the answer before typing again), so
every message the bot sends to their chat belongs to that update: replies are attributed
without markers. A lost update leaves its person waiting (`wait_until` fails once nobody has
been answered for a while); a duplicate shows as a surplus message or a second answer to the
same button press; a reply attributed to the wrong update begins unlike the core's reply.

The crowd runs where the fake server runs, on its request threads: a reply arriving completes
the update and sends the person's next one at once, or after `think` seconds (paced load).
The consent question after an unsure abstain is asked once per person and per run of the bot
(it lives in PTB's in-memory `user_data`), so it is counted apart, per run ("generation").
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from tests.crowd_scripts import BEGINS, Person, Step, visible
from tests.loadfakes import AckingTelegramServer

STALL = 20.0  # seconds without any answer: the bot is not coming back to someone


@dataclass
class Crowd:
    """Drives `people` through `server`; read the results once the bot has stopped."""

    server: AckingTelegramServer
    people: list[Person]
    think: float = 0.0  # seconds a person reads a reply before sending again
    generation: int = 0  # the bot's run; see next_generation
    completed: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds: available → whole reply
    surplus: list[str] = field(default_factory=list)  # replies no outstanding update explains
    mismatched: list[str] = field(default_factory=list)  # first messages that begin wrongly
    consents: Counter[tuple[int, int]] = field(default_factory=Counter)  # (user, generation)
    unsure_in: dict[int, set[int]] = field(default_factory=dict)  # user → generations
    answered_in: dict[int, int] = field(default_factory=dict)  # update_id → generation
    _by_chat: dict[int, Person] = field(default_factory=dict)
    _presses: dict[str, Person] = field(default_factory=dict)  # callback_query_id → person
    _done: threading.Condition = field(default_factory=threading.Condition)
    _later: _Later | None = None

    def __post_init__(self) -> None:
        self._by_chat = {p.user_id: p for p in self.people}
        self.server.on_call = self._on_call

    def start(self) -> None:
        """Everyone sends a first message: at once, or spread over one `think`."""
        if self.think:
            self._later = _Later(self._send_later)
            now, spread = time.perf_counter(), self.think / len(self.people)
            for n, person in enumerate(self.people):
                self._later.add(now + n * spread, person)
            return
        with self._done:
            ids = self.server.push_many([self._next_update(p) for p in self.people])
            for person, update_id in zip(self.people, ids, strict=True):
                person.update_id = update_id

    def wait_until(self, count: int, timeout: float, stall: float = STALL) -> None:
        """Block until `count` updates are wholly answered; raise TimeoutError after `timeout`
        seconds, or once `stall` seconds pass without any update being answered."""
        deadline = time.monotonic() + timeout
        with self._done:
            while self.completed < count:
                before, left = self.completed, deadline - time.monotonic()
                if left <= 0 or not self._done.wait_for(
                    partial(self._answered_beyond, before), min(stall, left)
                ):
                    waiting = [p for p in self.people if p.current is not None]
                    raise TimeoutError(
                        f"{self.completed}/{count} answered, then nothing for {stall:.0f}s or "
                        f"past {timeout:.0f}s; {len(waiting)} people waiting, e.g. "
                        f"{_describe(waiting[:3])}"
                    )

    def next_generation(self) -> None:
        """The bot restarted: consent questions from now on belong to its next run."""
        with self._done:
            self.generation += 1

    def consent_problems(self) -> list[str]:
        """People asked for consent other than once in each run where they were unsure."""
        problems = []
        for person in self.people:
            runs = self.unsure_in.get(person.user_id, set())
            for generation in range(self.generation + 1):
                asked = self.consents[person.user_id, generation]
                if asked != (generation in runs):
                    problems.append(f"user {person.user_id} run {generation}: asked {asked}x")
        return problems

    # --- the server's request threads ----------------------------------------------------

    def _on_call(self, method: str, params: dict[str, Any]) -> None:
        with self._done:
            person = self._attribute(method, params)
            step = person.current if person else None
            if person is None or step is None or person.messages < step.messages:
                return
            if step.data and not person.answered:
                return
            self._complete(person, step)

    def _attribute(self, method: str, params: dict[str, Any]) -> Person | None:
        """The person whose outstanding update this call answers (None: nothing to count)."""
        if method == "answerCallbackQuery":
            person = self._presses.pop(str(params["callback_query_id"]), None)
            if person is None:
                self.surplus.append(f"button press answered twice: {params}")
                return None
            person.answered = True
            return person
        if method != "sendMessage":
            return None
        person = self._by_chat.get(int(params["chat_id"]))
        if person is not None and _asks_consent(params):
            self.consents[person.user_id, self.generation] += 1
            return None
        step = person.current if person and person.update_id is not None else None
        if person is None or step is None or person.messages >= step.messages:
            self.surplus.append(f"chat {params['chat_id']}: {visible(params['text'])[:60]!r}")
            return None
        if person.messages == 0 and visible(params["text"])[:BEGINS] != step.begins:
            self.mismatched.append(f"{step.label} {step.text or step.data!r}: {params['text']!r}")
        person.messages += 1
        return person

    def _complete(self, person: Person, step: Step) -> None:
        assert person.update_id is not None
        self.latencies.append(time.perf_counter() - self.server.available_at[person.update_id])
        self.answered_in[person.update_id] = self.generation
        if step.unsure:
            self.unsure_in.setdefault(person.user_id, set()).add(self.generation)
        person.at, person.update_id = person.at + 1, None
        person.messages, person.answered = 0, False
        self.completed += 1
        self._done.notify_all()
        if person.current is None:
            return
        if self._later is not None:
            self._later.add(time.perf_counter() + self.think, person)
        else:
            person.update_id = self.server.push(self._next_update(person))

    def _send_later(self, person: Person) -> None:
        with self._done:
            person.update_id = self.server.push(self._next_update(person))

    def _next_update(self, person: Person) -> dict[str, Any]:
        step = person.current
        assert step is not None
        update = step.update(person.user_id, person.lang)
        if step.data:
            self._presses[update["callback_query"]["id"]] = person
        return update

    def _answered_beyond(self, count: int) -> bool:
        return self.completed > count


class _Later:
    """One thread that sends each person's next message when its time comes."""

    def __init__(self, send: Callable[[Person], None]) -> None:
        self._send = send
        self._due: list[tuple[float, int, Person]] = []
        self._wake = threading.Condition()
        threading.Thread(target=self._run, name="crowd-later", daemon=True).start()

    def add(self, when: float, person: Person) -> None:
        with self._wake:
            heapq.heappush(self._due, (when, person.user_id, person))
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._due or self._due[0][0] > time.perf_counter():
                    self._wake.wait(self._due[0][0] - time.perf_counter() if self._due else None)
                _, _, person = heapq.heappop(self._due)
            self._send(person)  # outside the lock: sending takes the crowd's


def _asks_consent(params: dict[str, Any]) -> bool:
    markup = params.get("reply_markup") or {}
    return any(
        b.get("callback_data") == "g:y" for row in markup.get("inline_keyboard", []) for b in row
    )


def _describe(people: list[Person]) -> str:
    return "; ".join(
        f"user {p.user_id} step {p.at} {p.current.label if p.current else '-'} "
        f"(got {p.messages} messages, button answered: {p.answered})"
        for p in people
    )
