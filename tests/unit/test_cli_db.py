"""`helpdesk db purge|backup` and `helpdesk kb learned`, through argparse as bot.cli wires them."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot import cli_db, cli_kb
from bot.config import Settings
from bot.storage import Storage

SECRET = b"test-secret-for-the-cli"
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def run(argv: list[str], settings: Settings) -> int:
    """Parse like `helpdesk …` does once bot.cli calls cli_db.add_commands(sub)."""
    parser = argparse.ArgumentParser(prog="helpdesk")
    parser.add_argument("--knowledge")
    sub = parser.add_subparsers(dest="command")
    cli_kb.add_commands(sub)
    cli_db.add_commands(sub)
    args = parser.parse_args(argv)
    return int(args.handler(args, settings))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=str(tmp_path / "helpdesk.sqlite3"), secret=SECRET)


async def fill(settings: Settings) -> None:
    old = await Storage.open(settings.db_path, SECRET, clock=lambda: LONG_AGO)
    await old.add_gap("een oude vraag", "nl", "abstain")
    await old.add_learned("signs-overview", "nl", "wat zijn rode vlaggen", "mod")
    await old.add_learned("signs-overview", "fr", "quels signaux: d'alerte", "mod")
    await old.close()
    new = await Storage.open(settings.db_path, SECRET)
    await new.add_gap("een nieuwe vraag", "nl", "abstain")
    await new.close()


def gaps(settings: Settings) -> list[str]:
    with sqlite3.connect(settings.db_path) as db:
        return [row[0] for row in db.execute("SELECT text FROM gaps ORDER BY id")]


def test_purge_applies_retention(settings: Settings, capsys: pytest.CaptureFixture[str]):
    asyncio.run(fill(settings))
    assert run(["db", "purge"], settings) == 0
    assert gaps(settings) == ["een nieuwe vraag"]
    assert "1 gaps" in capsys.readouterr().out


def test_purge_takes_a_number_of_days(settings: Settings):
    asyncio.run(fill(settings))
    days = (datetime.now(UTC) - LONG_AGO + timedelta(days=1)).days
    assert run(["db", "purge", "--days", str(days)], settings) == 0
    assert len(gaps(settings)) == 2


def test_backup_copies_the_database(settings: Settings, tmp_path: Path):
    asyncio.run(fill(settings))
    target = tmp_path / "backups" / "copy.sqlite3"
    assert run(["db", "backup", str(target)], settings) == 0
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT COUNT(*) FROM gaps").fetchone() == (2,)


def test_kb_learned_prints_valid_yaml(settings: Settings, capsys: pytest.CaptureFixture[str]):
    asyncio.run(fill(settings))
    assert run(["kb", "learned"], settings) == 0
    out = capsys.readouterr().out
    assert yaml.safe_load(out) == [
        {"id": "signs-overview",
         "questions": {"nl": ["wat zijn rode vlaggen"], "fr": ["quels signaux: d'alerte"]}}
    ]  # fmt: skip
    assert "# entries/signs.yaml" in out


def test_without_a_database_or_secret_nothing_is_created(tmp_path: Path):
    missing = Settings(db_path=str(tmp_path / "none.sqlite3"), secret=SECRET)
    assert run(["db", "purge"], missing) == 1
    assert not Path(missing.db_path).exists()
    assert run(["db", "purge"], Settings(db_path=missing.db_path)) == 1
