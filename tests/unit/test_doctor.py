"""`helpdesk doctor` and the container's commands, run outside a container.

The Bot API check talks to a tiny fake on 127.0.0.1; nothing here leaves the machine.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from bot.doctor import (
    check_config,
    check_database,
    check_knowledge,
    check_retention,
    check_telegram,
    diagnose,
    exit_code,
)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghij"
LINE = re.compile(r"^(ok|FAIL|skip) (config|knowledge|retention|database|telegram): \S")


class FakeBotApi(BaseHTTPRequestHandler):
    """getMe for TOKEN; 401 for any other token; records the paths it was asked."""

    paths: list[str]

    def do_GET(self) -> None:
        self.paths.append(self.path)
        if self.path == f"/bot{TOKEN}/getMe":
            self._answer(200, {"ok": True, "result": {"id": 42, "is_bot": True,
                                                      "username": "helpdesk_test_bot"}})  # fmt: skip
        else:
            self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})

    def _answer(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test output stays readable."""


@pytest.fixture
def bot_api() -> Iterator[tuple[str, list[str]]]:
    """A loopback Bot API answering getMe; yields its base URL and the paths it received."""
    paths: list[str] = []
    handler = type("Handler", (FakeBotApi,), {"paths": paths})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", paths
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def settings_for(tmp_path: Path, **values: object) -> Settings:
    defaults: dict[str, object] = {
        "db_path": str(tmp_path / "data" / "helpdesk.sqlite3"),
        "secret": b"doctor-test-secret",
    }
    return Settings(**{**defaults, **values})  # type: ignore[arg-type]


# -- checks, in process -----------------------------------------------------------------------


def test_offline_doctor_passes_on_a_fresh_install(tmp_path: Path, kb_copy: Path) -> None:
    settings = settings_for(tmp_path, telegram_token=TOKEN)
    checks = diagnose(settings, kb_copy, offline=True)
    lines = [str(check) for check in checks]
    assert [c.name for c in checks] == ["config", "knowledge", "retention", "database", "telegram"]
    assert all(LINE.match(line) for line in lines), lines
    assert exit_code(checks) == 0, lines
    assert lines[-1] == "skip telegram: --offline"
    assert "0 error(s)" in lines[1]


def test_retention_check_fails_when_the_privacy_answers_promise_other_days(
    tmp_path: Path, snapshot
) -> None:
    # The privacy answers tell people when kept questions are erased; the purge must agree.
    agree = check_retention(settings_for(tmp_path, retention_days=90), snapshot)
    differ = check_retention(settings_for(tmp_path, retention_days=30), snapshot)
    assert agree.status == "ok" and "90 days" in agree.detail
    assert differ.status == "FAIL" and "90" in differ.detail and "30" in differ.detail
    assert check_retention(settings_for(tmp_path), None).status == "skip"


def test_database_check_creates_migrates_and_leaves_no_trace(tmp_path: Path) -> None:
    path = tmp_path / "new" / "helpdesk.sqlite3"
    check = check_database(path, b"secret")
    assert check.status == "ok", check
    assert "integrity ok, writable" in check.detail
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "schema_version" in tables
    assert "doctor_probe" not in tables  # the write test was rolled back


def test_database_check_fails_on_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "helpdesk.sqlite3"
    path.write_bytes(b"this is not a database, just some bytes " * 100)
    check = check_database(path, b"secret")
    assert check.status == "FAIL"
    assert "not a database" in check.detail


def test_database_check_fails_when_its_folder_cannot_exist(tmp_path: Path) -> None:
    (tmp_path / "occupied").write_text("a file where the folder should be", encoding="utf-8")
    check = check_database(tmp_path / "occupied" / "helpdesk.sqlite3", b"secret")
    assert check.status == "FAIL"
    assert str(tmp_path / "occupied") in check.detail


def test_knowledge_check_counts_errors_and_shows_the_first(kb_copy: Path) -> None:
    broken = kb_copy / "entries" / "signs.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "- id: Not Valid\n", encoding="utf-8")
    check = check_knowledge(kb_copy)
    assert check.status == "FAIL"
    assert re.search(
        r"[1-9]\d* error\(s\), \d+ warning\(s\); first: entries/signs.yaml:\d+: ", str(check)
    )


def test_knowledge_check_fails_on_a_missing_folder(tmp_path: Path) -> None:
    check = check_knowledge(tmp_path / "nowhere")
    assert check.status == "FAIL"
    assert "knowledge folder not found" in check.detail


def test_config_check_names_each_problem_on_its_own_line() -> None:
    settings = Settings(
        telegram_token="not-a-token",
        telegram_base_url="ftp://example.org",
        webhook_url="http://bot.example.org/hook",
        webhook_secret="x",
    )
    checks = check_config(settings)
    assert [c.status for c in checks] == ["FAIL"] * 4
    details = " | ".join(c.detail for c in checks)
    for name in ("TELEGRAM_BOT_TOKEN", "HELPDESK_SECRET", "TELEGRAM_BASE_URL", "WEBHOOK_URL"):
        assert name in details
    assert "not-a-token" not in details


def test_config_without_a_token_is_console_mode_and_skips_telegram(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    assert [str(c) for c in check_config(settings)] == [
        "ok config: console only (no TELEGRAM_BOT_TOKEN), log level INFO"
    ]
    assert str(check_telegram(settings, offline=False)) == "skip telegram: no TELEGRAM_BOT_TOKEN"


def test_telegram_check_asks_getme_without_showing_the_token(
    tmp_path: Path, bot_api: tuple[str, list[str]]
) -> None:
    url, paths = bot_api
    check = check_telegram(
        settings_for(tmp_path, telegram_token=TOKEN, telegram_base_url=url), offline=False
    )
    assert check.status == "ok", check
    assert "@helpdesk_test_bot" in check.detail
    assert TOKEN not in str(check)
    assert paths == [f"/bot{TOKEN}/getMe"]


def test_telegram_check_accepts_a_base_url_ending_in_bot(
    tmp_path: Path, bot_api: tuple[str, list[str]]
) -> None:
    url, _ = bot_api
    settings = settings_for(tmp_path, telegram_token=TOKEN, telegram_base_url=f"{url}/bot/")
    assert check_telegram(settings, offline=False).status == "ok"


def test_telegram_check_reports_a_rejected_token(
    tmp_path: Path, bot_api: tuple[str, list[str]]
) -> None:
    url, _ = bot_api
    other = "987654321:AAAnotherFakeTokenForTests_xyz"
    check = check_telegram(
        settings_for(tmp_path, telegram_token=other, telegram_base_url=url), offline=False
    )
    assert check.status == "FAIL"
    assert "rejected the token (401)" in check.detail
    assert other not in str(check)


def test_telegram_check_reports_an_unreachable_api(tmp_path: Path, closed_port: int) -> None:
    base = f"http://127.0.0.1:{closed_port}"
    settings = settings_for(tmp_path, telegram_token=TOKEN, telegram_base_url=base)
    check = check_telegram(settings, offline=False, timeout=2.0)
    assert check.status == "FAIL"
    assert "ConnectError" in check.detail
    assert TOKEN not in str(check)


# -- the commands, as the container runs them ------------------------------------------------


def helpdesk(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`helpdesk ARGS` as `python -m bot ARGS`, with only the given environment."""
    if args[0] == "helpdesk":
        args = args[1:]
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), **env},
        timeout=60,
    )


def dockerfile_instructions(name: str) -> list[str]:
    """The arguments of every `name` instruction, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return [" ".join(m.split()) for m in re.findall(rf"^{name}\s+(.*)$", text, re.MULTILINE)]


def dockerfile_instruction(name: str) -> str:
    found = dockerfile_instructions(name)
    assert len(found) == 1, f"expected one {name} in the Dockerfile, found {found}"
    return found[0]


def dockerfile_env() -> dict[str, str]:
    """Every `ENV KEY=value` the image sets."""
    env = {}
    for line in dockerfile_instructions("ENV"):
        for item in shlex.split(line):
            key, _, value = item.partition("=")
            env[key] = value
    return env


def healthcheck_command() -> list[str]:
    instruction = dockerfile_instruction("HEALTHCHECK")
    exec_form = instruction.split(" CMD ", 1)[1]
    return list(json.loads(exec_form))


def container_env(tmp_path: Path, kb: Path, **extra: str) -> dict[str, str]:
    """The image's environment, with /data and /app/knowledge pointed into tmp_path."""
    return {
        "HELPDESK_DB": str(tmp_path / "data" / "helpdesk.sqlite3"),
        "HELPDESK_KNOWLEDGE": str(kb),
        "HELPDESK_SECRET": "doctor-test-secret",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        **extra,
    }


def test_healthcheck_command_passes_outside_the_container(tmp_path: Path, kb_copy: Path) -> None:
    command = healthcheck_command()
    assert command == ["helpdesk", "doctor", "--offline"]
    result = helpdesk(command, container_env(tmp_path, kb_copy), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5  # config, knowledge, retention, database, telegram
    assert all(LINE.match(line) for line in lines), lines
    assert (tmp_path / "data" / "helpdesk.sqlite3").is_file()


def test_healthcheck_fails_when_the_knowledge_base_is_broken(tmp_path: Path, kb_copy: Path) -> None:
    (kb_copy / "services.yaml").write_text("- [unclosed\n", encoding="utf-8")
    result = helpdesk(healthcheck_command(), container_env(tmp_path, kb_copy), cwd=tmp_path)
    assert result.returncode == 1
    assert "FAIL knowledge:" in result.stdout
    assert "Traceback" not in result.stderr


def test_doctor_online_against_a_loopback_bot_api(
    tmp_path: Path, kb_copy: Path, bot_api: tuple[str, list[str]]
) -> None:
    url, paths = bot_api
    env = container_env(tmp_path, kb_copy, TELEGRAM_BASE_URL=url)
    result = helpdesk(["helpdesk", "doctor", "--timeout", "5"], env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok telegram: " in result.stdout
    assert TOKEN not in result.stdout + result.stderr
    assert paths == [f"/bot{TOKEN}/getMe"]


def test_invalid_environment_exits_2_with_one_line_per_problem(
    tmp_path: Path, kb_copy: Path
) -> None:
    env = container_env(tmp_path, kb_copy, HELPDESK_LOG_LEVEL="LOUD", HELPDESK_MODERATORS="@ann")
    result = helpdesk(["helpdesk", "doctor", "--offline"], env, cwd=tmp_path)
    assert result.returncode == 2
    problems = [line for line in result.stderr.splitlines() if line.startswith("configuration: ")]
    assert len(problems) == 2, result.stderr


def test_container_command_without_a_token_exits_2_with_instructions(
    tmp_path: Path, kb_copy: Path
) -> None:
    assert json.loads(dockerfile_instruction("CMD")) == ["helpdesk", "run"]
    env = container_env(tmp_path, kb_copy)
    del env["TELEGRAM_BOT_TOKEN"]
    result = helpdesk(["helpdesk", "run"], env, cwd=tmp_path)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "@BotFather" in result.stderr
    assert "Traceback" not in result.stderr


# -- the image's contract (STYLE.md §12), read from the files ----------------------------------


def test_dockerfile_caches_dependencies_and_runs_as_a_user_on_a_data_volume() -> None:
    assert dockerfile_instructions("FROM") == ["python:3.11-slim"]
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    steps = ("COPY pyproject.toml", "-r /tmp/requirements.txt", "COPY bot/", "--no-deps .")
    order = [text.index(step) for step in steps]
    assert order == sorted(order), "dependencies first, then the code without dependencies"
    assert "knowledge/ knowledge/" in dockerfile_instructions("COPY")
    assert dockerfile_instruction("USER") not in ("root", "0", "0:0")
    assert dockerfile_instruction("VOLUME") == '["/data"]'
    env = dockerfile_env()
    assert env["HELPDESK_DB"] == "/data/helpdesk.sqlite3"
    assert env["HELPDESK_KNOWLEDGE"] == "/app/knowledge"


def test_compose_example_keeps_data_on_a_volume_and_restarts() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["helpdesk"]
    assert service["restart"] == "unless-stopped"
    assert service["env_file"] == ".env"
    assert "helpdesk-data:/data" in service["volumes"]
    assert "helpdesk-data" in compose["volumes"]
    assert service["environment"]["HELPDESK_DB"] == "/data/helpdesk.sqlite3"
