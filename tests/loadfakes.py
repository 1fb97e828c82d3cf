"""A loopback Bot API for load runs that keeps updates until the bot acknowledges them.

`FakeTelegramServer` hands each update out once and forgets it: enough for conversations, but
it would hide what a restart does. Telegram keeps every update until a getUpdates with a higher
`offset` confirms it and hands out at most `limit` (100) a call, so a bot that stops after
fetching updates but before confirming them gets them again. This server does the same, over
HTTP/1.1 keep-alive (HTTP/1.0 costs a new TCP connection and server thread per call), and calls
`on_call` for every answered call so that a load driver can count replies as they arrive
instead of scanning the whole call list.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes import FakeTelegramServer, _answer

MAX_BATCH = 100  # Telegram's largest getUpdates `limit` (and its default)
LONGEST_POLL = 5.0  # seconds; a test never needs Telegram's 50

OnCall = Callable[[str, dict[str, Any]], None]


class AckingTelegramServer(FakeTelegramServer):
    """Updates stay pending until acknowledged; answered calls go to `on_call`, not `calls`."""

    def __init__(self, on_call: OnCall | None = None) -> None:
        self.on_call = on_call
        self.available_at: dict[int, float] = {}  # update_id → when getUpdates could return it
        self.delivered: Counter[int] = Counter()  # update_id → how often it was handed out
        self.offsets: list[int] = []  # the `offset` of every getUpdates, in order
        self._pending: deque[dict[str, Any]] = deque()  # increasing update_id
        self._arrived = threading.Condition()
        self._held: tuple[float, threading.Event] | None = None
        super().__init__()

    # --- driving -----------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        return self.push_many([update])[0]

    def push_many(self, updates: list[dict[str, Any]]) -> list[int]:
        """Make updates available at once (one wake-up for the long poll); their update_ids."""
        now = time.perf_counter()
        with self._arrived:
            stamped = [{**u, "update_id": next(self._ids)} for u in updates]
            self._pending.extend(stamped)
            for update in stamped:
                self.available_at[update["update_id"]] = now
            self._arrived.notify_all()
        return [u["update_id"] for u in stamped]

    @property
    def pending(self) -> int:
        """Updates not yet acknowledged (handed out or not)."""
        with self._arrived:
            return len(self._pending)

    def handed_out(self) -> set[int]:
        """The update_ids handed out so far (acknowledged or not)."""
        with self._arrived:
            return set(self.delivered)

    def hold_next_batch(self, seconds: float) -> threading.Event:
        """Answer the next non-empty getUpdates only after `seconds`, as a slow network would.

        Returns an event set once that batch is handed out and held: a bot stopped then never
        receives it, so it must get those updates again when it starts.
        """
        held = threading.Event()
        with self._arrived:
            self._held = (seconds, held)
        return held

    # --- serving -----------------------------------------------------------------------

    def _handle(self, method: str, params: dict[str, Any]) -> tuple[int, bytes]:
        if method == "getUpdates":
            return 200, json.dumps({"ok": True, "result": self._poll(params)}).encode()
        status, body = _answer(method, params, {}, self._results, self.unexpected, self.rejected)
        if status == 200 and self.on_call is not None:
            self.on_call(method, params)
        return status, body

    def _poll(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or MAX_BATCH), 1), MAX_BATCH)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), LONGEST_POLL)
        with self._arrived:
            self.offsets.append(offset)
            while self._pending and self._pending[0]["update_id"] < offset:
                self._pending.popleft()  # acknowledged: never handed out again
            while not self._pending and (left := deadline - time.monotonic()) > 0:
                self._arrived.wait(left)
            batch = list(itertools.islice(self._pending, limit))
            self.delivered.update(u["update_id"] for u in batch)
            held, self._held = (self._held, None) if batch and self._held else (None, self._held)
        if held is not None:
            seconds, event = held
            event.set()
            time.sleep(seconds)  # this server thread only: the bot sees a slow response
        return batch

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        base = super()._handler_class()

        class KeepAlive(base):  # type: ignore[valid-type,misc]
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

        return KeepAlive
