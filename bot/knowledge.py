"""Load the knowledge folder into one validated, immutable Snapshot.

`validate(folder)` returns every problem (errors and lint warnings) without raising;
`load_snapshot(folder)` raises KnowledgeError when there is any error. A reload builds a new
Snapshot beside the old one; the caller swaps it in only when it loaded cleanly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from bot.checks import Checker, line_at
from bot.crisis import CrisisDetector
from bot.errors import KnowledgeError, Problem
from bot.kb_entries import cross_check, parse_entries
from bot.kb_services import parse_services
from bot.lint import lint
from bot.model import LANGS, Snapshot, Topic
from bot.yamlfile import LineDict, parse_file

REQUIRED_FILES = ("catalogue.yaml", "services.yaml", "crisis.yaml", "language.yaml")


@dataclass
class _Run:
    """What one validation pass has read so far."""

    root: Path
    checks: dict[str, Checker] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    def read(self, relative: str) -> Any:
        path = self.root / relative
        check = self.checks.setdefault(relative, Checker(relative))
        if not path.is_file():
            check.error(1, "file not found")
            return None
        value, problem = parse_file(path, relative)
        if problem is not None:
            check.problems.append(problem)
        self.data[relative] = value
        return value

    def problems(self) -> list[Problem]:
        return [p for check in self.checks.values() for p in check.problems]


def validate(folder: str | Path) -> list[Problem]:
    """Every error and warning in the knowledge folder, in file order."""
    try:
        _, problems = _build(Path(folder))
    except KnowledgeError as error:
        return error.problems
    return problems


def inspect(folder: str | Path) -> tuple[Snapshot | None, list[Problem]]:
    """The Snapshot (None when there are errors) and every problem: validate and load in one."""
    try:
        snapshot, problems = _build(Path(folder))
    except KnowledgeError as error:
        return None, error.problems
    errors = any(p.severity == "error" for p in problems)
    return (None if errors else snapshot), problems


def load_snapshot(folder: str | Path) -> Snapshot:
    """A Snapshot of `folder`; raises KnowledgeError listing every error."""
    snapshot, problems = _build(Path(folder))
    errors = [p for p in problems if p.severity == "error"]
    if errors or snapshot is None:
        raise KnowledgeError(errors)
    return snapshot


def _build(root: Path) -> tuple[Snapshot | None, list[Problem]]:
    if not root.is_dir():
        raise KnowledgeError([Problem(str(root), 1, "knowledge folder not found")])
    run = _Run(root)
    topics = _topics(run)
    sources = _mapping_file(run, "sources.yaml", "sources", optional=True)
    services = {
        s.id: s for s in parse_services(run.read("services.yaml"), run.checks["services.yaml"])
    }
    _require_catalogue_services(run, services)
    entries = []
    for path in sorted((root / "entries").glob("*.yaml")):
        relative = str(path.relative_to(root))
        entries.extend(parse_entries(run.read(relative), run.checks[relative]))
    context = {"topics": topics, "services": services, "sources": sources}
    cross_check(entries, context, run.checks)
    _require_topic_coverage(run, topics, entries)
    strings = _strings(run)
    language = _mapping_file(run, "language.yaml", None)
    crisis = _crisis(run)
    places = _places(run)
    contacts = _mapping_file(run, "local_contacts.yaml", "municipalities", optional=True)
    lint_words = _lint_words(run)
    out_of_scope = _out_of_scope(run)
    if any(p.severity == "error" for p in run.problems()):
        return None, run.problems()
    snapshot = Snapshot(
        topics=MappingProxyType(topics),
        entries=tuple(entries),
        by_id=MappingProxyType({e.id: e for e in entries}),
        services=MappingProxyType(services),
        strings=MappingProxyType(strings),
        language=MappingProxyType(dict(language)),
        crisis=crisis,
        places=places,
        local_contacts=MappingProxyType(dict(contacts)),
        out_of_scope=MappingProxyType(out_of_scope),
        version=_fingerprint(root),
    )
    warnings = lint(snapshot, lint_words)
    for problem in warnings:
        run.checks.setdefault(problem.file, Checker(problem.file)).problems.append(problem)
    return snapshot, run.problems()


def _topics(run: _Run) -> dict[str, Topic]:
    data = run.read("catalogue.yaml")
    check = run.checks["catalogue.yaml"]
    catalogue = check.mapping(data, 1, "catalogue") if data is not None else None
    topics: dict[str, Topic] = {}
    for item in (catalogue or {}).get("topics", []) or []:
        if isinstance(item, LineDict) and check.keys(
            item, "topic", ("id", "kind"), ("audience", "about", "must_refer")
        ):
            must = tuple(item.get("must_refer") or ())
            topics[str(item["id"])] = Topic(
                str(item["id"]), str(item["kind"]), str(item.get("audience", "all")),
                str(item.get("about", "")), must,
            )  # fmt: skip
    if not topics and catalogue is not None:
        check.error(catalogue.line, "catalogue has no topics")
    run.data["catalogue_services"] = list((catalogue or {}).get("services", []) or [])
    return topics


def _require_catalogue_services(run: _Run, services: dict[str, Any]) -> None:
    check = run.checks["services.yaml"]
    for service_id in run.data.get("catalogue_services", []):
        if service_id not in services:
            check.error(1, f"catalogue service {service_id!r} is not defined")


def _require_topic_coverage(run: _Run, topics: dict[str, Topic], entries: list[Any]) -> None:
    covered = {e.topic for e in entries}
    check = run.checks.setdefault("entries", Checker("entries"))
    for topic_id in topics:
        if topic_id not in covered:
            check.warn(1, f"topic {topic_id!r} has no entry")


def _mapping_file(run: _Run, relative: str, key: str | None, optional: bool = False) -> Any:
    if optional and not (run.root / relative).is_file():
        return {}
    data = run.read(relative)
    if data is None:
        return {}
    mapping = run.checks[relative].mapping(data, getattr(data, "line", 1), relative)
    if mapping is None:
        return {}
    if key is None:
        return mapping
    return run.checks[relative].mapping(mapping.get(key), mapping.line_of(key), key) or {}


def _strings(run: _Run) -> dict[str, MappingProxyType[str, str]]:
    strings: dict[str, MappingProxyType[str, str]] = {}
    for path in sorted((run.root / "strings").glob("*.yaml")):
        relative = str(path.relative_to(run.root))
        data = run.read(relative)
        check = run.checks[relative]
        mapping = check.mapping(data, 1, relative) if data is not None else None
        for key in mapping or {}:
            if key in strings:
                check.error(mapping.line_of(key), f"string {key!r} is defined twice")
            texts = check.texts(mapping, key, f"string {key}")
            if len(texts) == len(LANGS):
                strings[key] = MappingProxyType(texts)
    return strings


def _crisis(run: _Run) -> CrisisDetector | None:
    data = run.read("crisis.yaml")
    if data is None:
        return None
    check = run.checks["crisis.yaml"]
    for path, reason in CrisisDetector.problems(data):
        check.error(line_at(data, path), f"{path}: {reason}")
    if check.problems:
        return None
    return CrisisDetector.from_mapping(data)


def _places(run: _Run) -> Any:
    """Place data is optional: without it, /local explains the generic route only.

    places.yaml is generated, so it is read with the fast C loader, without line numbers.
    """
    path = run.root / "places.yaml"
    if not path.is_file():
        return None
    from bot.places import Places

    check = run.checks.setdefault("places.yaml", Checker("places.yaml"))
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return Places.from_mapping(yaml.load(path.read_text(encoding="utf-8"), Loader=loader))  # noqa: S506
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        check.error(1, f"place data not understood: {error}")
        return None


def _out_of_scope(run: _Run) -> dict[str, tuple[str, ...]]:
    """Everyday subjects the bot should decline, per language (optional file)."""
    data = _mapping_file(run, "out_of_scope.yaml", None, optional=True)
    if not data:
        return {}
    check = run.checks["out_of_scope.yaml"]
    return {
        lang: tuple(check.string_list(data, lang, "out_of_scope")) for lang in LANGS if lang in data
    }


def _lint_words(run: _Run) -> dict[str, list[str]]:
    data = _mapping_file(run, "lint.yaml", "stigmatising", optional=True)
    return {lang: [str(w) for w in data.get(lang, []) or []] for lang in LANGS}


def _fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
