"""Hand-off to a person: consent, a ticket, messages relayed both ways, closing and expiry.

Only with HELPDESK_MODERATOR_CHAT set. The "talk to a person" button (callback_data `ho`)
explains what is shared and asks consent (`hc:y` / `hc:n`). With an open ticket, the person's
text goes to the moderators' group as a new message under "Ticket #n" (send_message, never
forward_message: forwarding shows the sender), so the group never sees a name, username or id.
A moderator answers by replying to a ticket message; /close ends it (the person in private,
or a moderator replying in the group); the expiry job closes tickets idle for
HELPDESK_TICKET_IDLE_HOURS. Outside HELPDESK_HANDOFF_HOURS the person is offered services.

The relay runs in group `GROUP`, before the question handler, and stops the update only when
it relayed: a crisis message still gets the crisis reply at once, and is relayed as well.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from telegram import Bot, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.dialogue import Brain
from bot.handoff_hours import parse_hours
from bot.kb_services import DAY_NAMES
from bot.recorder import EXPECTED_FAILURES
from bot.storage_types import Ticket
from handlers import keyboards, render
from handlers.moderation import ModerationDeps, is_moderator
from handlers.send import edit, is_private, send
from handlers.session import Sessions, user_data_of

logger = logging.getLogger(__name__)

GROUP = -2  # after moderation (-3), before the flood guard (-1) and the question handler (0)
GROUP_LANG = "nl"  # the moderators' group reads Dutch
CLOSE = ("close", "sluit", "fermer")
LISTENERS = ("tele-onthaal", "caw")  # services where a person listens, for outside hours
EXPIRY_EVERY = timedelta(minutes=10)
Context = CallbackContext[Any, Any, Any, Any]


class Tickets:
    """Tickets between a person and the moderators' group."""

    def __init__(self, deps: ModerationDeps, user_data: Mapping[int, Any]) -> None:
        if deps.settings.moderator_chat is None:
            raise ValueError("hand-off needs HELPDESK_MODERATOR_CHAT")
        self._deps = deps
        self._group: int = deps.settings.moderator_chat
        self._hours = parse_hours(deps.settings.handoff_hours)
        self._sessions = Sessions(deps.storage, deps.recorder)
        self._user_data = user_data  # Application.user_data: a person's language for replies

    def handlers(self) -> list[Any]:
        group_chat = filters.Chat(chat_id=self._group)
        private_text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
        return [
            CallbackQueryHandler(self.on_request, pattern=r"^ho$"),
            CallbackQueryHandler(self.on_consent, pattern=r"^hc:"),
            CallbackQueryHandler(self.on_forget, pattern=r"^fg:y$"),
            CommandHandler(list(CLOSE), self.on_close, filters.ChatType.PRIVATE | group_chat),
            MessageHandler(private_text, self.on_user_text),
            MessageHandler(
                group_chat & filters.REPLY & filters.TEXT & ~filters.COMMAND, self.on_team_reply
            ),
        ]

    # -- the person's side --------------------------------------------------------------

    async def on_request(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """ho: explain what is shared and ask consent; outside hours, offer services."""
        query, message = update.callback_query, _query_message(update)
        if query is None or message is None or not is_private(message):
            return
        await query.answer()
        lang = (await self._sessions.get(update, user_data_of(context))).lang
        snapshot = self._deps.brain.snapshot
        ticket = await self._open_ticket_of(update)
        if ticket is not None:
            cards = render.plain_cards(snapshot, "handoff.already_open", lang, ticket=ticket.id)
        elif not self._hours.is_open(self._deps.clock()):
            cards = self._closed_hours(lang)
        else:
            keyboard = keyboards.yes_no(snapshot, lang, "hc")
            cards = render.plain_cards(snapshot, "handoff.explain", lang, keyboard,
                                       hours=self._hours_text(lang))  # fmt: skip
        await send(message, cards)
        raise ApplicationHandlerStop

    async def on_consent(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """hc:y opens a ticket (if still within hours); hc:n shares nothing."""
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        await query.answer()
        lang = (await self._sessions.get(update, user_data_of(context))).lang
        snapshot = self._deps.brain.snapshot
        if render.unpack(query.data)[-1] != "y":
            await edit(query, render.plain_cards(snapshot, "handoff.declined", lang)[0])
            raise ApplicationHandlerStop
        if not self._hours.is_open(self._deps.clock()):
            await edit(query, self._closed_hours(lang)[0])
            raise ApplicationHandlerStop
        if (ticket := await self._open_ticket_of(update)) is not None:
            await edit(query, self._cards("handoff.already_open", lang, ticket=ticket.id)[0])
            raise ApplicationHandlerStop
        key = self._deps.storage.user_key(user.id)
        number = await self._deps.storage.open_ticket(user.id, key)
        self._deps.recorder.record_event("handoff", lang=lang)
        logger.info("hand-off: ticket %d opened", number)
        await edit(query, render.plain_cards(snapshot, "handoff.opened", lang, ticket=number)[0])
        await self._post(context.bot, number, "handoff.group.opened", language=lang)
        raise ApplicationHandlerStop

    async def on_user_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """With an open ticket, relay the text (a crisis also gets the crisis reply now)."""
        message = update.effective_message
        ticket = await self._open_ticket_of(update)
        if message is None or message.text is None or ticket is None:
            return  # no ticket: the question handler answers as usual
        session = await self._sessions.get(update, user_data_of(context))
        snapshot = self._deps.brain.snapshot
        hit = snapshot.crisis.detect(message.text) if snapshot.crisis else None
        if hit is not None:
            reply = self._deps.brain.respond(message.text, session)
            await send(message, render.reply_cards(reply, snapshot))
            self._deps.recorder.record_event("crisis", topic=reply.topic, lang=reply.lang)
        note = snapshot.text("handoff.group.crisis", GROUP_LANG, topic=hit.topic) if hit else ""
        await self._relay(context.bot, ticket.id, message.text, note)
        await self._deps.storage.touch_ticket(ticket.id)
        raise ApplicationHandlerStop

    async def on_close(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/close: by the person in private, or by a moderator replying to a ticket message."""
        message = update.effective_message
        if message is None:
            return
        if is_private(message):
            ticket = await self._open_ticket_of(update)
            if ticket is None:
                return  # nothing to close: answered like any unknown command
            await self._close(
                context, ticket.id, "handoff.closed_user", "handoff.group.closed_user"
            )
        elif is_moderator(update, self._deps.settings):
            ticket = await self._replied_ticket(message)
            if ticket is None or not ticket.is_open:
                await send(message, self._group_cards("handoff.group.no_ticket"))
            else:
                await self._close(
                    context, ticket.id, "handoff.closed_team", "handoff.group.closed_team"
                )
                self._audit(update, "ticket.close", ticket.id)
        raise ApplicationHandlerStop

    async def on_forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """fg:y (erase me, handlers/privacy.py): first close an open ticket and tell the group.

        Does not stop the update: the erase itself follows in the privacy handler.
        """
        ticket = await self._open_ticket_of(update)
        if ticket is not None and await self._deps.storage.close_ticket(ticket.id) is not None:
            await self._post(context.bot, ticket.id, "handoff.group.closed_user")

    # -- the moderators' side -----------------------------------------------------------

    async def on_team_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reply to a ticket message in the group goes to the person, without any name."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        ticket = await self._replied_ticket(message)
        if ticket is None:
            pass  # moderators talking among themselves: not a question for the bot either
        elif not is_moderator(update, self._deps.settings):
            await send(message, self._group_cards("handoff.group.not_moderator"))
        elif not ticket.is_open or ticket.user_chat_id is None:
            await send(message, self._group_cards("handoff.group.not_open", ticket=ticket.id))
        elif await self._tell(context.bot, ticket, "handoff.from_team", text=message.text):
            await self._deps.storage.link_ticket_message(ticket.id, message.message_id)
            await self._deps.storage.touch_ticket(ticket.id)
            self._audit(update, "ticket.reply", ticket.id)
        else:
            await send(message, self._group_cards("handoff.group.undelivered", ticket=ticket.id))
        raise ApplicationHandlerStop

    async def expire(self, context: Context) -> None:
        """JobQueue: close tickets idle for HELPDESK_TICKET_IDLE_HOURS and tell both sides."""
        hours = self._deps.settings.ticket_idle_hours
        for ticket in await self._deps.storage.expire_tickets(timedelta(hours=hours)):
            logger.info("hand-off: ticket %d expired", ticket.id)
            await self._tell(context.bot, ticket, "handoff.expired", ticket=ticket.id, hours=hours)
            await self._post(context.bot, ticket.id, "handoff.group.expired", hours=hours)

    # -- plumbing -----------------------------------------------------------------------

    async def _close(self, context: Context, number: int, user_key: str, group_key: str) -> None:
        ticket = await self._deps.storage.close_ticket(number)
        if ticket is not None:
            logger.info("hand-off: ticket %d closed", number)
            await self._tell(context.bot, ticket, user_key, ticket=number)
            await self._post(context.bot, number, group_key)

    async def _open_ticket_of(self, update: Update) -> Ticket | None:
        """The sender's open ticket; a storage failure means "none" (the bot answers)."""
        user = update.effective_user
        if user is None:
            return None
        try:
            return await self._deps.storage.ticket_for_user(self._deps.storage.user_key(user.id))
        except EXPECTED_FAILURES as error:
            logger.warning("could not look up a ticket (%s)", type(error).__name__)
            return None

    async def _replied_ticket(self, message: Message) -> Ticket | None:
        replied = message.reply_to_message
        if replied is None or message.chat.id != self._group:
            return None
        return await self._deps.storage.ticket_for_group_message(replied.message_id)

    async def _relay(self, bot: Bot, number: int, text: str, note: str = "") -> None:
        """The person's words to the group: a heading, the text, every part linked to the ticket."""
        heading = self._deps.brain.snapshot.text("handoff.group.heading", GROUP_LANG, ticket=number)
        notes = [render.italic(note)] if note else []
        for card in render.cards([render.bold(heading), *notes, *render.paragraphs(text)]):
            sent = await bot.send_message(self._group, card.text, parse_mode=ParseMode.HTML)
            await self._deps.storage.link_ticket_message(number, sent.message_id)

    async def _post(self, bot: Bot, number: int, key: str, **values: object) -> None:
        """A notice about ticket `number` in the group, linked so moderators can reply to it."""
        for card in self._group_cards(key, ticket=number, **values):
            sent = await bot.send_message(self._group, card.text, parse_mode=ParseMode.HTML)
            await self._deps.storage.link_ticket_message(number, sent.message_id)

    async def _tell(self, bot: Bot, about: Ticket, key: str, **values: object) -> bool:
        """A message to the person of ticket `about`, in their language; False if not delivered."""
        chat = about.user_chat_id
        if chat is None:
            return False
        user_data = self._user_data.get(chat)
        lang = self._sessions.current(user_data if isinstance(user_data, dict) else {}).lang
        try:
            for card in self._cards(key, lang, **values):
                await bot.send_message(chat, card.text, parse_mode=ParseMode.HTML)
        except TelegramError as error:
            logger.warning("hand-off: ticket %d not delivered (%s)", about.id, type(error).__name__)
            return False
        return True

    def _group_cards(self, key: str, **values: object) -> list[render.Card]:
        return self._cards(key, GROUP_LANG, **values)

    def _cards(self, key: str, lang: str, **values: object) -> list[render.Card]:
        text = self._deps.brain.snapshot.text(key, lang, **values)
        return render.cards(render.paragraphs(text))

    def _closed_hours(self, lang: str) -> list[render.Card]:
        return render.plain_cards(self._deps.brain.snapshot, "handoff.closed_hours", lang,
                                  services=LISTENERS, hours=self._hours_text(lang))  # fmt: skip

    def _hours_text(self, lang: str) -> str:
        snapshot = self._deps.brain.snapshot
        names = [snapshot.text(f"day.{day}", lang) for day in DAY_NAMES]
        return self._hours.describe(names) or snapshot.text("handoff.always", lang)

    def _audit(self, update: Update, action: str, number: int) -> None:
        if update.effective_user is not None:
            key = self._deps.storage.user_key(update.effective_user.id)
            self._deps.recorder.audit(key, action, f"ticket=#{number}")


def _query_message(update: Update) -> Message | None:
    message = update.callback_query.message if update.callback_query else None
    return message if isinstance(message, Message) else None


class Unstaffed:
    """`ho` without a moderators' group (an old button): services where a person listens."""

    def __init__(self, brain: Brain, sessions: Sessions) -> None:
        self._brain, self._sessions = brain, sessions

    async def on_request(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, message = update.callback_query, _query_message(update)
        if query is None:
            return
        await query.answer()
        if message is not None:
            lang = (await self._sessions.get(update, user_data_of(context))).lang
            snapshot = self._brain.snapshot
            keyboard = keyboards.topics_button(snapshot, lang)
            await send(message, render.plain_cards(snapshot, "handoff.unstaffed", lang, keyboard,
                                                   services=LISTENERS))  # fmt: skip
        raise ApplicationHandlerStop


def register(app: Application[Any, Any, Any, Any, Any, Any], deps: ModerationDeps) -> None:
    """Add the hand-off handlers (group GROUP); without HELPDESK_MODERATOR_CHAT only a
    fallback for the button, which is then hidden anyway."""
    if deps.settings.moderator_chat is None:
        fallback = Unstaffed(deps.brain, Sessions(deps.storage, deps.recorder))
        app.add_handler(CallbackQueryHandler(fallback.on_request, pattern=r"^ho$"), GROUP)
        return
    for handler in Tickets(deps, app.user_data).handlers():
        app.add_handler(handler, group=GROUP)
