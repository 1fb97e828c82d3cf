"""`helpdesk doctor`: is this installation ready to run? One line per check, never the token.

    ok|FAIL|skip <check>: <detail>

config     what `from_env` accepts but `helpdesk run` would refuse (secret, token shape, URLs);
           invalid values never get this far: `helpdesk` prints one line each and exits 2
knowledge  `validate`: counts of errors and warnings, the first error; says when read-only
retention  the days the privacy answers promise equal HELPDESK_RETENTION_DAYS
database   open and migrate, integrity_check, a write in a transaction that is rolled back
telegram   getMe against the Bot API (skipped with --offline or without a token)

Exit 0 when every check is ok or skipped, 1 otherwise. `--offline` needs no network and is the
container's HEALTHCHECK.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.config import Settings
from bot.knowledge import inspect
from bot.model import Snapshot
from bot.text import fold

# asyncio, aiosqlite, storage and httpx are imported inside the checks that need them: the CLI
# imports this module for every command, and `helpdesk ask` should not pay for them.

EXIT_OK, EXIT_FAIL = 0, 1
DEFAULT_API = "https://api.telegram.org"
TOKEN_SHAPE = re.compile(r"^\d{6,}:[A-Za-z0-9_-]{20,}$")
_DAYS = re.compile(r"\b(\d+) (?:dagen|jours|days)\b")
# The write probe: constant SQL, no input, always rolled back (the bot's own SQL stays in storage).
_PROBE = (
    "BEGIN IMMEDIATE",
    "CREATE TABLE doctor_probe (x INTEGER)",
    "INSERT INTO doctor_probe VALUES (1)",
)


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one check: status ok, FAIL or skip."""

    status: str
    name: str
    detail: str

    def __str__(self) -> str:
        return f"{self.status} {self.name}: {self.detail}"


def add_commands(sub: Any) -> None:
    """Register `helpdesk doctor` on the CLI's subparsers."""
    doctor = sub.add_parser("doctor", help="check configuration, knowledge, database, Telegram")
    doctor.add_argument(
        "--offline", action="store_true", help="no Bot API call (the container HEALTHCHECK)"
    )
    doctor.add_argument("--timeout", type=float, default=5.0, help="Bot API timeout in seconds")
    doctor.set_defaults(handler=_doctor)


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    folder = getattr(args, "knowledge", None) or settings.knowledge_dir
    checks = diagnose(settings, folder, offline=args.offline, timeout=args.timeout)
    for check in checks:
        sys.stdout.write(f"{check}\n")
    return exit_code(checks)


def exit_code(checks: list[Check]) -> int:
    return EXIT_FAIL if any(c.status == "FAIL" for c in checks) else EXIT_OK


def diagnose(
    settings: Settings, knowledge: str | Path, *, offline: bool = False, timeout: float = 5.0
) -> list[Check]:
    """Every check, in order; never raises for a problem it can name."""
    checks = check_config(settings)
    snapshot, knowledge_check = _knowledge(knowledge)
    checks.append(knowledge_check)
    checks.append(check_retention(settings, snapshot))
    checks.append(check_database(settings.db_path, settings.secret))
    checks.append(check_telegram(settings, offline=offline, timeout=timeout))
    return checks


def check_config(settings: Settings) -> list[Check]:
    """What `from_env` accepts but `helpdesk run` or Telegram would still refuse."""
    problems = []
    if settings.telegram_token and not TOKEN_SHAPE.match(settings.telegram_token):
        problems.append("TELEGRAM_BOT_TOKEN does not look like a bot token (digits:letters)")
    if settings.telegram_token and not settings.secret:
        problems.append("HELPDESK_SECRET is not set; `helpdesk run` refuses to start without it")
    if settings.telegram_base_url and urlsplit(settings.telegram_base_url).scheme not in (
        "http",
        "https",
    ):
        problems.append("TELEGRAM_BASE_URL must start with http:// or https://")
    if settings.webhook_url and urlsplit(settings.webhook_url).scheme != "https":
        problems.append("HELPDESK_WEBHOOK_URL must be https:// (Telegram only calls https)")
    if problems:
        return [Check("FAIL", "config", problem) for problem in problems]
    mode = "webhook" if settings.webhook_url else "polling"
    if not settings.telegram_token:
        mode = "console only (no TELEGRAM_BOT_TOKEN)"
    return [Check("ok", "config", f"{mode}, log level {settings.log_level}")]


def check_knowledge(folder: str | Path) -> Check:
    """Validate the knowledge folder: errors fail, warnings are only counted."""
    return _knowledge(folder)[1]


def _knowledge(folder: str | Path) -> tuple[Snapshot | None, Check]:
    snapshot, problems = inspect(folder)
    errors = [p for p in problems if p.severity == "error"]
    counts = f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s)"
    if errors:
        return None, Check("FAIL", "knowledge", f"{folder}: {counts}; first: {errors[0]}")
    # Moderators' uploads and rollbacks write into the folder; a baked-in image copy is read-only.
    access = "" if os.access(folder, os.W_OK) else "; read-only, so moderator uploads will fail"
    return snapshot, Check("ok", "knowledge", f"{folder}: {counts}{access}")


def check_retention(settings: Settings, snapshot: Snapshot | None) -> Check:
    """The privacy answers tell people when kept questions are erased: it must be true."""
    if snapshot is None:
        return Check("skip", "retention", "no valid knowledge base to read")
    stated = {
        int(days)
        for entry in snapshot.entries
        if entry.topic == "privacy"
        for texts in entry.answers.values()
        for text in texts.values()
        for days in _DAYS.findall(fold(text))
    }
    if not stated:
        return Check("ok", "retention", "the privacy answers name no number of days")
    wrong = sorted(stated - {settings.retention_days})
    if wrong:
        said = ", ".join(str(days) for days in wrong)
        return Check(
            "FAIL",
            "retention",
            f"the privacy answers say {said} days but HELPDESK_RETENTION_DAYS is "
            f"{settings.retention_days}: change one so people are told the truth",
        )
    return Check(
        "ok", "retention", f"privacy answers and purge agree: {settings.retention_days} days"
    )


def check_database(path: str | Path, secret: bytes) -> Check:
    """Open (creating and migrating if needed), check integrity, prove a write is possible."""
    import asyncio

    return asyncio.run(_check_database(path, secret))


async def _check_database(path: str | Path, secret: bytes) -> Check:
    from bot.storage import Storage

    try:
        storage = await Storage.open(path, secret or b"doctor")
        try:
            integrity = await storage.integrity_check()
        finally:
            await storage.close()
        if integrity != "ok":
            return Check("FAIL", "database", f"{path}: integrity_check: {integrity[:200]}")
        version = await _write_probe(path)
    except (OSError, sqlite3.Error, ValueError) as error:
        return Check("FAIL", "database", f"{path}: {type(error).__name__}: {error}")
    return Check("ok", "database", f"{path}: schema {version}, integrity ok, writable")


async def _write_probe(path: str | Path) -> int:
    """Take the write lock and write, then roll back: nothing stays in the file."""
    import aiosqlite

    from bot.storage_schema import schema_version

    async with aiosqlite.connect(path, isolation_level=None) as db:
        await db.execute("PRAGMA busy_timeout=5000")  # the running bot may be writing
        version = await schema_version(db)
        try:
            for statement in _PROBE:
                await db.execute(statement)
        finally:
            if db.in_transaction:
                await db.execute("ROLLBACK")
    return version


def check_telegram(settings: Settings, *, offline: bool, timeout: float = 5.0) -> Check:
    """getMe with a short timeout; the token never appears in what is returned."""
    if offline:
        return Check("skip", "telegram", "--offline")
    if not settings.telegram_token:
        return Check("skip", "telegram", "no TELEGRAM_BOT_TOKEN")
    import httpx  # only this check needs it; keeps `helpdesk ask` start-up lean

    root = (settings.telegram_base_url or DEFAULT_API).rstrip("/").removesuffix("/bot")
    try:
        response = httpx.get(f"{root}/bot{settings.telegram_token}/getMe", timeout=timeout)
        data = response.json() if response.content else {}
    except (httpx.HTTPError, ValueError) as error:
        reason = _hide(str(error), settings.telegram_token) or "no answer"
        return Check("FAIL", "telegram", f"{root}: {type(error).__name__}: {reason}")
    if response.status_code == 401:
        return Check("FAIL", "telegram", f"{root}: the Bot API rejected the token (401)")
    if response.status_code != 200 or not isinstance(data, dict) or not data.get("ok"):
        return Check("FAIL", "telegram", f"{root}: getMe answered HTTP {response.status_code}")
    bot = data.get("result") or {}
    return Check("ok", "telegram", f"{root}: getMe is @{bot.get('username', '?')}")


def _hide(text: str, token: str) -> str:
    """An error text without the token, whatever the library put in it."""
    text = text.replace(token, "<token>") if token else text
    return re.sub(r"\d{6,}:[A-Za-z0-9_-]{20,}", "<token>", text)
