"""Remove personal details from free text before it is ever stored.

Only the text of unanswered or down-voted questions is kept (as "gaps" for the editors), and
only after `scrub`. Placeholders are language-neutral so the editors' view reads the same in
nl, fr and en: [email], [url], [handle], [phone], [number], [name].

Scrubbing errs on the side of removing too much: a date or "15-16" may become [number]; that
costs an editor a little context and never costs a parent their privacy.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)]"
    r"|\b(?:[a-z0-9-]+\.)+(?:be|com|org|net|eu|nl|fr|info|io|me|tv|app|ly|gg)\b(?:/[^\s]*)?"
)
_HANDLE = re.compile(r"(?<![\w@.])@\w{2,}")
_IBAN = re.compile(r"(?i)\b[a-z]{2}\d{2}(?:[ ]?[a-z0-9]{4}){2,7}(?:[ ]?[a-z0-9]{1,3})?\b")
_SEP = r"(?:\s?[./()-]\s?|\s)?"
PHONE = re.compile(  # also how bot.text.fold recognises a phone number
    rf"(?<![\w+./-])(?:(?:\+|00)\d{{1,3}}{_SEP}(?:\(0\){_SEP})?|0)\d(?:{_SEP}\d){{6,11}}(?!\d)"
)
_DIGITS = re.compile(r"\d(?:[./-]?\d){3,}")

_WORD = r"[^\W\d_][\w'’-]*"
# After these a name follows whatever its case: "mijn naam is sarah".
_STRONG = r"mijn naam is|ik heet|je m['’]appelle|mon nom est|my name is|call me|noem me"
# After these only a capitalised word is taken for a name: "hallo Ahmed" but not "hallo hoe".
_WEAK = (
    r"ik ben|hallo|hoi|dag|beste|groetjes|groeten|je suis|moi c['’]est|bonjour|salut|"
    r"merci|cordialement|i am|i['’]m|hello|hi|hey|dear|this is|regards|thanks"
)
_RELATIVE = (
    r"zoon|dochter|broer|zus|zoontje|dochtertje|neef|nicht|kleinzoon|kleindochter|vriend|"
    r"vriendin|leerling|fils|fille|frère|soeur|sœur|neveu|nièce|ami|amie|élève|petit-fils|"
    r"petite-fille|son|daughter|brother|sister|nephew|niece|friend|pupil|student|grandson|"
    r"granddaughter"
)
# The name is a look-ahead so that leads inside it are found too ("Hallo, ik ben Sarah").
_LEAD = re.compile(
    rf"(?i:\b(?:(?P<strong>{_STRONG})|{_WEAK}|{_RELATIVE})\b[\s,:]+)"
    rf"(?=(?P<name>{_WORD}(?:[ ]+{_WORD}){{0,3}}))"
)
_NAME_WORD = re.compile(_WORD)
_PARTICLES = frozenset({"van", "de", "den", "der", "von", "le", "la", "du", "el", "al", "ben"})
# Capitalised function words that follow a greeting without being a name ("Hi I am …").
_NOT_NAMES = frozenset(
    {
        *("i", "ik", "je", "j", "mijn", "my", "we", "wij", "ons", "onze", "our", "nous"),
        *(
            "i'm",
            "i’m",
            "this",
            "mon",
            "ma",
            "mes",
            "il",
            "elle",
            "hij",
            "zij",
            "ze",
            "he",
            "she",
            "they",
        ),
        *("the", "het", "een", "le", "la", "les", "un", "une", "a", "an", "daar", "there"),
        *("allemaal", "all", "everyone", "iedereen", "tout", "tous", "team"),
        *("madame", "monsieur", "meneer", "mevrouw", "sir", "madam"),
    }
)

# Words that end a lower-case name after a strong lead: "my name is sarah and …".
_CONNECTORS = frozenset(
    {
        *("en", "and", "et", "of", "or", "ou", "maar", "but", "mais", "uit", "from"),
        *("ik", "i", "je", "is", "ben", "am", "suis", "heb", "have", "ai"),
    }
)

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_EMAIL, "[email]"),
    (_URL, "[url]"),
    (_HANDLE, "[handle]"),
    (_IBAN, "[number]"),
    (PHONE, "[phone]"),
    (_DIGITS, "[number]"),
)


def scrub(text: str) -> str:
    """Return `text` with contact details, numbers and names replaced by placeholders."""
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    spans: list[tuple[int, int]] = []
    for match in _LEAD.finditer(text):
        span = _name_span(match)
        if span and (not spans or span[0] >= spans[-1][1]):
            spans.append(span)
    for start, end in reversed(spans):
        text = f"{text[:start]}[name]{text[end:]}"
    return text


def _name_span(match: re.Match[str]) -> tuple[int, int] | None:
    """Where the name after a greeting, introduction or relative is, if there is one."""
    name = match.group("name")
    consumed = 0
    for n, word in enumerate(_NAME_WORD.finditer(name)):
        token = word.group()
        if n < 2 and match.group("strong") and token.casefold() not in _CONNECTORS:
            consumed = word.end()  # "mijn naam is sarah peeters": lower case after a strong lead
        elif n and token in _PARTICLES:  # "Sarah van den Berg": may join two name parts
            continue
        elif token[0].isupper() and token.casefold() not in _NOT_NAMES:
            consumed = word.end()
        else:
            break
    start = match.start("name")
    return (start, start + consumed) if consumed else None
