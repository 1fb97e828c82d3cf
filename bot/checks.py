"""Small typed checks over line-aware YAML values, collecting Problems instead of raising."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from bot.errors import Problem
from bot.model import LANGS
from bot.yamlfile import LineDict, LineList

_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class Checker:
    """Collects problems for one file; every check names the line of the offending value."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def error(self, line: int, reason: str) -> None:
        self.problems.append(Problem(self.file, line, reason))

    def warn(self, line: int, reason: str) -> None:
        self.problems.append(Problem(self.file, line, reason, "warning"))

    def mapping(self, value: Any, line: int, what: str) -> LineDict | None:
        if isinstance(value, LineDict):
            return value
        self.error(line, f"{what} must be a mapping, got {type_name(value)}")
        return None

    def keys(
        self, item: LineDict, what: str, required: Iterable[str], allowed: Iterable[str]
    ) -> bool:
        """Report missing and unknown keys; True when every required key is there."""
        allowed_set = set(allowed) | set(required)
        for key in item:
            if key not in allowed_set:
                self.error(item.line_of(key), f"{what}: unknown key {key!r}")
        missing = [key for key in required if key not in item]
        for key in missing:
            self.error(item.line, f"{what}: missing required field {key!r}")
        return not missing

    def text(self, item: LineDict, key: str, what: str) -> str:
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            self.error(item.line_of(key), f"{what}: {key} must be a non-empty text")
            return ""
        return value.strip()

    def per_language(self, item: LineDict, key: str, what: str) -> dict[str, Any]:
        """A mapping with exactly the languages nl, fr and en."""
        value = self.mapping(item.get(key), item.line_of(key), f"{what}: {key}")
        if value is None:
            return {}
        for lang in value:
            if lang not in LANGS:
                self.error(value.line_of(lang), f"{what}: {key}: unknown language {lang!r}")
        for lang in LANGS:
            if lang not in value:
                self.error(value.line, f"{what}: {key}: language {lang!r} missing")
        return {lang: value[lang] for lang in LANGS if lang in value}

    def texts(self, item: LineDict, key: str, what: str) -> dict[str, str]:
        found = self.per_language(item, key, what)
        holder = item.get(key)
        result: dict[str, str] = {}
        for lang, value in found.items():
            if isinstance(value, str) and value.strip():
                result[lang] = value.strip()
            else:
                line = holder.line_of(lang) if isinstance(holder, LineDict) else item.line
                self.error(line, f"{what}: {key}.{lang} must be a non-empty text")
        return result

    def string_list(self, item: LineDict, key: str, what: str) -> list[str]:
        if key not in item:
            return []
        value = item[key]
        if not isinstance(value, LineList):
            self.error(item.line_of(key), f"{what}: {key} must be a list")
            return []
        result = []
        for index, element in enumerate(value):
            if isinstance(element, str) and element.strip():
                result.append(element.strip())
            else:
                self.error(value.line_of(index), f"{what}: {key}[{index}] must be a non-empty text")
        return result

    def day(self, item: LineDict, key: str, what: str) -> date | None:
        value = item.get(key)
        if isinstance(value, date):
            return value
        self.error(item.line_of(key), f"{what}: {key} must be a date (YYYY-MM-DD)")
        return None


def type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "nothing" if value is None else type(value).__name__


def line_at(data: Any, path: str) -> int:
    """The line of `path` (like `rules[3].all[1]`) inside parsed YAML, as deep as it resolves."""
    node, line = data, getattr(data, "line", 1)
    for key, index in _PATH_PART.findall(path):
        if key and isinstance(node, LineDict) and key in node:
            line, node = node.line_of(key), node[key]
        elif index and isinstance(node, LineList) and int(index) < len(node):
            line, node = node.line_of(int(index)), node[int(index)]
        else:
            break
    return line
