"""Sending rendered cards: HTML, no link previews, and never quoting the person's message."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import CallbackQuery, LinkPreviewOptions, Message
from telegram.constants import ChatType, ParseMode
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.model import Snapshot
from handlers import keyboards
from handlers.render import Card, Frame, plain_cards

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def send(message: Message, cards: Sequence[Card]) -> None:
    """Send `cards` to the chat of `message`, in order, without replying to (quoting) it."""
    for card in cards:
        await message.reply_text(
            card.text,
            parse_mode=ParseMode.HTML,
            reply_markup=card.markup,
            link_preview_options=NO_PREVIEW,
            do_quote=False,
        )


async def edit(query: CallbackQuery, card: Card) -> None:
    """Replace the message a button belongs to (its text and keyboard)."""
    await query.edit_message_text(
        card.text,
        parse_mode=ParseMode.HTML,
        reply_markup=card.markup,
        link_preview_options=NO_PREVIEW,
    )


def frame(context: ContextTypes.DEFAULT_TYPE, settings: Settings, private: bool = True) -> Frame:
    """Render options for this chat: feedback and hand-off only in a private chat."""
    return Frame(
        bot_username=context.bot.username or "",
        handoff=settings.handoff_enabled and private,
        feedback=private,
    )


def is_private(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


async def private_only(message: Message, snapshot: Snapshot, lang: str) -> bool:
    """False in a private chat; in a group, point to the private chat instead and say True."""
    if is_private(message):
        return False
    keyboard = keyboards.private_chat(snapshot, lang, message.get_bot().username or "")
    await send(message, plain_cards(snapshot, "group.private_only", lang, keyboard))
    return True
