"""`run_bot` as `helpdesk run` calls it: load, open storage, poll, answer, stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import threading

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


def test_run_bot_webhook_mode_without_the_extra_explains_what_to_install(tmp_path, capsys):
    import importlib.util

    if importlib.util.find_spec("tornado") is not None:
        pytest.skip("the webhooks extra is installed")
    settings = Settings(
        telegram_token=TOKEN,
        secret=b"x",
        webhook_url="https://bot.example.org/telegram",
        webhook_secret="s3cret",
    )
    assert run_bot(settings, str(KNOWLEDGE)) == 2
    assert "webhooks" in capsys.readouterr().err
