"""Settings from the environment (and an optional `.env` file). Secrets never get a repr."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ConfigError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot reads from its environment; see `.env.example`."""

    telegram_token: str = field(default="", repr=False)
    telegram_base_url: str = ""
    db_path: str = "./data/helpdesk.sqlite3"
    knowledge_dir: str = "./knowledge"
    moderators: frozenset[int] = frozenset()
    moderator_chat: int | None = None
    secret: bytes = field(default=b"", repr=False)
    log_level: str = "INFO"
    retention_days: int = 90
    handoff_hours: str = ""
    ticket_idle_hours: int = 48
    flood_per_minute: int = 20
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str = field(default="", repr=False)
    drop_pending_updates: bool = False

    @property
    def handoff_enabled(self) -> bool:
        return self.moderator_chat is not None


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines; comments and blank lines are skipped, quotes stripped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def from_env(env: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
    """Build Settings; the process environment wins over `.env`. Raises ConfigError."""
    merged = read_dotenv(dotenv) if dotenv else {}
    merged.update(os.environ if env is None else env)
    problems: list[str] = []
    reader = _Reader(merged, problems)
    settings = Settings(
        telegram_token=reader.text("TELEGRAM_BOT_TOKEN"),
        telegram_base_url=reader.text("TELEGRAM_BASE_URL"),
        db_path=reader.text("HELPDESK_DB", "./data/helpdesk.sqlite3"),
        knowledge_dir=reader.text("HELPDESK_KNOWLEDGE", "./knowledge"),
        moderators=frozenset(reader.int_list("HELPDESK_MODERATORS")),
        moderator_chat=reader.optional_int("HELPDESK_MODERATOR_CHAT"),
        secret=reader.text("HELPDESK_SECRET").encode(),
        log_level=reader.choice("HELPDESK_LOG_LEVEL", LOG_LEVELS, "INFO"),
        retention_days=reader.int("HELPDESK_RETENTION_DAYS", 90, minimum=1),
        handoff_hours=reader.text("HELPDESK_HANDOFF_HOURS"),
        ticket_idle_hours=reader.int("HELPDESK_TICKET_IDLE_HOURS", 48, minimum=1),
        flood_per_minute=reader.int("HELPDESK_FLOOD_PER_MINUTE", 20, minimum=1),
        webhook_url=reader.text("HELPDESK_WEBHOOK_URL"),
        webhook_listen=reader.text("HELPDESK_WEBHOOK_LISTEN", "127.0.0.1"),
        webhook_port=reader.int("HELPDESK_WEBHOOK_PORT", 8443, minimum=1),
        webhook_secret=reader.text("HELPDESK_WEBHOOK_SECRET"),
        drop_pending_updates=reader.flag("HELPDESK_DROP_PENDING_UPDATES"),
    )
    if settings.webhook_url and not settings.webhook_secret:
        problems.append("HELPDESK_WEBHOOK_SECRET: required when HELPDESK_WEBHOOK_URL is set")
    if problems:
        raise ConfigError(problems)
    return settings


class _Reader:
    """Typed reads that collect one clear line per invalid value instead of stopping."""

    def __init__(self, env: Mapping[str, str], problems: list[str]) -> None:
        self._env = env
        self._problems = problems

    def text(self, name: str, default: str = "") -> str:
        return self._env.get(name, "").strip() or default

    def int(self, name: str, default: int, minimum: int = 0) -> int:
        raw = self.text(name)
        if not raw:
            return default
        if not raw.isdigit() or int(raw) < minimum:
            self._problems.append(f"{name}: expected a whole number >= {minimum}, got {raw!r}")
            return default
        return int(raw)

    def optional_int(self, name: str) -> int | None:
        raw = self.text(name)
        if not raw:
            return None
        if not raw.lstrip("-").isdigit():
            self._problems.append(f"{name}: expected a numeric chat id, got {raw!r}")
            return None
        return int(raw)

    def int_list(self, name: str) -> list[int]:
        items = [part.strip() for part in self.text(name).split(",") if part.strip()]
        bad = [item for item in items if not item.isdigit()]
        if bad:
            self._problems.append(
                f"{name}: expected comma-separated numeric user ids (usernames never count), "
                f"got {', '.join(repr(b) for b in bad)}"
            )
        return [int(item) for item in items if item.isdigit()]

    def choice(self, name: str, options: tuple[str, ...], default: str) -> str:
        raw = self.text(name, default).upper()
        if raw not in options:
            self._problems.append(f"{name}: expected one of {', '.join(options)}, got {raw!r}")
            return default
        return raw

    def flag(self, name: str) -> bool:
        raw = self.text(name, "false").lower()
        if raw not in ("1", "0", "true", "false", "yes", "no"):
            self._problems.append(f"{name}: expected true or false, got {raw!r}")
        return raw in ("1", "true", "yes")
