"""Hand-off to a person: consent, relay both ways without identity, hours, closing, expiry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram.ext import CallbackContext

from bot.dialogue import Brain
from handlers.handoff import Tickets
from handlers.jobs import Jobs
from tests import factories
from tests.handlers.conftest import MODERATOR, visible
from tests.handlers.modfakes import (
    GROUP_CHAT,
    WEDNESDAY_MORNING,
    ModBot,
    group_reply,
    handoff_settings,
    private_message,
    start,
    stop,
    ticket_message_ids,
)

USER = factories.USER_ID
WORRY = "Mijn zoon van 15 zegt rare dingen over ongelovigen, ik weet niet wat te doen"
ANSWER = "Dank je om dit te delen. Kan je vertellen sinds wanneer dit zo is?"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(WEDNESDAY_MORNING)


@pytest.fixture
async def bot(tmp_path: Path, brain: Brain, clock: Clock) -> AsyncIterator[ModBot]:
    running = await start(tmp_path, brain, handoff_settings(), clock=clock)
    yield running
    await stop(running)


async def open_ticket(bot: ModBot) -> int:
    await bot.feed(factories.callback("ho"))
    await bot.feed(factories.callback("hc:y"))
    ticket = await bot.storage.ticket_for_user(bot.storage.user_key(USER))
    assert ticket is not None
    return ticket.id


async def test_the_button_explains_what_is_shared_and_asks_first(bot: ModBot):
    await bot.feed(factories.callback("ho"))
    text = visible(bot.api.texts()[-1])
    assert "naam, gebruikersnaam en Telegram-nummer zien ze niet" in text
    assert "maandag-vrijdag 09:00-17:00" in text
    assert bot.data() == ["hc:y", "hc:n"]
    assert await bot.storage.ticket_for_user(bot.storage.user_key(USER)) is None
    await bot.feed(factories.callback("hc:n"))
    assert await bot.storage.ticket_for_user(bot.storage.user_key(USER)) is None
    assert bot.group_texts == []


async def test_messages_are_relayed_both_ways_and_the_group_never_learns_who(bot: ModBot):
    number = await open_ticket(bot)
    await bot.feed(private_message(WORRY, username="ann_private", last_name="Peeters"))
    relayed = bot.group_texts
    assert any(WORRY in visible(t) for t in relayed)
    assert all(f"Ticket {number}" in visible(t) for t in relayed)
    await bot.recorder.flush()
    [reply_to, *_] = ticket_message_ids(bot, number)[-1:]
    await bot.feed(group_reply(ANSWER, reply_to))
    [to_user] = [visible(t) for t in bot.texts_to(USER) if ANSWER in visible(t)]
    assert "Moderator" not in to_user and str(MODERATOR) not in to_user
    for params in bot.sent():
        if int(params["chat_id"]) == GROUP_CHAT:
            text = str(params["text"])
            for secret in ("Ann", "ann_private", "Peeters", str(USER)):
                assert secret not in text
    assert bot.api.called("forwardMessage") == []


async def test_while_a_ticket_is_open_questions_are_not_answered_by_the_bot(bot: ModBot):
    await open_ticket(bot)
    bot.api.clear()
    await bot.feed(factories.message("wat zijn de signalen van radicalisering"))
    assert bot.texts_to(USER) == []
    assert len(bot.group_texts) == 1


async def test_a_crisis_during_a_ticket_gets_the_crisis_reply_at_once_and_is_relayed(bot: ModBot):
    await open_ticket(bot)
    bot.api.clear()
    await bot.feed(factories.message("ik wil niet meer leven, ik wil zelfmoord plegen"))
    assert any("1813" in visible(t) for t in bot.texts_to(USER))
    assert any("⚠" in visible(t) for t in bot.group_texts)


async def test_outside_hours_services_are_offered_and_no_ticket_opens(bot: ModBot, clock: Clock):
    clock.now = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)  # a Saturday evening
    await bot.feed(factories.callback("ho"))
    text = visible(bot.api.texts()[-1])
    assert "niemand van ons team beschikbaar" in text and "Tele-Onthaal" in text
    assert bot.data() == []
    await bot.feed(factories.callback("hc:y"))  # an old consent button pressed now
    assert await bot.storage.ticket_for_user(bot.storage.user_key(USER)) is None
    assert bot.group_texts == []


async def test_the_person_closes_with_close_and_both_sides_are_told(bot: ModBot):
    number = await open_ticket(bot)
    await bot.feed(factories.message("/sluit"))
    assert "gesloten" in visible(bot.texts_to(USER)[-1])
    assert f"Ticket {number} is gesloten door de persoon." in visible(bot.group_texts[-1])
    assert await bot.storage.ticket_for_user(bot.storage.user_key(USER)) is None
    bot.api.clear()
    await bot.feed(factories.message("wat zijn de signalen van radicalisering"))
    assert bot.group_texts == [] and bot.texts_to(USER)  # the bot answers again


async def test_a_moderator_closes_by_replying_close(bot: ModBot):
    number = await open_ticket(bot)
    await bot.recorder.flush()
    await bot.feed(group_reply("/close", ticket_message_ids(bot, number)[0]))
    assert "Ons team heeft het gesprek" in visible(bot.texts_to(USER)[-1])
    ticket = await bot.storage.ticket(number)
    assert ticket is not None and not ticket.is_open and ticket.user_chat_id is None
    await bot.recorder.flush()
    assert [a.action for a in await bot.storage.list_audit()] == ["ticket.close"]


async def test_a_reply_from_someone_not_a_moderator_is_not_passed_on(bot: ModBot):
    number = await open_ticket(bot)
    await bot.feed(group_reply(ANSWER, ticket_message_ids(bot, number)[0], user_id=5555))
    assert not any(ANSWER in visible(t) for t in bot.texts_to(USER))
    assert "Alleen moderatoren" in visible(bot.group_texts[-1])


async def test_idle_tickets_expire_and_both_sides_are_told(bot: ModBot, clock: Clock):
    number = await open_ticket(bot)
    clock.now += timedelta(hours=3)  # ticket_idle_hours=2 in handoff_settings
    await Tickets(bot.deps, bot.app.user_data).expire(CallbackContext(bot.app))
    assert "na 2 uur zonder berichten" in visible(bot.texts_to(USER)[-1])
    assert f"Ticket {number} is gesloten na 2 uur" in visible(bot.group_texts[-1])
    assert await bot.storage.ticket_for_user(bot.storage.user_key(USER)) is None


async def test_forget_closes_an_open_ticket_first(bot: ModBot):
    number = await open_ticket(bot)
    await bot.feed(factories.callback("fg:y"))
    assert f"Ticket {number} is gesloten door de persoon." in visible(bot.group_texts[-1])
    assert bot.rows("SELECT COUNT(*) FROM tickets") == [(0,)]


async def test_without_a_moderators_group_the_button_leads_to_services(tmp_path, brain: Brain):
    running = await start(tmp_path, brain)
    try:
        await running.feed(factories.callback("ho"))
        assert "Tele-Onthaal" in visible(running.api.texts()[-1])
        assert running.rows("SELECT COUNT(*) FROM tickets") == [(0,)]
    finally:
        await stop(running)


async def test_jobs_are_scheduled_and_post_the_stale_list_and_purge(tmp_path: Path, brain: Brain):
    later = Clock(WEDNESDAY_MORNING + timedelta(days=800))
    running = await start(tmp_path, brain, handoff_settings(), clock=later)
    try:
        queue = running.app.job_queue
        assert queue is not None
        assert {job.name for job in queue.jobs()} == {"retention", "stale", "ticket-expiry"}
        await running.storage.add_gap("een oude vraag", "nl", "abstain")
        later.now += timedelta(days=400)
        context = CallbackContext(running.app)
        await Jobs(running.deps).on_retention(context)
        assert await running.storage.list_gaps() == []
        await Jobs(running.deps).on_stale(context)
        assert "Wekelijkse controle" in visible(running.group_texts[0])
        assert "entries/signs.yaml: signs-overview" in "".join(running.group_texts)
    finally:
        await stop(running)
