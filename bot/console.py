"""The console adapter: read a line, respond, print. Same core as Telegram."""

from __future__ import annotations

from dataclasses import replace
from typing import TextIO

from bot.dialogue import Brain, Session
from bot.model import LANGS


def chat(brain: Brain, stdin: TextIO, stdout: TextIO, lang: str = "nl") -> int:
    """Run an interactive chat until /quit or end of input."""
    session = Session(lang=lang)
    print(brain.snapshot.text("console.welcome", session.lang), file=stdout)
    while True:
        print("\n> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            return 0
        message = line.strip()
        if message in ("/quit", "/exit", "/stop"):
            return 0
        if message.startswith("/lang"):
            session = _set_lang(message, session, brain, stdout)
            continue
        if message.startswith("/audience"):
            choice = message.partition(" ")[2].strip()
            session = replace(
                session, audience=choice if choice in ("parent", "professional") else None
            )
            continue
        reply = brain.respond(message, session)
        session = replace(session, lang=reply.lang)
        print("\n" + reply.text, file=stdout)


def _set_lang(message: str, session: Session, brain: Brain, stdout: TextIO) -> Session:
    choice = message.partition(" ")[2].strip().lower()
    if choice not in LANGS:
        print("/lang nl | fr | en", file=stdout)
        return session
    print(brain.snapshot.text("console.lang_set", choice), file=stdout)
    return replace(session, lang=choice)
