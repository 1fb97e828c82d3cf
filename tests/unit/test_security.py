"""Secrets stay secret: the bot token never reaches a log line, a repr or the image; SQL is never
built from strings."""

from __future__ import annotations

import ast
import logging
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings, from_env
from bot.logs import configure_logging

ROOT = Path(__file__).resolve().parents[2]
# Token-shaped and obviously fake: digits, a colon, 20+ letters.
TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghij"
SQL_CALLS = {"execute", "executemany", "executescript", "_insert", "_change", "_rows", "_row"}


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """configure_logging changes process-wide state; put it back for the other tests."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    yield
    root.handlers[:], root.level = saved
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_token_in_log_messages_and_arguments_is_redacted(
    logging_restored: None, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG")
    log = logging.getLogger("helpdesk.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    log.warning("token was %s", TOKEN)
    log.error(f"pre-formatted {TOKEN}")  # noqa: G004 - what a careless caller might do
    err = capfd.readouterr().err
    assert TOKEN not in err
    assert err.count("<token>") == 3


def test_token_in_an_exception_text_is_redacted_from_the_message(
    logging_restored: None, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    error = RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    logging.getLogger("helpdesk.test").error("request failed: %s", error)
    err = capfd.readouterr().err
    assert TOKEN not in err
    assert "<token>" in err


def test_token_in_a_logged_traceback_is_redacted(
    logging_restored: None, capfd: pytest.CaptureFixture[str]
) -> None:
    """The error handler logs with exc_info: the traceback's last line repeats the exception."""
    configure_logging("INFO")
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        logging.getLogger("helpdesk.test").exception("update failed")
    err = capfd.readouterr().err
    assert "Traceback" in err
    assert TOKEN not in err, "the traceback (formatted from exc_info) still carries the token"
    assert "<token>" in err


def test_url_logging_libraries_are_quiet_after_configure_logging(logging_restored: None) -> None:
    configure_logging("DEBUG")
    for name in ("httpx", "httpcore"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name


def test_settings_repr_hides_every_secret() -> None:
    settings = from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "HELPDESK_SECRET": "hash-key-for-tests-only",
            "HELPDESK_WEBHOOK_URL": "https://bot.example.org/hook",
            "HELPDESK_WEBHOOK_SECRET": "webhook-secret-for-tests",
        },
        dotenv=None,
    )
    for shown in (repr(settings), str(settings)):
        assert TOKEN not in shown
        assert "hash-key-for-tests-only" not in shown
        assert "webhook-secret-for-tests" not in shown
    assert "https://bot.example.org/hook" in repr(settings)  # the rest stays visible


def test_no_secret_has_a_default_value() -> None:
    settings = Settings()
    assert settings.telegram_token == ""
    assert settings.secret == b""
    assert settings.webhook_secret == ""


def test_ruff_security_rules_are_enabled() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lint = config["tool"]["ruff"]["lint"]
    assert "S" in lint["select"], "ruff's S rules (bandit) must stay selected"
    assert not {"S", "S608", "S105", "S106"} & set(lint.get("ignore", []))
    for path, ignored in lint.get("per-file-ignores", {}).items():
        if not path.startswith(("tests", "benchmarks", "scripts")):
            assert "S608" not in ignored, path


def _string_built(node: ast.expr) -> bool:
    """An f-string, a `.format(...)` call, or `%` / `+` with a string literal."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        sides = (node.left, node.right)
        return any(
            isinstance(side, ast.JoinedStr)
            or (isinstance(side, ast.Constant) and isinstance(side.value, str))
            for side in sides
        )
    return False


def sql_built_from_strings(path: Path) -> list[int]:
    """Lines where a database call's first argument is built from strings."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SQL_CALLS
        and node.args
        and _string_built(node.args[0])
    ]


def test_no_sql_is_built_from_strings_in_the_core() -> None:
    sources = sorted((ROOT / "bot").glob("*.py"))
    assert any(p.name == "storage.py" for p in sources)
    found = [f"{p.name}:{line}" for p in sources for line in sql_built_from_strings(p)]
    assert found == [], f"SQL built with f-strings, .format or % (use ? placeholders): {found}"


def test_storage_sources_have_no_fstring_or_format_sql() -> None:
    """The plain-text check, as a second net under the AST check above."""
    for path in sorted((ROOT / "bot").glob("storage*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in ('execute(f"', "execute(f'", ".format("):
            assert pattern not in text, f"{path.name}: {pattern}"


def test_sql_checker_catches_what_it_should(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "db.execute(f'SELECT * FROM t WHERE id = {x}')\n"
        "db.execute('SELECT * FROM t WHERE id = {}'.format(x))\n"
        "db.execute('SELECT * FROM t WHERE id = %s' % x)\n"
        "db.execute('SELECT * FROM t WHERE id = ' + x)\n"
        "db.execute('SELECT * FROM t WHERE id = ?', (x,))\n"
        "db.execute(QUERY, (x,))\n",
        encoding="utf-8",
    )
    assert sql_built_from_strings(sample) == [1, 2, 3, 4]


def test_secrets_never_enter_the_image() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", "*.sqlite3", "data/", ".git/"} <= set(ignored)
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for name in ("TELEGRAM_BOT_TOKEN", "HELPDESK_SECRET", "HELPDESK_WEBHOOK_SECRET"):
        assert name not in dockerfile, f"{name} must be passed at run time, not built in"
