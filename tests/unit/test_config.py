from pathlib import Path

import pytest

from bot.config import from_env
from bot.errors import ConfigError


def test_defaults_without_environment(tmp_path: Path) -> None:
    settings = from_env({}, dotenv=tmp_path / "missing.env")
    assert settings.db_path == "./data/helpdesk.sqlite3"
    assert settings.knowledge_dir == "./knowledge"
    assert settings.moderators == frozenset()
    assert not settings.handoff_enabled


def test_moderators_are_numeric_ids_and_usernames_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        from_env({"HELPDESK_MODERATORS": "123, @alice, 456"}, dotenv=tmp_path / "none")
    assert "HELPDESK_MODERATORS" in str(caught.value)
    assert "'@alice'" in str(caught.value)


def test_every_invalid_value_gets_its_own_line(tmp_path: Path) -> None:
    env = {
        "HELPDESK_LOG_LEVEL": "LOUD",
        "HELPDESK_RETENTION_DAYS": "ninety",
        "HELPDESK_MODERATOR_CHAT": "the-group",
    }
    with pytest.raises(ConfigError) as caught:
        from_env(env, dotenv=tmp_path / "none")
    assert len(caught.value.problems) == 3


def test_dotenv_is_read_and_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("HELPDESK_DB=./elsewhere/a.sqlite3\nHELPDESK_LOG_LEVEL=DEBUG\n# comment\n")
    settings = from_env({"HELPDESK_LOG_LEVEL": "WARNING"}, dotenv=dotenv)
    assert settings.db_path == "./elsewhere/a.sqlite3"
    assert settings.log_level == "WARNING"


def test_secrets_are_not_in_repr(tmp_path: Path) -> None:
    settings = from_env(
        {"TELEGRAM_BOT_TOKEN": "123:SECRETTOKEN", "HELPDESK_SECRET": "pepper"},
        dotenv=tmp_path / "none",
    )
    assert "SECRETTOKEN" not in repr(settings)
    assert "pepper" not in repr(settings)


def test_webhook_needs_a_secret_token(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="HELPDESK_WEBHOOK_SECRET"):
        from_env({"HELPDESK_WEBHOOK_URL": "https://bot.example.org/hook"}, dotenv=tmp_path / "n")
