"""The bot under a misbehaving Bot API: rate limits, server errors, slowness."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Live, visible
from tests.fakes import Fault

pytestmark = pytest.mark.e2e


@pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)  # PTB's own retry_after
async def test_a_429_is_waited_out_and_the_answer_still_arrives(live: Live):
    live.server.inject("sendMessage", Fault(429, "Too Many Requests: retry after 1", retry_after=1))
    [answer] = await live.person(2001, "en").says("/help")
    assert "How I work" in visible(answer["text"])
    tries = [p for m, p in live.server.attempts if m == "sendMessage" and p["chat_id"] == "2001"]
    assert len(tries) == 2, "one refused with 429, one delivered after the wait"


async def test_a_server_error_on_an_answer_ends_in_a_polite_message(live: Live):
    live.server.inject("sendMessage", Fault(500, "Internal Server Error"))
    [apology] = await live.person(2002, "en").says("/help")
    assert "something went wrong" in visible(apology["text"])


async def test_a_slow_api_still_gets_the_answer_through(live: Live):
    live.server.delay = 0.3
    [answer] = await live.person(2003, "fr").says("/aide")
    assert "code postal" in visible(answer["text"])
