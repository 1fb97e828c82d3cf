"""Every way the core fails on purpose, in one place.

    HelpdeskError
    ├── ConfigError        an environment variable has an invalid value (one line per problem)
    └── KnowledgeError     the knowledge base does not validate; carries every Problem found

Storage failures are not raised into the answer path: `bot.recorder` logs and counts them.
"""

from __future__ import annotations

from dataclasses import dataclass


class HelpdeskError(Exception):
    """Base class of the core's own errors."""


class ConfigError(HelpdeskError):
    """Configuration from the environment is invalid."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation finding, reported as `file:line: reason`."""

    file: str
    line: int
    reason: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {prefix}{self.reason}"


class KnowledgeError(HelpdeskError):
    """The knowledge base has errors; `problems` lists all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
