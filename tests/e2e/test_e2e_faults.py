"""The bot under a misbehaving Bot API: rate limits, server errors, timeouts, slowness."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from handlers.retry import RetryPolicy
from tests import factories
from tests.e2e.conftest import WAIT, Live, visible
from tests.fakes import TOKEN, FakeTelegramServer, Fault

pytestmark = pytest.mark.e2e

FAST = RetryPolicy(attempts=3, backoff=0.05, timeout=1.0)
SLOWER_THAN_TIMEOUT = FAST.timeout + 0.5


@pytest.fixture
def retry() -> RetryPolicy:
    """The production policy's shape with pauses and a timeout short enough for a test."""
    return FAST


def sends_to(server: FakeTelegramServer, chat: int, *, delivered: bool) -> list[dict[str, Any]]:
    calls = server.calls if delivered else server.attempts
    return [p for m, p in calls if m == "sendMessage" and p["chat_id"] == str(chat)]


async def until_tried(server: FakeTelegramServer, chat: int, count: int) -> None:
    def tried(_: object) -> bool:
        return len(sends_to(server, chat, delivered=False)) >= count

    await asyncio.to_thread(server.wait_for, tried, WAIT, attempts=True)


@pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)  # PTB's own retry_after
async def test_a_429_is_waited_out_and_the_answer_still_arrives(live: Live):
    live.server.inject("sendMessage", Fault(429, "Too Many Requests: retry after 1", retry_after=1))
    [answer] = await live.person(2001, "en").says("/help")
    assert "How I work" in visible(answer["text"])
    tries = sends_to(live.server, 2001, delivered=False)
    assert len(tries) == 2, "one refused with 429, one delivered after the wait"


@pytest.mark.parametrize(
    ("status", "times"), [(500, 1), (502, 2), (503, FAST.attempts - 1)], ids=str
)
async def test_a_passing_server_error_is_retried_and_the_answer_delivered_once(
    live: Live, status: int, times: int
):
    live.server.inject("sendMessage", Fault(status, "Internal Server Error"), times=times)
    [answer] = await live.person(2002, "en").says("/help")
    assert "How I work" in visible(answer["text"])
    assert len(sends_to(live.server, 2002, delivered=False)) == times + 1
    assert len(sends_to(live.server, 2002, delivered=True)) == 1


async def test_a_call_that_hangs_past_the_timeout_is_retried_and_delivered(live: Live):
    # Telegram stalls on the first try and drops it; the bot stopped waiting after FAST.timeout.
    live.server.inject("sendMessage", Fault(504, "Gateway Timeout", delay=SLOWER_THAN_TIMEOUT))
    [answer] = await live.person(2003, "en").says("/help")
    assert "How I work" in visible(answer["text"])
    await until_tried(live.server, 2003, 2)
    assert len(sends_to(live.server, 2003, delivered=True)) == 1


async def test_a_reply_telegram_took_but_confirmed_too_late_arrives_twice_not_more(live: Live):
    # The price of retrying timeouts (handlers/retry.py): the slow first try was delivered.
    live.server.inject("sendMessage", Fault(0, "", delay=SLOWER_THAN_TIMEOUT))
    first, second = await live.person(2004, "en").says("/help", expect=2)
    assert first["text"] == second["text"]
    assert "How I work" in visible(first["text"])
    assert len(sends_to(live.server, 2004, delivered=False)) == 2


async def test_a_bad_request_is_not_retried_and_ends_in_the_polite_message(live: Live):
    live.server.inject("sendMessage", Fault(400, "Bad Request: can't parse entities"))
    [apology] = await live.person(2005, "en").says("/help")
    assert "something went wrong" in visible(apology["text"])
    assert len(sends_to(live.server, 2005, delivered=False)) == 2, "the refused one, the apology"


async def test_a_server_error_beyond_the_retry_budget_ends_in_the_polite_message(live: Live):
    live.server.inject("sendMessage", Fault(500, "Internal Server Error"), times=FAST.attempts)
    [apology] = await live.person(2006, "en").says("/help")
    assert "something went wrong" in visible(apology["text"])
    assert len(sends_to(live.server, 2006, delivered=False)) == FAST.attempts + 1


async def test_a_lasting_outage_is_logged_and_the_bot_answers_again_when_it_ends(
    live: Live, caplog
):
    outage = 2 * FAST.attempts  # the answer and the apology both use up their tries
    live.server.inject("sendMessage", Fault(503, "Service Unavailable"), times=outage)
    with caplog.at_level(logging.WARNING):
        update = live.server.push(factories.message("/help", user_id=2007, lang="en"))
        await until_tried(live.server, 2007, outage)
        [answer] = await live.person(2007, "en").says("/help")
    assert "How I work" in visible(answer["text"])
    assert len(sends_to(live.server, 2007, delivered=False)) == outage + 1, "no endless loop"
    assert len(sends_to(live.server, 2007, delivered=True)) == 1
    errors = [r.getMessage() for r in caplog.records if r.name == "handlers.errors"]
    assert errors == [
        f"error handling update={update} chat=private kind=message",  # no chat id: personal
        "could not send the error notice: NetworkError",
    ]
    retries = [r for r in caplog.records if r.name == "handlers.retry"]
    assert len(retries) == 2 * (FAST.attempts - 1)
    assert TOKEN not in caplog.text


async def test_a_slow_api_still_gets_the_answer_through(live: Live):
    live.server.delay = 0.3
    [answer] = await live.person(2008, "fr").says("/aide")
    assert "code postal" in visible(answer["text"])
