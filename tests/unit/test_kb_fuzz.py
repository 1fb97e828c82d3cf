"""An editor's slip in any knowledge file is reported as `file:line: reason`, never a traceback.

A seeded mutator breaks one file of a copy of knowledge/ the way hurried editing does (a line
lost or doubled, characters swapped, a file cut short, a stray tab, colon or quote, a value
turned into a list, a key removed) and `validate` must answer with Problems, possibly none.

    KB_FUZZ_RUNS=400 pytest tests/unit/test_kb_fuzz.py     # deeper than the default 9 (~7 min)
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.errors import Problem
from bot.knowledge import validate

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
RUNS = int(os.environ.get("KB_FUZZ_RUNS", "9"))  # one of each mutation

KEY_LINE = re.compile(r"^(?P<indent>\s*(?:- )?)(?P<key>[\w.-]+):(?P<value>\s+\S.*)?$")
STRAYS = ("\t", ":", "'", '"', ": ", "- ", "{", "[", "]", "&a ", "*a ", "!!str ", "? ", "#", "\\")

Mutation = Callable[[random.Random, str], str]


def delete_line(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    del lines[rng.randrange(len(lines))]
    return "".join(lines)


def duplicate_line(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    at = rng.randrange(len(lines))
    lines.insert(at, lines[at])
    return "".join(lines)


def swap_characters(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) - 1)
    return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


def truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text))]


def insert_stray(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text))
    return text[:at] + rng.choice(STRAYS) + text[at:]


def value_to_list(rng: random.Random, text: str) -> str:
    return _on_key_line(
        rng, text, lambda m: f"{m['indent']}{m['key']}: [{(m['value'] or '').strip()}, x]"
    )


def value_to_mapping(rng: random.Random, text: str) -> str:
    return _on_key_line(rng, text, lambda m: f"{m['indent']}{m['key']}: {{nl: {{}}, x: 1}}")


def remove_key(rng: random.Random, text: str) -> str:
    """Drop a `key:` line and the block indented under it."""
    lines = text.splitlines(keepends=True)
    keys = [n for n, line in enumerate(lines) if KEY_LINE.match(line.rstrip("\n"))]
    if not keys:
        return delete_line(rng, text)
    at = rng.choice(keys)
    depth = _indent(lines[at])
    end = at + 1
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > depth):
        end += 1
    return "".join(lines[:at] + lines[end:])


def reindent(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    at = rng.randrange(len(lines))
    lines[at] = (
        lines[at][2:] if lines[at].startswith("  ") and rng.random() < 0.5 else "  " + lines[at]
    )
    return "".join(lines)


def _on_key_line(rng: random.Random, text: str, change: Callable[[re.Match[str]], str]) -> str:
    lines = text.splitlines(keepends=True)
    found = [(n, m) for n, line in enumerate(lines) if (m := KEY_LINE.match(line.rstrip("\n")))]
    with_value = [(n, m) for n, m in found if m["value"]] or found
    if not with_value:
        return insert_stray(rng, text)
    at, match = rng.choice(with_value)
    lines[at] = change(match) + "\n"
    return "".join(lines)


def _indent(line: str) -> int:
    stripped = line.lstrip(" ")
    return len(line) - len(stripped) + (2 if stripped.startswith("- ") else 0)


MUTATIONS: tuple[Mutation, ...] = (
    delete_line,
    duplicate_line,
    swap_characters,
    truncate,
    insert_stray,
    value_to_list,
    value_to_mapping,
    remove_key,
    reindent,
)


def knowledge_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.yaml") if p.stat().st_size > 1)


def mutate(folder: Path, seed: int) -> tuple[Path, str]:
    """Break one file of `folder` with the seed's mutation; return the file and its old text."""
    rng = random.Random(seed)
    mutation = MUTATIONS[seed % len(MUTATIONS)]
    path = rng.choice(knowledge_files(folder))
    original = path.read_text(encoding="utf-8")
    path.chmod(0o644)
    for _ in range(rng.randint(1, 3)):  # sometimes several slips in one file
        path.write_text(mutation(rng, path.read_text(encoding="utf-8")) or "\n", encoding="utf-8")
    return path, original


def validate_or_fail(folder: Path, what: str) -> list[Problem]:
    """`validate`, with any exception turned into one clear failure (not a page of frames)."""
    try:
        return validate(folder)
    except Exception as error:  # the property under test is "never raises"
        pytest.fail(f"validate raised {type(error).__name__} on {what}: {str(error)[:200]}")


def assert_well_formed(problems: list[Problem]) -> None:
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert isinstance(problem.file, str) and problem.file, problem
        assert isinstance(problem.line, int) and problem.line >= 1, problem
        assert isinstance(problem.reason, str) and problem.reason.strip(), problem
        assert problem.severity in ("error", "warning"), problem


@pytest.fixture(scope="module")
def shared_copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One copy for the module; each test breaks one file and puts it back."""
    target = tmp_path_factory.mktemp("fuzz") / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    yield target


def _label(seed: int) -> str:
    return f"{seed}-{MUTATIONS[seed % len(MUTATIONS)].__name__}"


@pytest.mark.parametrize("seed", range(RUNS), ids=_label)
def test_mutated_knowledge_gives_problems_not_exceptions(shared_copy: Path, seed: int) -> None:
    path, original = mutate(shared_copy, seed)
    try:
        problems = validate_or_fail(shared_copy, f"seed {seed} ({path.name})")
    finally:
        path.write_text(original, encoding="utf-8")
    assert_well_formed(problems)


PATHOLOGICAL = {
    "services.yaml": b"",  # emptied
    "catalogue.yaml": b"\xff\xfe\x00not utf-8",
    "crisis.yaml": b"- [unclosed\n",
    "language.yaml": b"just a sentence\n",
    "entries/signs.yaml": b"- id: x\n  id: y\n",  # duplicate key
    "entries/talking.yaml": b"a: &a [*a]\n",  # recursive alias
    "strings/core.yaml": b"!!python/object/apply:os.system ['true']\n",  # unsafe tag
    "entries/travel.yaml": b"- id: travel-x\n  questions: {nl: [\t]}\n",
}


def test_pathological_files_each_give_an_error_in_one_run(kb_copy: Path) -> None:
    for name, content in PATHOLOGICAL.items():
        (kb_copy / name).chmod(0o644)
        (kb_copy / name).write_bytes(content)
    problems = validate_or_fail(kb_copy, "pathological files")
    assert_well_formed(problems)
    with_errors = {p.file for p in problems if p.severity == "error"}
    assert set(PATHOLOGICAL) <= with_errors, set(PATHOLOGICAL) - with_errors


def test_deeply_nested_yaml_gives_a_problem(kb_copy: Path) -> None:
    """300 levels of `[` exhaust PyYAML's recursive parser: a RecursionError, not a YAMLError."""
    (kb_copy / "entries" / "signs.yaml").write_text("[" * 300 + "]" * 300 + "\n", encoding="utf-8")
    problems = validate_or_fail(kb_copy, "300 nested lists in entries/signs.yaml")
    assert any(p.file == "entries/signs.yaml" and p.severity == "error" for p in problems)


@pytest.mark.parametrize("seed", [1003, 1005, 1007], ids=_label)
def test_kb_validate_command_on_mutated_copies(kb_copy: Path, seed: int) -> None:
    mutate(kb_copy, seed)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "kb", "validate", str(kb_copy)],
        capture_output=True,
        text=True,
        cwd=kb_copy.parent,
        check=False,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), output
    assert "Traceback" not in output
    assert "error(s)" in result.stderr
    if result.returncode == 1:
        assert re.search(r"^\S+:\d+: ", result.stdout, re.MULTILINE), output
