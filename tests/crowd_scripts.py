"""What each simulated person sends in a load run, and what the bot must do about each update.

The expectations come from the same core and rendering the handlers use (`Expectations`): how
many messages an update gets, whether a button press is answered, how many storage writes it
queues, and how its first message begins. The mix: questions in nl/fr/en, /start and /help,
"ok"-type messages, questions the bot is unsure about, a button press and a 👍 per person, and
a crisis message for every fourth person.
"""

from __future__ import annotations

import html
import random
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bot.dialogue import Brain, Reply, Session
from handlers import render
from tests import factories

QUESTIONS = {
    "nl": (
        "welke signalen wijzen op radicalisering?",
        "mijn zoon praat alleen nog over wij tegen zij",
        "beroepsgeheim",
        "mijn dochter kijkt extremistische filmpjes",
        "hoe praat ik met mijn kind na een aanslag?",
        "wat is het verschil tussen radicalisering en extremisme",
        "ge moet mij helpen, mijne zoon is veranderd",
        "hallo",
        "bedankt",
    ),
    "fr": (
        "quels signaux de radicalisation?",
        "mon fils se radicalise, que faire?",
        "secret professionnel",
        "ma fille regarde des vidéos extrémistes",
        "c'est quoi la polarisation",
        "merci",
    ),
    "en": (
        "what are the signs of radicalisation?",
        "my daughter watches extremist videos",
        "professional secrecy",
        "how do I talk to my son about conspiracy theories",
        "who can I call for help",
        "thanks",
    ),
}
EMPTY = ("ok", "?", "...")
UNSURE = ("de fiets van mijn buurman is gestolen", "het is allemaal zo ingewikkeld")
CRISIS = {
    "nl": "mijn zoon wil vanavond een aanslag plegen",
    "fr": "je veux me suicider",
    "en": "my son is planning an attack tonight",
}
COMMANDS = ("/start", "/help")
LANG_SHARES = {"nl": 0.6, "fr": 0.25, "en": 0.15}
BEGINS = 30  # characters of a first message compared with what the core would say


def visible(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@dataclass(frozen=True, slots=True)
class Step:
    """One update a person sends, and what the bot must do about it."""

    label: str  # answer, abstain:empty, abstain:unsure, crisis, command, button, vote
    text: str = ""  # a message, or …
    data: str = ""  # … the callback_data of a button press
    messages: int = 0  # sendMessage calls, the consent question excluded
    begins: str = ""  # how the first of them begins (visible text)
    writes: int = 0  # storage writes it queues
    unsure: bool = False  # followed by the consent question, once per person and run

    def update(self, user_id: int, lang: str) -> dict[str, Any]:
        if self.data:
            return factories.callback(self.data, user_id=user_id, lang=lang)
        return factories.message(self.text, user_id=user_id, lang=lang)


class Expectations:
    """What the handlers will send for a message or button, from the core and render."""

    def __init__(self, brain: Brain) -> None:
        self._brain = brain
        self._texts: dict[tuple[str, str], Step] = {}

    def text(self, text: str, lang: str) -> Step:
        if (text, lang) not in self._texts:
            reply = self._brain.respond(text, Session(lang=lang))
            label = f"{reply.kind}:{reply.reason}" if reply.kind == "abstain" else reply.kind
            unsure = reply.kind == "abstain" and reply.reason == "unsure"
            self._texts[text, lang] = self._step(label, reply, text=text, unsure=unsure)
        return self._texts[text, lang]

    def command(self, text: str, lang: str) -> Step:
        key = {"/start": "start.welcome", "/help": "help.text"}[text]
        cards = render.plain_cards(self._brain.snapshot, key, lang)
        return Step("command", text=text, messages=len(cards), begins=_begins(cards))

    def button(self, entry: str, lang: str) -> Step:
        reply = self._brain.entry_reply(entry, Session(lang=lang))
        assert reply is not None, f"no entry {entry}"
        return self._step("button", reply, data=render.data("e", entry))

    def vote(self, entry: str) -> Step:
        """👍: only the button press is answered; the vote is one write (first vote per entry)."""
        return Step("vote", data=render.data("f", "+", entry), writes=1)

    def _step(self, label: str, reply: Reply, **fields: Any) -> Step:
        cards = render.reply_cards(reply, self._brain.snapshot)
        return Step(label, messages=len(cards), begins=_begins(cards), writes=1, **fields)


def _begins(cards: list[render.Card]) -> str:
    return visible(cards[0].text)[:BEGINS] if cards else ""


def scripts(brain: Brain, people: int, steps: int, seed: int = 1) -> list[Person]:
    """`people` people with `steps` updates each: mostly questions, some commands, "ok",
    unsure questions, one button press and one 👍 each, and a crisis for every fourth person."""
    expect, rng = Expectations(brain), random.Random(seed)
    answered = [
        reply.entry
        for lang, texts in QUESTIONS.items()
        for reply in (brain.respond(t, Session(lang=lang)) for t in texts)
        if reply.kind == "answer" and reply.entry
    ]
    crowd = []
    for n in range(people):
        lang = rng.choices(list(LANG_SHARES), weights=list(LANG_SHARES.values()))[0]
        plan = [
            expect.vote(rng.choice(answered)),
            expect.button(rng.choice(answered), lang),
            expect.text(rng.choice(UNSURE), lang),
            *(expect.command(rng.choice(COMMANDS), lang) for _ in range(2)),
            *(expect.text(rng.choice(EMPTY), lang) for _ in range(2)),
        ]
        if n % 4 == 0:
            plan.append(expect.text(CRISIS[lang], lang))
        while len(plan) < steps:
            plan.append(expect.text(rng.choice(QUESTIONS[lang]), lang))
        rng.shuffle(plan)
        crowd.append(Person(100_000 + n, lang, plan[:steps]))
    return crowd


@dataclass
class Person:
    """A script and how far its person got (the crowd moves `at` on)."""

    user_id: int
    lang: str
    script: list[Step]
    at: int = 0  # the step being sent or answered
    update_id: int | None = None  # its update, while the bot has it to answer
    messages: int = 0  # received for it so far
    answered: bool = False  # its button press was answered

    @property
    def current(self) -> Step | None:
        return self.script[self.at] if self.at < len(self.script) else None


def mix(people: list[Person]) -> Counter[str]:
    """How many updates of each kind (answer, crisis, abstain:empty, …) the scripts hold."""
    return Counter(step.label for person in people for step in person.script)


def writes(people: list[Person]) -> int:
    """Storage writes the handlers queue for these scripts (events and votes)."""
    return sum(step.writes for person in people for step in person.script)
