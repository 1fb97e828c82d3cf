"""`helpdesk db purge|backup` for cron and the operator, and `helpdesk kb learned` for editors.

`db purge` applies the retention the bot also applies every night; `db backup PATH` copies the
live database safely (SQLite online backup); `kb learned` prints the phrasings moderators added
with /gaps as YAML to merge into knowledge/entries/.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.errors import KnowledgeError
from bot.gaps import learned_yaml
from bot.knowledge import load_snapshot
from bot.storage import Storage

EXIT_OK, EXIT_FAIL = 0, 1
MISSING_KEY_MESSAGE = "HELPDESK_SECRET is not set: the database cannot be opened without it."


def add_commands(sub: Any) -> None:
    """Add `db purge`, `db backup` and `kb learned` (after bot.cli_kb added `kb`)."""
    db = sub.add_parser("db", help="retention and backups of the database").add_subparsers(
        dest="db_command"
    )
    purge = db.add_parser("purge", help="apply retention now (also done every night by the bot)")
    purge.add_argument("--days", type=int, help="keep this many days (default: retention)")
    purge.set_defaults(handler=_purge)
    backup = db.add_parser("backup", help="copy the live database to PATH")
    backup.add_argument("path")
    backup.set_defaults(handler=_backup)
    learned = _kb_commands(sub).add_parser("learned", help="phrasings added with /gaps, as YAML")
    learned.set_defaults(handler=_learned)


def _kb_commands(sub: Any) -> Any:
    """The `kb` sub-commands bot.cli_kb made, or a new `kb` when there is none."""
    kb = sub.choices.get("kb") or sub.add_parser("kb", help="check and inspect the knowledge base")
    for action in kb._actions:  # argparse keeps no public handle on a parser's subparsers
        if isinstance(action, argparse._SubParsersAction):
            return action
    return kb.add_subparsers(dest="kb_command")


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    days = args.days if args.days is not None else settings.retention_days
    if days < 1:
        print("--days must be at least 1", file=sys.stderr)
        return EXIT_FAIL

    async def run(storage: Storage) -> str:
        result = await storage.purge(days)
        return (
            f"purged (older than {days} days): {result.gaps} gaps, {result.tickets} tickets,"
            f" {result.ticket_messages} ticket links; unlinked from users:"
            f" {result.events_unlinked} events, {result.feedback_unlinked} votes"
        )

    return _with_storage(settings, run)


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    async def run(storage: Storage) -> str:
        await storage.backup(args.path)
        return f"backup written to {args.path}"

    return _with_storage(settings, run)


def _learned(args: argparse.Namespace, settings: Settings) -> int:
    snapshot = _snapshot(args, settings)

    async def run(storage: Storage) -> str:
        return learned_yaml(await storage.list_learned(), snapshot).rstrip()

    return _with_storage(settings, run)


def _snapshot(args: argparse.Namespace, settings: Settings) -> Any:
    """The knowledge base, to name each entry's file; None when it does not load."""
    try:
        return load_snapshot(getattr(args, "knowledge", None) or settings.knowledge_dir)
    except KnowledgeError:
        return None


def _with_storage(settings: Settings, work: Any) -> int:
    """Open the existing database, run `work`, print what it returns."""
    if not settings.secret:
        print(MISSING_KEY_MESSAGE, file=sys.stderr)
        return EXIT_FAIL
    if not Path(settings.db_path).is_file():
        print(f"no database at {settings.db_path} (HELPDESK_DB)", file=sys.stderr)
        return EXIT_FAIL

    async def main() -> str:
        async with await Storage.open(settings.db_path, settings.secret) as storage:
            return str(await work(storage))

    print(asyncio.run(main()))
    return EXIT_OK
