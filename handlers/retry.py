"""Bot API calls that survive a bad moment: 5xx answers, timeouts and dropped connections.

Telegram's servers now and then answer 500/502/503/504, or nothing at all, for a few seconds.
A person who asked something should still get the answer, so every call the bot makes is
tried again a bounded number of times after a short, doubling pause. Final at once: every
4xx (a BadRequest stays bad; a Forbidden means the person blocked the bot) and 429, which
PTB's rate limiter waits out itself because only it knows `retry_after`. The long poll
(getUpdates) has its own request object, which PTB's updater already retries.

The price of retrying a timeout: Telegram may have delivered the message before the answer
was lost, and the retry then shows it twice (at most `attempts` times in all). For a helpdesk
a repeated answer is a nuisance; a missing one leaves a worried person alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from telegram.error import NetworkError
from telegram.request import BaseRequest, HTTPXRequest, RequestData

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard the bot tries to deliver one Bot API call."""

    attempts: int = 3
    """Tries in all, the first included (1 = never retry)."""
    backoff: float = 0.5
    """Seconds before the second try, doubled before each next one (0.5, 1.0, ...)."""
    timeout: float = 5.0
    """Seconds each try waits for Telegram's answer (PTB's default read timeout)."""

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.backoff < 0 or self.timeout <= 0:
            raise ValueError("attempts >= 1, backoff >= 0 and timeout > 0")

    def pauses(self) -> Iterator[float]:
        """The waits between tries: one fewer than `attempts`."""
        return (self.backoff * 2**n for n in range(self.attempts - 1))


RETRY = RetryPolicy()


class RetryingRequest(HTTPXRequest):
    """PTB's httpx request, retrying 5xx answers and network failures per a `RetryPolicy`."""

    __slots__ = ("_policy",)

    def __init__(self, policy: RetryPolicy = RETRY, **httpx_request: Any) -> None:
        super().__init__(read_timeout=policy.timeout, **httpx_request)
        self._policy = policy

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One call, retried; the last answer or error goes to PTB, which maps it to an error."""
        endpoint = url.rsplit("/", 1)[-1]  # never log the URL: it holds the token
        timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        for pause in self._policy.pauses():
            try:
                status, payload = await super().do_request(url, method, request_data, *timeouts)
            except NetworkError as error:  # TimedOut included; the request may have arrived
                reason = type(error).__name__
            else:
                if status < HTTPStatus.INTERNAL_SERVER_ERROR:
                    return status, payload
                reason = str(status)
            logger.warning("Bot API %s failed (%s); trying again in %.1fs", endpoint, reason, pause)
            await asyncio.sleep(pause)
        return await super().do_request(url, method, request_data, *timeouts)
