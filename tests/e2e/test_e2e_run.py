"""`run_bot` as `helpdesk run` calls it: load, open storage, poll, answer, stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from bot.config import Settings
from handlers.app import run_bot
from tests import factories
from tests.conftest import KNOWLEDGE
from tests.fakes import TOKEN, FakeTelegramServer

pytestmark = pytest.mark.e2e


def test_run_bot_polls_answers_and_shuts_down_cleanly(server: FakeTelegramServer, tmp_path):
    settings = Settings(
        telegram_token=TOKEN,
        telegram_base_url=server.base_url,
        db_path=str(tmp_path / "data" / "helpdesk.sqlite3"),
        secret=b"run-secret",
        drop_pending_updates=True,
    )
    server.push(factories.message("/start", user_id=4242, lang="en"))
    stopper = threading.Thread(target=_stop_after_first_answer, args=(server,), daemon=True)
    stopper.start()
    code = run_bot(settings, str(KNOWLEDGE))
    stopper.join(timeout=10)
    assert code == 0
    assert (tmp_path / "data" / "helpdesk.sqlite3").exists()
    assert server.called("setMyCommands"), "post_init ran: the menu was set"
    [welcome] = [p for p in server.called("sendMessage") if p["chat_id"] == "4242"]
    assert "not an emergency" in welcome["text"]
    assert server.called("deleteWebhook")[0]["drop_pending_updates"] == "true"


def _stop_after_first_answer(server: FakeTelegramServer) -> None:
    server.wait_for(lambda calls: any(m == "sendMessage" for m, _ in calls), timeout=15)
    os.kill(os.getpid(), signal.SIGTERM)  # PTB's stop signal: a graceful shutdown


def test_webhook_refuses_requests_without_the_secret_token(server: FakeTelegramServer, tmp_path):
    port = _free_port()
    settings = Settings(
        telegram_token=TOKEN,
        telegram_base_url=server.base_url,
        db_path=str(tmp_path / "helpdesk.sqlite3"),
        secret=b"hook-secret",
        webhook_url="https://bot.example.org/telegram-hook",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret="right-secret",
    )
    statuses: dict[str, int] = {}
    driver = threading.Thread(target=_post_updates, args=(server, port, statuses), daemon=True)
    driver.start()
    assert run_bot(settings, str(KNOWLEDGE)) == 0
    driver.join(timeout=10)
    assert statuses == {"none": 403, "wrong": 403, "right": 200}
    assert server.called("setWebhook")[0]["secret_token"] == "right-secret"
    answered = [p for p in server.called("sendMessage") if p["chat_id"] == "5151"]
    assert len(answered) >= 1, "only the update with the right secret was handled"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(request: urllib.request.Request) -> int:
    """The HTTP status, retrying while the webhook server is still starting (bounded)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback only
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _post_updates(server: FakeTelegramServer, port: int, statuses: dict[str, int]) -> None:
    """Send one update without, one with a wrong and one with the right secret header."""
    server.wait_for(lambda calls: any(m == "setWebhook" for m, _ in calls), timeout=15)
    url = f"http://127.0.0.1:{port}/telegram-hook"
    for name, header in (("none", None), ("wrong", "nope"), ("right", "right-secret")):
        update = factories.message("/start", user_id=5151 if name == "right" else 6161)
        request = urllib.request.Request(url, data=json.dumps(update).encode(), method="POST")
        request.add_header("Content-Type", "application/json")
        if header:
            request.add_header("X-Telegram-Bot-Api-Secret-Token", header)
        statuses[name] = _status(request)
    server.wait_for(lambda calls: any(m == "sendMessage" for m, _ in calls), timeout=15)
    os.kill(os.getpid(), signal.SIGTERM)
