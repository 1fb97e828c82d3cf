"""The Telegram composition root: build the Application, register every handler, run it.

`build_application` wires the core (Brain), storage and recorder into thin handlers and
registers them in one ordered block. `run_bot` is what `helpdesk run` calls: it loads the
knowledge, opens storage, then polls (default) or serves a webhook.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import sys
from pathlib import Path
from typing import Any, TypeAlias
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.config import Settings
from bot.dialogue import Brain
from bot.flood import FloodLimiter
from bot.knowledge import load_snapshot
from bot.recorder import Recorder
from bot.storage import Storage
from handlers import handoff, jobs, menu, moderation
from handlers.browse import Browse
from handlers.commands import Commands
from handlers.errors import Errors
from handlers.feedback import Feedback
from handlers.guards import Addressed, Flood, Others, on_stale_button, other_messages
from handlers.inline import Inline
from handlers.local import Local
from handlers.moderation import ModerationDeps
from handlers.popular import Popular
from handlers.privacy import Privacy
from handlers.questions import Answers
from handlers.retry import RETRY, RetryingRequest, RetryPolicy
from handlers.session import Sessions

logger = logging.getLogger(__name__)

App: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
EXIT_USAGE = 2
RATE_RETRIES = 2  # a 429 from Telegram is waited out and retried this often


def build_application(
    settings: Settings,
    brain: Brain,
    storage: Storage,
    recorder: Recorder,
    request: BaseRequest | None = None,
    knowledge_dir: str | None = None,
    rate_limiter: BaseRateLimiter[Any] | None = None,
    retry: RetryPolicy = RETRY,
) -> App:
    """The Application with every handler; `request` (tests) replaces the network.

    `rate_limiter` replaces Telegram's ~30 messages a second (load tests and benchmarks).
    `retry`: how Bot API calls are retried on 5xx and network failures (handlers/retry.py).
    """
    limiter = rate_limiter or AIORateLimiter(max_retries=RATE_RETRIES)
    builder = Application.builder().token(settings.telegram_token).rate_limiter(limiter)
    if settings.telegram_base_url:
        api, files = api_urls(settings.telegram_base_url)
        builder = builder.base_url(api).base_file_url(files)
    if request is not None:
        builder = builder.request(request).updater(None)
    else:  # every call but the long poll, which has its own request object
        builder = builder.request(RetryingRequest(retry))

    async def post_init(app: App) -> None:
        await recorder.start()
        await menu.set_up(app.bot, brain.snapshot, settings)

    async def post_shutdown(app: App) -> None:
        await recorder.stop()

    app: App = builder.post_init(post_init).post_shutdown(post_shutdown).build()
    folder = Path(knowledge_dir or settings.knowledge_dir)
    register(app, settings, brain, storage, recorder, folder)
    return app


def register(
    app: App,
    settings: Settings,
    brain: Brain,
    storage: Storage,
    recorder: Recorder,
    knowledge_dir: Path,
) -> None:
    """Every handler, in routing order: guards, commands, buttons, inline, text, the rest."""
    sessions, popular = Sessions(storage, recorder), Popular()
    local, feedback = Local(brain, sessions), Feedback(brain, storage, recorder, sessions)
    answers = Answers(brain, sessions, recorder, settings, (feedback, local, popular))
    commands, browse = Commands(brain, sessions, answers), Browse(brain, sessions)
    privacy = Privacy(brain, storage, recorder, sessions)
    flood = Flood(brain, sessions, FloodLimiter(settings.flood_per_minute))
    add = app.add_handler

    # Group -10: the flood limit sees every update first and may stop it (ApplicationHandlerStop).
    add(TypeHandler(Update, flood.on_update), group=-10)

    # Groups -3 and -2: moderators' commands and the hand-off relay run before the question
    # handlers and stop an update they handled; a crisis message is still answered as a crisis.
    deps = ModerationDeps(settings, brain, storage, recorder, knowledge_dir)
    for module in (moderation, handoff, jobs):
        module.register(app, deps)

    # Commands, with their Dutch and French names.
    add(CommandHandler("start", commands.on_start))
    add(CommandHandler(menu.names("help"), commands.on_help))
    add(CommandHandler(menu.names("about"), commands.on_about))
    add(CommandHandler(menu.names("privacy"), commands.on_privacy))
    add(CommandHandler(menu.names("language"), commands.on_language))
    add(CommandHandler(menu.names("topics"), browse.on_topics))
    add(CommandHandler(menu.names("search"), browse.on_search))
    add(CommandHandler(menu.names("local"), local.on_command))
    add(CommandHandler(menu.names("forget"), privacy.on_forget))
    add(CommandHandler(menu.names("mydata"), privacy.on_mydata))

    # Buttons; callback_data is built only in handlers/render.py (see handlers/keyboards.py).
    add(CallbackQueryHandler(answers.on_entry, pattern=r"^e:"))
    add(CallbackQueryHandler(commands.on_audience, pattern=r"^a:"))
    add(CallbackQueryHandler(commands.on_language_choice, pattern=r"^l:"))
    add(CallbackQueryHandler(feedback.on_vote, pattern=r"^f:[+-]:"))
    add(CallbackQueryHandler(feedback.on_consent, pattern=r"^g:"))
    add(CallbackQueryHandler(browse.on_page, pattern=r"^tp:"))
    add(CallbackQueryHandler(browse.on_topic, pattern=r"^t:"))
    add(CallbackQueryHandler(privacy.on_forget_choice, pattern=r"^fg:"))
    add(CallbackQueryHandler(local.on_pick, pattern=r"^pl:"))
    add(CallbackQueryHandler(local.on_remember, pattern=r"^rm:"))
    add(CallbackQueryHandler(local.on_again, pattern=r"^lo$"))
    add(CallbackQueryHandler(on_stale_button))

    # Inline mode, free text (groups: only when addressed), then everything else.
    add(InlineQueryHandler(Inline(brain, sessions, popular).on_query))
    text = filters.TEXT & ~filters.COMMAND & (filters.ChatType.PRIVATE | Addressed())
    add(MessageHandler(text, answers.on_text))
    add(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, commands.on_help))
    add(MessageHandler(filters.LOCATION, local.on_location))
    add(MessageHandler(other_messages(settings.moderators), Others(brain, sessions).on_other))
    app.add_error_handler(Errors(brain, sessions).on_error)


def api_urls(base: str) -> tuple[str, str]:
    """PTB wants ".../bot" and ".../file/bot" (it appends the token) for a self-hosted server."""
    root = base.rstrip("/").removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


def run_bot(settings: Settings, knowledge_dir: str) -> int:
    """Load, open, run until stopped; returns the process exit code."""
    problem = _startup_problem(settings)
    if problem:
        sys.stderr.write(problem + "\n")
        return EXIT_USAGE
    snapshot = load_snapshot(knowledge_dir)  # KnowledgeError → bot.cli prints every problem
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    storage = loop.run_until_complete(Storage.open(settings.db_path, settings.secret))
    try:
        learned = loop.run_until_complete(storage.list_learned())
        brain = Brain(snapshot, [(item.entry, item.lang, item.text) for item in learned])
        app = build_application(
            settings, brain, storage, Recorder(storage), knowledge_dir=knowledge_dir
        )
        logger.info("starting: knowledge %s, %d entries", snapshot.version, len(snapshot.entries))
        _run(app, settings)
    finally:
        loop.run_until_complete(storage.close())
        loop.close()
        asyncio.set_event_loop(None)
    return 0


def _run(app: App, settings: Settings) -> None:
    common: dict[str, Any] = {
        "allowed_updates": ALLOWED_UPDATES,
        "drop_pending_updates": settings.drop_pending_updates,
        "close_loop": False,
    }
    if not settings.webhook_url:
        app.run_polling(**common)
        return
    app.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret,
        **common,
    )


def _startup_problem(settings: Settings) -> str:
    if not settings.secret:
        return (
            "HELPDESK_SECRET is not set. The bot stores people only as keyed hashes and needs a\n"
            "long random secret that stays the same between runs, for example:\n"
            '  export HELPDESK_SECRET="$(python -c "import secrets; print(secrets.token_urlsafe(32))")"\n'
            "then start again with `helpdesk run`."
        )
    if settings.webhook_url and importlib.util.find_spec("tornado") is None:
        return (
            "HELPDESK_WEBHOOK_URL is set, but webhook mode needs python-telegram-bot's webhooks\n"
            "extra: pip install 'python-telegram-bot[webhooks]' (or leave it empty to poll)."
        )
    return ""
