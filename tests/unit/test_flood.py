"""The flood limiter: one notice past the limit, silence while it goes on, back when calm."""

from __future__ import annotations

import pytest

from bot.flood import FloodLimiter, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_messages_up_to_the_limit_are_allowed() -> None:
    limiter = FloodLimiter(3, clock=Clock())
    assert [limiter.check(1) for _ in range(3)] == [Verdict.ALLOW] * 3


def test_first_message_over_the_limit_gets_one_notice_then_silence() -> None:
    limiter = FloodLimiter(3, clock=Clock())
    verdicts = [limiter.check(1) for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.NOTICE, Verdict.DROP, Verdict.DROP]


def test_people_are_counted_separately() -> None:
    limiter = FloodLimiter(1, clock=Clock())
    assert limiter.check(1) is Verdict.ALLOW
    assert limiter.check(2) is Verdict.ALLOW
    assert limiter.check(1) is Verdict.NOTICE


def test_answers_resume_once_a_whole_window_is_calm() -> None:
    clock = Clock()
    limiter = FloodLimiter(2, window=60, clock=clock)
    for _ in range(4):
        limiter.check(1)
    clock.now += 30
    assert limiter.check(1) is Verdict.DROP  # dropped messages count: still too many
    clock.now += 61
    assert [limiter.check(1), limiter.check(1)] == [Verdict.ALLOW, Verdict.ALLOW]
    assert limiter.check(1) is Verdict.NOTICE


def test_a_new_burst_after_calming_down_gets_a_new_notice() -> None:
    clock = Clock()
    limiter = FloodLimiter(1, window=10, clock=clock)
    assert [limiter.check(1), limiter.check(1)] == [Verdict.ALLOW, Verdict.NOTICE]
    clock.now += 11
    assert [limiter.check(1), limiter.check(1)] == [Verdict.ALLOW, Verdict.NOTICE]


def test_idle_people_are_forgotten() -> None:
    clock = Clock()
    limiter = FloodLimiter(5, window=10, clock=clock)
    for user in range(500):
        limiter.check(user)
    clock.now += 100
    for _ in range(600):
        limiter.check("active")
    assert len(limiter) == 1


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="limit"):
        FloodLimiter(0)
