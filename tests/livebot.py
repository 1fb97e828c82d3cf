"""The real Application polling a loopback Bot API, started and stopped as `helpdesk run` does.

For load runs and the end-to-end benchmark; the e2e `live` fixture does the same for one test.
Telegram's ~30 messages a second are not simulated (the rate limiter keeps its 429 retries
only): at that cap, 10,000 updates would take minutes and measure the cap, not the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from telegram.ext import AIORateLimiter

from bot.config import Settings
from bot.dialogue import Brain
from bot.recorder import Recorder
from bot.storage import Storage
from handlers.app import ALLOWED_UPDATES, RATE_RETRIES, App, build_application
from tests.fakes import TOKEN

SECRET = b"load-secret"


def settings_for(base_url: str, flood_per_minute: int) -> Settings:
    return Settings(
        telegram_token=TOKEN,
        telegram_base_url=base_url,
        secret=SECRET,
        flood_per_minute=flood_per_minute,
    )


@dataclass
class LiveBot:
    app: App
    storage: Storage
    recorder: Recorder

    async def stop(self) -> None:
        """Stop polling (PTB confirms what it fetched), answer what is queued, close storage."""
        assert self.app.updater is not None
        try:
            if self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()
            await self.app.post_shutdown(self.app)  # type: ignore[misc]
        finally:
            await self.storage.close()


async def start_bot(settings: Settings, brain: Brain, db_path: Path) -> LiveBot:
    """Open storage, build the Application as `helpdesk run` does, and start long polling."""
    storage = await Storage.open(db_path, settings.secret)
    recorder = Recorder(storage)
    limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=RATE_RETRIES)
    app = build_application(settings, brain, storage, recorder, rate_limiter=limiter)
    bot = LiveBot(app, storage, recorder)
    try:
        await app.initialize()
        await app.post_init(app)  # type: ignore[misc]
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES
        )
        await app.start()
    except BaseException:
        await bot.stop()
        raise
    return bot
