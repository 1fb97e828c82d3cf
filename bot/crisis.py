"""Crisis detection: rules from `knowledge/crisis.yaml` that run before any fuzzy matching.

A missed crisis can cost a life and a false alarm costs little, so the rules are plain data
that editors can read, and matching is deliberately simple: a rule fires when every one of its
term groups occurs in the message (in any order, optionally within a window of words). Terms
are folded like the message, may end in `*` (prefix), and tolerate one typo when long enough.
`unless` lists (news, lessons, games...) may disarm an ambiguous danger rule, but never when a
strong intent marker (tonight, planning...) is present, and never a suicide or abuse rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA, Indel

from bot.text import fold, words

TOPICS = ("crisis-danger", "crisis-suicide", "crisis-abuse")
LANGS = ("nl", "fr", "en", "any")
_RULE_KEYS = {"id", "topic", "lang", "any", "all", "within", "unless", "except", "note"}
_MIN_PREFIX = 4  # shorter prefixes ("bom*") swallow unrelated words ("bomma")
_FUZZY_WORD = 6  # one typo allowed from this length on ("suicde", "zelfmord")
_FUZZY_PREFIX = 7  # prefixes need more letters: "aanval*" would catch "aanvaarden"
_ROWS = (("qwertyuiop", "asdfghjkl", "zxcvbnm"), ("azertyuiop", "qsdfghjklm", "wxcvbn"))

Word = tuple[str, bool, bool]  # (folded text, is prefix, typo allowed)
Term = tuple[Word, ...]
_ANY: Word = ("?", False, False)  # "il y a ? ans": exactly one word, whatever it is


@dataclass(frozen=True, slots=True)
class CrisisHit:
    topic: str
    lang: str | None
    rule: str


@dataclass(frozen=True, slots=True)
class _Rule:
    hit: CrisisHit
    groups: frozenset[int]  # every one must occur
    within: int  # 0: anywhere in the message
    unless: int  # context group; -1: none
    except_: int  # -1: none


def _parse_term(raw: Any) -> Term:
    """Split a term into folded words; `=` before a word forbids typos, `*` after makes a prefix."""
    if isinstance(raw, bool):
        raise ValueError('YAML read this word as true/false: quote it ("no", "on")')
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("a term must be a non-empty string")
    out: list[Word] = []
    for piece in raw.split():
        if piece == "?" and out:
            out.append(_ANY)
            continue
        exact, prefix, bare = piece.startswith("="), piece.endswith("*"), piece.strip("=*")
        parts = fold(bare).split()
        if not parts or "*" in bare or "=" in bare:
            raise ValueError(f"bad word {piece!r}")
        for n, part in enumerate(parts):
            is_prefix = prefix and n == len(parts) - 1
            if is_prefix and len(part) < _MIN_PREFIX:
                raise ValueError(f"prefix {part!r} shorter than {_MIN_PREFIX} letters")
            limit = _FUZZY_PREFIX if is_prefix else _FUZZY_WORD
            out.append((part, is_prefix, not exact and len(part) >= limit))
    return tuple(out)


class _Compiler:
    """Turns the YAML mapping into rules over interned term groups, noting every problem."""

    def __init__(self, data: Any) -> None:
        self.problems: list[tuple[str, str]] = []
        self.groups: list[tuple[Term, ...]] = []
        self.lists: dict[str, list[Term]] = {}
        self.rules: list[_Rule] = []
        self.intent = -1
        if not isinstance(data, Mapping) or not isinstance(data.get("lists", {}), Mapping):
            self.problems.append(("", "the file must be a mapping with `lists` and `rules`"))
            return
        for name, raw in data.get("lists", {}).items():
            self.lists[str(name)] = self.terms(raw, f"lists.{name}")
        if "intent" in data:
            self.intent = self.group(data["intent"], "intent")
        rules = data.get("rules")
        if not isinstance(rules, list) or not rules:
            self.problems.append(("rules", "must be a non-empty list"))
            return
        seen: set[str] = set()
        for n, raw in enumerate(rules):
            if (rule := self.rule(raw, f"rules[{n}]", seen)) is not None:
                self.rules.append(rule)

    def terms(self, raw: Any, path: str) -> list[Term]:
        """Parse a list of terms, expanding `@name` to the terms of an earlier list."""
        if not isinstance(raw, list) or not raw:
            self.problems.append((path, "must be a non-empty list of terms"))
            return []
        out: list[Term] = []
        for n, item in enumerate(raw):
            if isinstance(item, str) and item.startswith("@"):
                if item[1:] not in self.lists:
                    self.problems.append((f"{path}[{n}]", f"unknown list {item!r}"))
                out.extend(self.lists.get(item[1:], ()))
                continue
            try:
                out.append(_parse_term(item))
            except ValueError as err:
                self.problems.append((f"{path}[{n}]", str(err)))
        return out

    def group(self, raw: Any, path: str) -> int:
        self.groups.append(tuple(self.terms(raw, path)))
        return len(self.groups) - 1

    def rule(self, raw: Any, path: str, seen: set[str]) -> _Rule | None:
        """Check one rule; record problems and return None when it is unusable."""
        before = len(self.problems)
        if not isinstance(raw, Mapping):
            self.problems.append((path, "a rule must be a mapping"))
            return None
        self.problems += [(f"{path}.{key}", "unknown key") for key in set(raw) - _RULE_KEYS]
        rid, topic, lang, within = (raw.get(k) for k in ("id", "topic", "lang", "within"))
        checks = [
            ("id", isinstance(rid, str) and rid and rid not in seen, "missing or duplicate id"),
            ("topic", topic in TOPICS, f"must be one of {', '.join(TOPICS)}"),
            ("lang", lang in LANGS, f"must be one of {', '.join(LANGS)}"),
            ("within", within is None or (type(within) is int and within > 1), "a number >= 2"),
        ]
        self.problems += [(f"{path}.{key}", why) for key, ok, why in checks if not ok]
        seen.add(str(rid))
        groups = self._groups(raw, path)
        unless = self._unless(raw.get("unless"), topic, f"{path}.unless")
        except_ = self.group(raw["except"], f"{path}.except") if "except" in raw else -1
        if len(self.problems) > before:
            return None
        hit = CrisisHit(str(topic), None if lang == "any" else str(lang), str(rid))
        return _Rule(hit, frozenset(groups), within or 0, unless, except_)

    def _groups(self, raw: Mapping[str, Any], path: str) -> tuple[int, ...]:
        if ("any" in raw) == ("all" in raw):
            self.problems.append((path, "needs exactly one of `any` or `all`"))
            return ()
        if "any" in raw:
            return (self.group(raw["any"], f"{path}.any"),)
        groups = raw["all"] if isinstance(raw["all"], list) and raw["all"] else [None]
        return tuple(self.group(g, f"{path}.all[{n}]") for n, g in enumerate(groups))

    def _unless(self, names: Any, topic: Any, path: str) -> int:
        """Context lists may only disarm danger rules: suicide and abuse always fire."""
        if names is None:
            return -1
        if topic != "crisis-danger" or not isinstance(names, list):
            self.problems.append((path, "a list of list names, on crisis-danger rules only"))
            return -1
        return self.group([f"@{name}" for name in names], path)


class CrisisDetector:
    """Rules indexed once at load, so a message costs a few dict look-ups per word."""

    def __init__(self, compiled: _Compiler) -> None:
        self._rules = tuple(compiled.rules)
        self._intent = compiled.intent
        ids: dict[Word, int] = {}
        starts: dict[int, dict[tuple[int, ...], list[int]]] = {}  # first word -> term -> groups
        for gid, group in enumerate(compiled.groups):
            for term in group:
                wids = tuple(ids.setdefault(w, len(ids)) for w in term)
                starts.setdefault(wids[0], {}).setdefault(wids, []).append(gid)
        self._starts = {wid: list(terms.items()) for wid, terms in starts.items()}
        self._words, self._any = list(ids), ids.get(_ANY, -1)
        self._plain: dict[tuple[str, bool], set[int]] = {}  # (text, is prefix) -> word ids
        self._fuzzy: dict[tuple[str, int, bool], list[int]] = {}  # (letter, length, prefix)
        for i, (text, prefix, fuzzy) in enumerate(self._words):
            self._plain.setdefault((text, prefix), set()).add(i)
            if fuzzy:
                self._fuzzy.setdefault((text[0], len(text), prefix), []).append(i)
        self._prefix_lens = sorted({len(w[0]) for w in self._words if w[1]})
        self._match_word = lru_cache(maxsize=20_000)(self._match)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CrisisDetector:
        compiled = _Compiler(data)
        if compiled.problems:
            path, reason = compiled.problems[0]
            raise ValueError(f"{path}: {reason}")
        return cls(compiled)

    @staticmethod
    def problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
        return _Compiler(data).problems

    def detect(self, text: str) -> CrisisHit | None:
        """The first rule in file order that fires: the file is ordered by priority."""
        spans = self._spans(text)
        return next((r.hit for r in self._rules if self._fires(r, spans)), None)

    def explain(self, text: str) -> list[CrisisHit]:
        spans = self._spans(text)
        return [r.hit for r in self._rules if self._fires(r, spans)]

    def _match(self, word: str) -> frozenset[int]:
        """Ids of the term words that `word` matches exactly, by prefix or with one typo."""
        hits = set(self._plain.get((word, False), ()))
        for n in self._prefix_lens:
            hits.update(self._plain.get((word[:n], True), ()))
        if len(word) >= _FUZZY_WORD - 1:
            hits.update(self._typos(word))
        return frozenset(hits)

    def _typos(self, word: str) -> set[int]:
        """One typo, never on the first letter (phones rarely miss it; 'zorgen' is not 'morgen')
        nor on a prefix's last letter ('strange' is not 'strangl*'). Buckets: letter, length."""
        hits: set[int] = set()
        sizes = [(n, False) for n in (len(word) - 1, len(word), len(word) + 1)]
        sizes += [(n, True) for n in range(_FUZZY_PREFIX, len(word) + 2)]
        for size, prefix in sizes:
            heads = (word[: size - 1], word[:size], word[: size + 1]) if prefix else (word,)
            for wid in self._fuzzy.get((word[0], size, prefix), ()):
                text = self._words[wid][0]
                if any((h[-1] == text[-1] or not prefix) and _near(h, text) for h in heads):
                    hits.add(wid)
        return hits

    def _spans(self, text: str) -> dict[int, list[tuple[int, int]]]:
        """For each term group present in the message, the (start, end) word spans it covers."""
        matched = [self._match_word(w) for w in words(text)]
        spans: dict[int, list[tuple[int, int]]] = {}
        for start, wids in enumerate(matched):
            for wid in wids:
                for ids, gids in self._starts.get(wid, ()):
                    end = start + len(ids)
                    if end <= len(matched) and all(
                        i == self._any or i in matched[start + k] for k, i in enumerate(ids)
                    ):
                        for gid in gids:
                            spans.setdefault(gid, []).append((start, end))
        return spans

    def _fires(self, rule: _Rule, spans: dict[int, list[tuple[int, int]]]) -> bool:
        if not rule.groups <= spans.keys():
            return False
        masked = {p for s, e in spans.get(rule.except_, ()) for p in range(s, e)}
        starts: list[list[int]] = []
        for gid in rule.groups:
            found = [s for s, e in spans.get(gid, ()) if masked.isdisjoint(range(s, e))]
            if not found:
                return False
            starts.append(found)
        if rule.within and not _in_window(starts, rule.within):
            return False
        return rule.unless not in spans or self._intended(rule, spans)

    def _intended(self, rule: _Rule, spans: dict[int, list[tuple[int, int]]]) -> bool:
        """A strong intent marker outside the rule's own words overrides its `unless`: in
        "leaving for university tomorrow" the trigger's own "tomorrow" must not count."""
        own = {p for gid in rule.groups for s, e in spans[gid] for p in range(s, e)}
        return any(not own.issuperset(range(s, e)) for s, e in spans.get(self._intent, ()))


def _keyboard() -> frozenset[tuple[str, str]]:
    """Neighbouring keys on QWERTY and AZERTY (each row sits half a key right of the one above)."""
    pairs = set()
    for rows in _ROWS:
        for r, row in enumerate(rows):
            for c, key in enumerate(row):
                below = rows[r + 1][max(c - 1, 0) : c + 1] if r + 1 < len(rows) else ""
                pairs |= {(key, n) for n in row[c + 1 : c + 2] + below}
    return frozenset(pairs | {(b, a) for a, b in pairs})


_NEIGHBOURS = _keyboard()


def _near(typed: str, term: str) -> bool:
    """One letter missing, extra, swapped, or replaced by its keyboard neighbour. Any wrong
    letter would read real words as crisis words: racist/rapist, geslapen/geslagen."""
    if Indel.distance(typed, term, score_cutoff=1) <= 1:
        return True
    if len(typed) != len(term) or OSA.distance(typed, term, score_cutoff=1) > 1:
        return False
    wrong = [(a, b) for a, b in zip(typed, term, strict=True) if a != b]
    return len(wrong) == 2 or wrong[0] in _NEIGHBOURS


def _in_window(starts: list[list[int]], width: int) -> bool:
    """True when one start from every group lies inside some `width`-word window."""
    anchors = sorted({s for group in starts for s in group})
    return any(all(any(a <= s < a + width for s in group) for group in starts) for a in anchors)
