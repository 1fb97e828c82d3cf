"""RetryingRequest: what is retried (5xx, timeouts, dropped connections) and what never is."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from handlers.retry import RetryingRequest, RetryPolicy
from tests.fakes import TOKEN

URL = f"https://api.telegram.org/bot{TOKEN}/sendMessage"
NO_PAUSE = RetryPolicy(attempts=3, backoff=0.0)

Step = httpx.Response | Exception


def scripted(steps: list[Step]) -> tuple[RetryingRequest, list[httpx.Request]]:
    """A request whose transport plays `steps` in order (the last one repeats)."""
    seen: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = steps[min(len(seen), len(steps)) - 1]
        if isinstance(step, Exception):
            raise step
        return step

    transport = httpx.MockTransport(respond)
    return RetryingRequest(NO_PAUSE, httpx_kwargs={"transport": transport}), seen


def ok() -> httpx.Response:
    return httpx.Response(200, json={"ok": True, "result": True})


def error(status: int, description: str, **parameters: int) -> httpx.Response:
    body: dict[str, object] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return httpx.Response(status, json=body)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_server_error_is_retried_until_delivered(status: int):
    request, seen = scripted([error(status, "Internal Server Error"), ok()])
    assert await request.post(URL) is True
    assert len(seen) == 2


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("no answer"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("dropped"),
    ],
    ids=lambda failure: type(failure).__name__,
)
async def test_timeouts_and_dropped_connections_are_retried_until_delivered(
    failure: Exception, caplog
):
    request, seen = scripted([failure, failure, ok()])
    with caplog.at_level(logging.WARNING, logger="handlers.retry"):
        assert await request.post(URL) is True
    assert len(seen) == 3
    assert "Bot API sendMessage failed" in caplog.text
    assert TOKEN not in caplog.text, "the URL holds the token: never log it"


ERRORS: list[tuple[Callable[[], httpx.Response], type[Exception]]] = [
    (lambda: error(400, "Bad Request: can't parse entities"), BadRequest),
    (lambda: error(403, "Forbidden: bot was blocked by the user"), Forbidden),
    (lambda: error(429, "Too Many Requests", retry_after=3), RetryAfter),
]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter
@pytest.mark.parametrize(("answer", "raised"), ERRORS, ids=["400", "403", "429"])
async def test_a_client_error_is_final_and_sent_once(
    answer: Callable[[], httpx.Response], raised: type[Exception]
):
    request, seen = scripted([answer(), ok()])
    with pytest.raises(raised):
        await request.post(URL)
    assert len(seen) == 1


async def test_a_server_error_past_the_budget_reaches_the_caller_after_every_try():
    request, seen = scripted([error(502, "Bad Gateway")])
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await request.post(URL)
    assert len(seen) == NO_PAUSE.attempts


async def test_a_timeout_past_the_budget_is_raised_as_timed_out():
    request, seen = scripted([httpx.ReadTimeout("slow")])
    with pytest.raises(TimedOut):
        await request.post(URL)
    assert len(seen) == NO_PAUSE.attempts


def test_each_try_waits_the_policys_timeout_for_an_answer():
    assert RetryingRequest().read_timeout == RetryPolicy().timeout == 5.0
    assert RetryingRequest(RetryPolicy(timeout=1.5)).read_timeout == 1.5


def test_pauses_double_from_the_backoff_with_one_fewer_than_the_tries():
    assert list(RetryPolicy(attempts=4, backoff=0.5).pauses()) == [0.5, 1.0, 2.0]
    assert list(RetryPolicy(attempts=1).pauses()) == []


@pytest.mark.parametrize("fields", [{"attempts": 0}, {"backoff": -1.0}, {"timeout": 0.0}])
def test_a_policy_that_could_never_deliver_is_refused(fields: dict[str, float]):
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(**fields)  # type: ignore[arg-type]
