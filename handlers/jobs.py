"""Scheduled work on PTB's JobQueue: retention every night, the stale list every Monday, and
ticket expiry every few minutes (when hand-off is configured).

Jobs log counts only. Without the job-queue extra (`python-telegram-bot[job-queue]`) nothing is
scheduled and a warning says so; `helpdesk db purge` from cron then does the retention.
"""

from __future__ import annotations

import logging
from datetime import time
from typing import Any

from telegram.constants import ParseMode
from telegram.ext import Application, CallbackContext

from bot import moderation as mod
from bot.handoff_hours import BRUSSELS
from handlers import render
from handlers.handoff import EXPIRY_EVERY, GROUP_LANG, Tickets
from handlers.moderation import ModerationDeps

logger = logging.getLogger(__name__)

Context = CallbackContext[Any, Any, Any, Any]
NIGHTLY = time(3, 30, tzinfo=BRUSSELS)
WEEKLY = time(9, 0, tzinfo=BRUSSELS)
MONDAY = 1  # PTB counts days from Sunday = 0


class Jobs:
    def __init__(self, deps: ModerationDeps) -> None:
        self._deps = deps

    async def on_retention(self, context: Context) -> None:
        """Drop expired gaps and closed tickets, unlink old events from users."""
        result = await self._deps.storage.purge(self._deps.settings.retention_days)
        logger.info("retention: %s", result)

    async def on_stale(self, context: Context) -> None:
        """Post entries and services due for review to the moderators' group, if any."""
        chat = self._deps.settings.moderator_chat
        snapshot = self._deps.brain.snapshot
        found = mod.stale(snapshot, self._deps.clock().astimezone(BRUSSELS).date())
        if chat is None or not found:
            return
        text = mod.stale_text(found, snapshot, GROUP_LANG, "mod.stale.weekly")
        for card in render.cards(render.paragraphs(text)):
            await context.bot.send_message(chat, card.text, parse_mode=ParseMode.HTML)
        logger.info(
            "stale list posted: %d entries, %d services", *map(len, (found.entries, found.services))
        )


def register(app: Application[Any, Any, Any, Any, Any, Any], deps: ModerationDeps) -> None:
    """Schedule the jobs on `app.job_queue` (they start with the application)."""
    queue = app.job_queue
    if queue is None:
        logger.warning("no job queue (install python-telegram-bot[job-queue]); use cron instead")
        return
    jobs = Jobs(deps)
    queue.run_daily(jobs.on_retention, NIGHTLY, name="retention")
    queue.run_daily(jobs.on_stale, WEEKLY, days=(MONDAY,), name="stale")
    if deps.settings.moderator_chat is not None:
        expire = Tickets(deps, app.user_data).expire
        queue.run_repeating(expire, EXPIRY_EVERY, first=EXPIRY_EVERY, name="ticket-expiry")
