"""Moderators' commands (`COMMANDS`), the /gaps buttons, and knowledge files sent to the bot.

A moderator is a numeric user id in HELPDESK_MODERATORS (`is_moderator`); usernames never
count. Anyone else gets what an unknown command gets: the handler passes the update on without
a word. Handlers run in group `GROUP`, before the user-facing ones, and stop the update once
they handled it. Every action is audited: a keyed hash, the action, ids and counts, no user text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import BotCommand, InputFile, Message, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import charts
from bot import moderation as mod
from bot.config import Settings
from bot.dialogue import Brain, Session
from bot.gaps import GapDesk, GapGroup, dismiss_report, learn_report
from bot.handoff_hours import BRUSSELS
from bot.kb_upload import export_zip, upload_problem
from bot.model import Snapshot
from bot.recorder import Recorder
from bot.storage import Storage, utc_now
from handlers import keyboards, render
from handlers.send import send
from handlers.session import Sessions, user_data_of

logger = logging.getLogger(__name__)

GROUP = -3  # before the flood guard (-1) and every user-facing handler (0)
COMMANDS = ("stats", "gaps", "learn", "preview", "reload", "export", "versions", "rollback",
            "stale", "audit")  # fmt: skip
DEFAULT_DAYS, MAX_DAYS = 30, 366
GROUPS_SHOWN, LABEL_MAX = 10, 40


@dataclass(frozen=True, slots=True)
class ModerationDeps:
    """What moderation and hand-off need; built once in handlers/app.py."""

    settings: Settings
    brain: Brain
    storage: Storage
    recorder: Recorder
    knowledge_dir: Path
    clock: Callable[[], datetime] = field(default=utc_now)


@dataclass(frozen=True, slots=True)
class Call:
    """One accepted moderator command: where to answer, in which language, who asked."""

    message: Message
    context: ContextTypes.DEFAULT_TYPE
    lang: str
    key: str

    @property
    def args(self) -> list[str]:
        return list(self.context.args or [])


Action = Callable[[Call], Awaitable[str]]  # returns the audit detail
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
Report = Callable[[Storage, Snapshot, str], Awaitable[tuple[str, int]]]


def is_moderator(update: Update, settings: Settings) -> bool:
    """The one check: the sender's numeric id is in HELPDESK_MODERATORS."""
    user = update.effective_user
    return user is not None and user.id in settings.moderators


def menu_commands(snapshot: Snapshot, lang: str) -> list[BotCommand]:
    """The moderators' extra menu entries (for handlers/menu.py)."""
    return [BotCommand(name, snapshot.text(f"mod.command.{name}", lang)) for name in COMMANDS]


class Moderation:
    def __init__(self, deps: ModerationDeps) -> None:
        self._deps = deps
        self._keeper = mod.KnowledgeKeeper(deps.knowledge_dir, deps.brain, deps.storage)
        self._desk = GapDesk(deps.brain, deps.storage)
        self._sessions = Sessions(deps.storage, deps.recorder)
        self._versions = self._report(mod.versions_report)
        self._audit = self._report(mod.audit_report)

    def handlers(self) -> list[Any]:
        """A CommandHandler per name in COMMANDS (method `_<name>`), uploads, gap buttons."""
        found: list[Any] = [
            CommandHandler(n, self._guard(n, getattr(self, f"_{n}"))) for n in COMMANDS
        ]
        document = filters.Document.ALL & filters.ChatType.PRIVATE
        found.append(MessageHandler(document, self._guard("kb.upload", self._upload)))
        found.append(CallbackQueryHandler(self.on_gap_button, pattern=r"^mg:"))
        return found

    # -- the guard ----------------------------------------------------------------------

    def _guard(self, name: str, action: Action) -> Callback:
        async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            message = update.effective_message
            if message is None or update.effective_user is None or not self._allowed(update):
                logger.debug("moderator command not for this sender; passed on")
                return  # the ordinary handlers answer it like any unknown command
            lang = self._lang(update, context)
            key = self._deps.storage.user_key(update.effective_user.id)
            detail = await action(Call(message, context, lang, key))
            self._deps.recorder.audit(key, name, detail)
            raise ApplicationHandlerStop

        return callback

    def _allowed(self, update: Update) -> bool:
        """A moderator, in a private chat or the moderators' group (never another group)."""
        chat, group = update.effective_chat, self._deps.settings.moderator_chat
        where = chat is not None and (chat.type == "private" or chat.id == group)
        return where and is_moderator(update, self._deps.settings)

    def _lang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        return self._sessions.current(user_data_of(context), update.effective_user).lang

    async def _say(self, call: Call, key: str, **values: object) -> None:
        await self._show(call, self._text(key, call.lang, **values))

    async def _show(self, call: Call, text: str) -> None:
        await send(call.message, render.cards(render.paragraphs(text)))

    def _text(self, key: str, lang: str, **values: object) -> str:
        return self._deps.brain.snapshot.text(key, lang, **values)

    # -- reports ------------------------------------------------------------------------

    async def _stats(self, call: Call) -> str:
        days = _number(call.args, DEFAULT_DAYS, 1, MAX_DAYS)
        now = self._deps.clock()
        stats = await self._deps.storage.stats(now - timedelta(days=days))
        snapshot = self._deps.brain.snapshot
        await self._show(call, mod.stats_text(stats, days, snapshot, call.lang))
        if charts.available():
            words = (self._text(f"mod.chart.{k}", call.lang) for k in charts.LABEL_KEYS)
            today = now.astimezone(BRUSSELS).date()
            png = await asyncio.to_thread(
                charts.stats_png, stats, today, charts.ChartLabels(*words)
            )
            caption = self._text("mod.chart.caption", call.lang, days=days)
            await _document(call, png, "stats.png", caption)
        return f"days={days}"

    async def _preview(self, call: Call) -> str:
        text = (call.message.text or "").partition(" ")[2].strip()
        if not text:
            await self._say(call, "mod.preview.usage")
            return "usage"
        brain = self._deps.brain
        reply = brain.respond(text, Session(lang=call.lang))
        await self._show(call, mod.preview_text(text, brain, reply, call.lang))
        frame = render.Frame(call.context.bot.username or "", handoff=False, feedback=False)
        keyboard = keyboards.for_reply(reply, brain.snapshot, frame)
        await send(call.message, render.reply_cards(reply, brain.snapshot, keyboard))
        return f"kind={reply.kind} entry={reply.entry or '-'}"

    async def _stale(self, call: Call) -> str:
        snapshot = self._deps.brain.snapshot
        found = mod.stale(snapshot, self._deps.clock().astimezone(BRUSSELS).date())
        await self._show(call, mod.stale_text(found, snapshot, call.lang, "mod.stale.head"))
        return f"entries={len(found.entries)} services={len(found.services)}"

    def _report(self, build: Report) -> Action:
        async def action(call: Call) -> str:
            text, count = await build(self._deps.storage, self._deps.brain.snapshot, call.lang)
            await self._show(call, text)
            return f"shown={count}"

        return action

    # -- gaps ---------------------------------------------------------------------------

    async def _gaps(self, call: Call) -> str:
        groups = await self._desk.groups(GROUPS_SHOWN)
        if not groups:
            await self._say(call, "mod.gaps.none")
            return "groups=0"
        await self._say(call, "mod.gaps.head", groups=len(groups))
        for group in groups:
            await send(call.message, self._group_cards(group, call.lang))
        return f"groups={len(groups)}"

    def _group_cards(self, group: GapGroup, lang: str) -> list[render.Card]:
        snapshot, lead = self._deps.brain.snapshot, group.lead
        head = self._text("mod.gaps.group", lang, id=lead.id, count=group.count,
                          language=lead.lang or "?", date=f"{lead.at:%Y-%m-%d}")  # fmt: skip
        titles = [
            (m.entry_id, _short(render.title(snapshot, m.entry_id, lang)))
            for m in group.suggestions
        ]
        rows = [[render.button(f"➕ {title}", "mg", "a", lead.id, e)] for e, title in titles]
        rows.append([render.button(self._text("mod.gaps.dismiss", lang), "mg", "d", lead.id)])
        blocks = [render.bold(head), *render.paragraphs(lead.text)]
        if not group.suggestions:
            blocks.append(render.italic(self._text("mod.gaps.no_match", lang, id=lead.id)))
        return render.cards(blocks, render.markup(rows))

    async def on_gap_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """mg:a:<gap>:<entry> adds the group as a phrasing; mg:d:<gap> dismisses it."""
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        await query.answer()
        if not self._allowed(update):
            raise ApplicationHandlerStop
        parts, lang = render.unpack(query.data), self._lang(update, context)
        key = self._deps.storage.user_key(user.id)
        text, detail = await self._gap_choice(parts, key, lang)
        await query.edit_message_reply_markup(None)
        if isinstance(query.message, Message):
            await send(query.message, render.cards(render.paragraphs(text)))
        self._deps.recorder.audit(key, f"gaps.{'learn' if parts[1] == 'a' else 'dismiss'}", detail)
        raise ApplicationHandlerStop

    async def _gap_choice(self, parts: list[str], key: str, lang: str) -> tuple[str, str]:
        gap = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
        if parts[1] == "a" and len(parts) == 4:
            return await self._learn_gap(gap, parts[3], key, lang)
        handled = await self._desk.dismiss(gap) if parts[1] == "d" else None
        return dismiss_report(handled, self._deps.brain.snapshot, lang, gap)

    async def _learn_gap(self, gap: int, entry: str, key: str, lang: str) -> tuple[str, str]:
        learnt = await self._desk.learn(gap, entry, key)
        return learn_report(learnt, self._deps.brain.snapshot, lang, gap, entry)

    async def _learn(self, call: Call) -> str:
        """/learn <gap> <entry>: for when the right answer is not among the suggestions."""
        args = call.args
        if len(args) != 2 or not args[0].isdigit():
            await self._say(call, "mod.learn.usage")
            return "usage"
        text, detail = await self._learn_gap(int(args[0]), args[1], call.key, call.lang)
        await self._show(call, text)
        return detail

    # -- the knowledge base -------------------------------------------------------------

    async def _reload(self, call: Call) -> str:
        return await self._changed(call, await self._keeper.reload(), "mod.reload.ok")

    async def _export(self, call: Call) -> str:
        data = await asyncio.to_thread(export_zip, self._deps.knowledge_dir)
        version = self._deps.brain.snapshot.version
        caption = self._text("mod.export.caption", call.lang, version=version)
        await _document(call, data, f"knowledge-{version}.zip", caption)
        return f"version={version} bytes={len(data)}"

    async def _upload(self, call: Call) -> str:
        document = call.message.document
        if document is None:
            return "none"
        name = document.file_name or "upload.yaml"
        problem = upload_problem(name, document.file_size or 0)
        if problem:  # refused before downloading anything
            return await self._changed(call, mod.Outcome(problems=(problem,)), "")
        content = bytes(await (await document.get_file()).download_as_bytearray())
        outcome = await self._keeper.upload(name, content, call.key)
        return await self._changed(call, outcome, "mod.upload.ok")

    async def _rollback(self, call: Call) -> str:
        if len(call.args) != 1 or not call.args[0].isdigit():
            await self._say(call, "mod.rollback.usage")
            return "usage"
        target = int(call.args[0])
        outcome = await self._keeper.rollback(target, call.key)
        if outcome is None:
            await self._say(call, "mod.rollback.unknown", number=target)
            return f"target={target} unknown"
        return f"target={target} " + await self._changed(call, outcome, "mod.rollback.ok", target)

    async def _changed(self, call: Call, outcome: mod.Outcome, ok_key: str, target: int = 0) -> str:
        snapshot = self._deps.brain.snapshot
        await self._show(
            call, mod.outcome_text(outcome, snapshot, call.lang, ok_key, target=target)
        )
        if outcome.unchanged:
            return "unchanged"
        if not outcome.ok:
            return f"failed errors={len(outcome.problems)}"
        return f"version={outcome.version or '-'} {outcome.summary}"


async def _document(call: Call, data: bytes, name: str, caption: str) -> None:
    await call.message.reply_document(
        InputFile(data, filename=name),
        caption=render.esc(caption),
        parse_mode="HTML",
        do_quote=False,
    )


def _number(args: list[str], default: int, low: int, high: int) -> int:
    value = int(args[0]) if args and args[0].isdigit() else default
    return min(max(value, low), high)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def register(app: Application[Any, Any, Any, Any, Any, Any], deps: ModerationDeps) -> None:
    """Add the moderators' handlers (group GROUP). Without moderators there is nothing to add."""
    if not deps.settings.moderators:
        return
    for handler in Moderation(deps).handlers():
        app.add_handler(handler, group=GROUP)
