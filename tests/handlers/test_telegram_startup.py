"""post_init: command menus per language and scope, descriptions; start-up survives rejections."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.config import Settings
from handlers.app import api_urls, build_application, run_bot
from handlers.menu import COMMANDS
from tests.fakes import TOKEN
from tests.handlers.conftest import MODERATOR, SETTINGS, Bot


async def test_post_init_sets_menus_per_language_and_moderator_scope(bot: Bot):
    await bot.app.post_init(bot.app)
    calls = bot.sent("setMyCommands")
    languages = {c.get("language_code") for c in calls}
    assert languages == {None, "nl", "fr", "en"}
    private = [c for c in calls if c["scope"]["type"] == "all_private_chats"]
    moderator = [c for c in calls if c["scope"]["type"] == "chat"]
    assert {c["scope"]["chat_id"] for c in moderator} == {MODERATOR}
    assert len(moderator[0]["commands"]) > len(private[0]["commands"])
    french = next(c for c in private if c.get("language_code") == "fr")
    assert {"themes", "chercher", "aide", "langue", "oublier", "mesdonnees"} <= {
        c["command"] for c in french["commands"]
    }
    assert len(bot.sent("setMyDescription")) == 4
    assert all(len(c["short_description"]) <= 120 for c in bot.sent("setMyShortDescription"))
    assert all(len(c["description"]) <= 512 for c in bot.sent("setMyDescription"))


async def test_rejected_menu_calls_log_one_warning_and_start_up_goes_on(bot: Bot, caplog):
    bot.api.fail["setMyCommands"] = (400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
    with caplog.at_level(logging.WARNING):
        await bot.app.post_init(bot.app)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "bot_commands_too_much" in warnings[0].getMessage().lower()
    assert bot.sent("setMyDescription"), "the other calls still happened"


def test_every_command_name_is_valid_for_telegram():
    for names in COMMANDS.values():
        assert all(n.isascii() and n.islower() and 1 <= len(n) <= 32 for n in names)


def test_self_hosted_api_urls_get_the_bot_suffix_once():
    assert api_urls("http://127.0.0.1:8081") == (
        "http://127.0.0.1:8081/bot",
        "http://127.0.0.1:8081/file/bot",
    )
    assert api_urls("http://127.0.0.1:8081/bot/")[0] == "http://127.0.0.1:8081/bot"


async def test_base_url_points_the_bot_at_a_self_hosted_server(brain, storage):
    from bot.recorder import Recorder

    settings = replace(SETTINGS, telegram_base_url="http://127.0.0.1:8081")
    app = build_application(settings, brain, storage, Recorder(storage))
    assert app.bot.base_url == f"http://127.0.0.1:8081/bot{TOKEN}"


def test_run_refuses_to_start_without_a_secret(capsys, tmp_path):
    code = run_bot(Settings(telegram_token=TOKEN), str(tmp_path))
    assert code == 2
    assert "HELPDESK_SECRET" in capsys.readouterr().err
