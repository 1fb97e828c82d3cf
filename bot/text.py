"""Text folding shared by every component that compares text.

`fold` is the one normalisation of characters: Unicode compatibility folding (full-width,
ligatures), accents stripped, case folded, punctuation turned into spaces. Language-aware
steps (stop words, stemming, synonyms) live in `bot.language` and build on this.
"""

from __future__ import annotations

import re
import unicodedata

from bot.scrub import PHONE  # the scrubber's pattern: one idea of a phone number

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_APOSTROPHE = re.compile(r"[\u2018\u2019\u02bc`´]")
_SPACES = re.compile(r"\s+")
_LETTER_REPEAT = re.compile(r"(\D)\1{2,}")
PLACEHOLDERS = frozenset({"urlx", "emailx", "phonex"})


def fold(text: str) -> str:
    """Return `text` as lowercase ASCII-ish words separated by single spaces.

    URLs, e-mail addresses and phone numbers become the placeholders `urlx`, `emailx` and
    `phonex` (`PLACEHOLDERS`); an apostrophe keeps
    words apart ("l'islam" → "l islam"); a letter typed three or more times in a row counts
    once ("heeeelp" → "help"); digits are kept.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _URL.sub(" urlx ", text)
    text = _EMAIL.sub(" emailx ", text)
    text = PHONE.sub(" phonex ", text)
    text = _APOSTROPHE.sub("'", text)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("ß", "ss").replace("æ", "ae").replace("œ", "oe").replace("ø", "o")
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    text = _LETTER_REPEAT.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """The folded words of `text`."""
    folded = fold(text)
    return folded.split() if folded else []
