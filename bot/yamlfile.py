"""YAML parsing that remembers line numbers, so every validation message can say `file:line`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.errors import Problem


class LineDict(dict[str, Any]):
    """A mapping that knows the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence that knows the line it starts on and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry 1-based line numbers."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def parse_text(text: str, name: str) -> tuple[Any, Problem | None]:
    """Parse YAML `text`; on a syntax error return (None, Problem) instead of raising."""
    try:
        return yaml.load(text, Loader=_Loader), None  # noqa: S506 - _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        reason = f"YAML syntax: {error.problem or error.context or 'invalid'}"
        return None, Problem(name, line, reason)
    except yaml.YAMLError as error:
        return None, Problem(name, 1, f"YAML: {error}")
    except RecursionError:
        return None, Problem(name, 1, "YAML: nested too deeply to read")


def parse_file(path: Path, name: str | None = None) -> tuple[Any, Problem | None]:
    """Read and parse one file; unreadable or non-UTF-8 files become a Problem."""
    label = name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, Problem(label, 1, f"cannot read file: {error}")
    return parse_text(text, label)
