"""Whatever people type, the brain answers, says it is not sure, or gives crisis help: never raises.

Any Unicode up to Telegram's 4,096 characters, control characters, right-to-left and mixed
scripts, emoji, HTML, Markdown and SQL-looking text all go through `Brain.respond`.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.dialogue import Brain, Reply, Session
from bot.model import LANGS

KINDS = ("answer", "crisis", "abstain")
TELEGRAM_MAX = 4096

RTL = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
CONTROL = "".join(chr(c) for c in range(32)) + "\x7f\u0085\u2028\u2029\ufeff\u200b\u200d"
SNIPPETS = (
    "<b>bold</b>",
    "<script>alert(1)</script>",
    "&amp; &lt;3",
    "*bold* _it_ `code` [link](http://x)",
    "'; DROP TABLE users; --",
    "1 OR 1=1",
    "%s %d {0} {text}",
    "mijn zoon",
    "radicalisering",
    "ik wil mezelf iets aandoen",
    "مرحبا",
    "Мой сын",
    "我的儿子",
    "שלום",
    "😀",
    "👨‍👩‍👧‍👦",
    "🇧🇪",
)

scripts = st.characters(
    codec="utf-8",
    categories=("L", "M", "N", "P", "S", "Z", "Cc", "Cf"),
)
messages = st.one_of(
    st.text(scripts, max_size=TELEGRAM_MAX),
    st.text(st.sampled_from(RTL + CONTROL + string.printable), max_size=300),
    st.lists(st.sampled_from(SNIPPETS), max_size=60).map(" ".join),
    st.builds(
        lambda piece, times: (piece * times)[:TELEGRAM_MAX],
        st.text(scripts, min_size=1, max_size=8),
        st.integers(1, TELEGRAM_MAX),
    ),
)
sessions = st.builds(
    Session,
    lang=st.sampled_from(LANGS),
    audience=st.sampled_from((None, "parent", "professional")),
)


def assert_replies(brain: Brain, text: str, session: Session) -> Reply:
    reply = brain.respond(text, session)
    assert isinstance(reply, Reply)
    assert reply.kind in KINDS
    assert reply.lang in LANGS
    assert reply.text.strip(), f"empty reply to {text[:80]!r}"
    assert len(reply.text) <= TELEGRAM_MAX, f"{len(reply.text)} characters for {text[:80]!r}"
    return reply


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=messages, session=sessions)
@example(text="", session=Session())
@example(text="\x00" * 10, session=Session(lang="fr"))
def test_any_text_gets_a_reply_of_a_known_kind(brain: Brain, text: str, session: Session) -> None:
    assert_replies(brain, text, session)


ODD_INPUTS = {
    "empty": "",
    "spaces": " \t\n ",
    "4096 a": "a" * 4096,
    "4096 emoji": "😀" * 4096,
    "4097 characters": "zoon " * 820,
    "family emoji": "👨‍👩‍👧‍👦" * 500,
    "html": "<b>bold</b> & <script>",
    "unclosed html": "<a href='x'>mijn zoon <3",
    "markdown": "*mijn* _zoon_ `radicaliseert` [hulp](https://example.org)",
    "sql": "'; DROP TABLE users; --",
    "arabic": "ابني يقضي كل وقته على الإنترنت مع أشخاص متطرفين",
    "cyrillic": "мой сын радикализируется, что делать",
    "chinese": "我的儿子在网上变得激进，我该怎么办",
    "rtl override": "\u202emijn zoon\u202c \u2067radicaliseert\u2069 \u200f",
    "nul bytes": "mijn\x00zoon\x00",
    "control characters": "".join(chr(c) for c in range(32)) + "\x7f",
    "zero width": "ra\u200bdi\u200dca\ufeffli\u2060sering",
    "combining marks": "z" + "\u0301" * 2000,
    "mixed scripts": "mon fils радикализируется 我的 zoon 😀",
    "format placeholders": "%s %(text)s {0} {text} $1",
    "crisis with noise": "<b>ik wil mezelf iets aandoen</b> 😀😀",
    "lone surrogate": "zoon \ud800 radicaliseert",
}


@pytest.mark.parametrize("text", ODD_INPUTS.values(), ids=ODD_INPUTS.keys())
@pytest.mark.parametrize("lang", LANGS)
def test_odd_input_gets_a_reply(brain: Brain, text: str, lang: str) -> None:
    assert_replies(brain, text, Session(lang=lang))


def test_crisis_still_wins_through_html_and_emoji(brain: Brain) -> None:
    reply = assert_replies(brain, ODD_INPUTS["crisis with noise"], Session())
    assert reply.kind == "crisis"
