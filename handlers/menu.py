"""The command menu, descriptions and command names per language (set once in post_init).

Every command has a canonical name and, per language, the name shown in that language's
menu; handlers/app.py registers all of them. A rejected call is logged once and start-up
goes on: a bot without a menu still answers.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.config import Settings
from bot.model import LANGS, Snapshot
from handlers.moderation import menu_commands

logger = logging.getLogger(__name__)

# canonical → (nl, fr, en) menu name; all names are registered as commands.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "start": ("start", "start", "start"),
    "topics": ("themas", "themes", "topics"),
    "search": ("zoek", "chercher", "search"),
    "local": ("hulpinbuurt", "aide", "local"),
    "language": ("taal", "langue", "language"),
    "privacy": ("privacy", "privacy", "privacy"),
    "mydata": ("mijngegevens", "mesdonnees", "mydata"),
    "forget": ("vergeet", "oublier", "forget"),
    "about": ("about", "about", "about"),
    "help": ("help", "help", "help"),
}
DEFAULT_LANG = "nl"


def names(canonical: str) -> list[str]:
    """Every name of a command, canonical first, without repeats."""
    return list(dict.fromkeys((canonical, *COMMANDS[canonical])))


def commands(snapshot: Snapshot, lang: str, moderator: bool = False) -> list[BotCommand]:
    index = LANGS.index(lang)
    items = [BotCommand(COMMANDS[c][index], snapshot.text(f"command.{c}", lang)) for c in COMMANDS]
    if moderator:
        items += menu_commands(snapshot, lang)
    return items


async def set_up(bot: Bot, snapshot: Snapshot, settings: Settings) -> int:
    """Menus per language and scope, descriptions per language; returns the calls rejected."""
    calls: list[Callable[[], Awaitable[object]]] = []
    for code in (None, *LANGS):  # None: Telegram apps in any other language
        lang = code or DEFAULT_LANG
        private = BotCommandScopeAllPrivateChats()
        calls.append(partial(bot.set_my_commands, commands(snapshot, lang), private, code))
        for moderator in sorted(settings.moderators):
            wider = commands(snapshot, lang, moderator=True)
            calls.append(partial(bot.set_my_commands, wider, BotCommandScopeChat(moderator), code))
        about, short = (
            snapshot.text(k, lang) for k in ("bot.description", "bot.short_description")
        )
        calls.append(partial(bot.set_my_description, about, code))
        calls.append(partial(bot.set_my_short_description, short, code))
    return await _run_all(calls)


async def _run_all(calls: list[Callable[[], Awaitable[object]]]) -> int:
    failed: list[str] = []
    for call in calls:
        try:
            await call()
        except TelegramError as error:
            failed.append(f"{type(error).__name__}: {error.message}")
    if failed:
        logger.warning(
            "bot menu set-up: %d of %d calls rejected (first: %s); continuing without them",
            len(failed), len(calls), failed[0],
        )  # fmt: skip
    return len(failed)
