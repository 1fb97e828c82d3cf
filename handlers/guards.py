"""Cross-cutting guards: who the bot listens to in groups, the flood limit, non-text messages."""

from __future__ import annotations

import logging

from telegram import Message, MessageEntity, Update
from telegram.constants import MessageEntityType
from telegram.ext import ApplicationHandlerStop, ContextTypes, filters

from bot.dialogue import Brain
from bot.flood import FloodLimiter, Verdict
from handlers import keyboards, render
from handlers.send import is_private, send
from handlers.session import Sessions, user_data_of

logger = logging.getLogger(__name__)


def addressed(message: Message) -> bool:
    """In a group the bot answers only a command, a mention of it, or a reply to it."""
    if is_private(message):
        return True
    bot = message.get_bot()
    reply_to = message.reply_to_message
    if reply_to is not None and reply_to.from_user is not None and reply_to.from_user.id == bot.id:
        return True
    name = f"@{bot.username}".lower() if bot.username else ""
    for entity, text in message.parse_entities(
        [MessageEntity.MENTION, MessageEntity.BOT_COMMAND]
    ).items():
        if entity.type == MessageEntityType.BOT_COMMAND and entity.offset == 0:
            return True
        if name and text.lower() == name:
            return True
    return False


class Addressed(filters.MessageFilter):
    """Filter form of `addressed`, for the free-text handler."""

    def filter(self, message: Message) -> bool:
        return addressed(message)


class Flood:
    """TypeHandler in group -1: past the per-minute limit, one notice, then silence."""

    def __init__(self, brain: Brain, sessions: Sessions, limiter: FloodLimiter) -> None:
        self._brain = brain
        self._sessions = sessions
        self._limiter = limiter

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None or not _counts(update):
            return
        verdict = self._limiter.check(user.id)
        if verdict is Verdict.ALLOW:
            return
        if update.callback_query is not None:
            await update.callback_query.answer()
        message = update.effective_message
        if verdict is Verdict.NOTICE and message is not None:
            logger.info("flood: slowing down user update=%s", update.update_id)
            lang = self._sessions.current(user_data_of(context), user).lang
            await send(message, render.plain_cards(self._brain.snapshot, "flood.notice", lang))
        raise ApplicationHandlerStop


def _counts(update: Update) -> bool:
    """Messages meant for the bot and button presses count; inline typing and group chatter not."""
    if update.callback_query is not None:
        return True
    message = update.message
    return message is not None and addressed(message)


class Others:
    """Voice, photos, stickers, files, video…: say kindly what the bot can read."""

    def __init__(self, brain: Brain, sessions: Sessions) -> None:
        self._brain = brain
        self._sessions = sessions

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or not is_private(message):
            return
        lang = (await self._sessions.get(update, user_data_of(context))).lang
        keyboard = keyboards.topics_button(self._brain.snapshot, lang)
        await send(message, render.plain_cards(self._brain.snapshot, "other.media", lang, keyboard))


async def on_stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button no handler knows (from an older version): stop its spinner, nothing else."""
    if update.callback_query is not None:
        await update.callback_query.answer()


# Everything a person can send that is not text; moderators' documents are left to moderation.
def other_messages(moderators: frozenset[int]) -> filters.BaseFilter:
    media = (
        filters.VOICE
        | filters.AUDIO
        | filters.PHOTO
        | filters.Sticker.ALL
        | filters.VIDEO
        | filters.VIDEO_NOTE
        | filters.ANIMATION
        | filters.CONTACT
        | filters.POLL
        | filters.Dice.ALL
    )
    documents: filters.BaseFilter = filters.Document.ALL
    if moderators:
        documents = documents & ~filters.User(user_id=moderators)
    return filters.ChatType.PRIVATE & (media | documents)
