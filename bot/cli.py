"""The `helpdesk` command: chat, ask, kb, eval, db, doctor and run.

The one core module allowed to reach handlers/: `run` imports the Telegram adapter lazily.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict

from bot import cli_db, cli_kb, doctor
from bot.config import Settings, from_env
from bot.dialogue import Brain, Session
from bot.errors import ConfigError, KnowledgeError
from bot.knowledge import load_snapshot
from bot.logs import configure_logging

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = from_env()
    except ConfigError as error:
        for problem in error.problems:
            print(f"configuration: {problem}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args, settings))
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as other Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KnowledgeError as error:
        print("The knowledge base has errors:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_FAIL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="helpdesk", description=__doc__)
    parser.add_argument(
        "--knowledge", help="knowledge folder (default: $HELPDESK_KNOWLEDGE or ./knowledge)"
    )
    sub = parser.add_subparsers(dest="command")
    chat = sub.add_parser("chat", help="chat in the terminal")
    chat.add_argument("--lang", default="nl", choices=("nl", "fr", "en"))
    chat.set_defaults(handler=_chat)
    ask = sub.add_parser("ask", help="answer TEXT, or each line of standard input")
    ask.add_argument("text", nargs="*")
    ask.add_argument("--json", action="store_true", help="one JSON object per input line")
    ask.add_argument("--lang", default="nl", choices=("nl", "fr", "en"))
    ask.add_argument("--audience", choices=("parent", "professional"))
    ask.set_defaults(handler=_ask)
    evaluate = sub.add_parser("eval", help="score the matcher on a labelled YAML file")
    evaluate.add_argument("file")
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--misses", type=int, default=40, help="how many misses to list")
    evaluate.set_defaults(handler=_eval)
    run = sub.add_parser("run", help="start the Telegram bot")
    run.set_defaults(handler=_run)
    cli_kb.add_commands(sub)
    cli_db.add_commands(sub)
    doctor.add_commands(sub)
    return parser


def knowledge_dir(args: argparse.Namespace, settings: Settings) -> str:
    return str(getattr(args, "knowledge", None) or settings.knowledge_dir)


def load_brain(args: argparse.Namespace, settings: Settings) -> Brain:
    return Brain(load_snapshot(knowledge_dir(args, settings)))


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import chat

    return chat(load_brain(args, settings), sys.stdin, sys.stdout, lang=args.lang)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    brain = load_brain(args, settings)
    session = Session(lang=args.lang, audience=args.audience)
    lines = [" ".join(args.text)] if args.text else (line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        reply = brain.respond(line, session)
        if args.json:
            print(json.dumps(_ask_record(line, reply), ensure_ascii=False))
        else:
            print(reply.text + "\n")
    return EXIT_OK


def _ask_record(text: str, reply: object) -> dict[str, object]:
    data = asdict(reply)  # type: ignore[call-overload]
    return {
        "text": text,
        "kind": data["kind"],
        "topic": data["topic"],
        "entry": data["entry"],
        "score": data["score"],
        "lang": data["lang"],
        "services": list(data["services"]),
        "reply": data["text"],
    }


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluate import evaluate_file, format_report

    report = evaluate_file(load_brain(args, settings), args.file)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_report(report, misses=args.misses))
    return EXIT_OK


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.telegram_token:
        print(
            "TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather, then:\n"
            "  export TELEGRAM_BOT_TOKEN=123456:ABC...\n"
            "  helpdesk run\n"
            "Without a token, `helpdesk chat` talks to the same bot in this terminal.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from handlers.app import run_bot  # lazy: only the Telegram path needs telegram

    return int(run_bot(settings, knowledge_dir(args, settings)))
