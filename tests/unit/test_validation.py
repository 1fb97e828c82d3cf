"""The validator reports every mistake as file:line: reason, all in one run, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.knowledge import validate

TEN_MISTAKES = """\
- id: broken-one
  topic: no-such-topic
  audience: all
  title: {nl: Een, fr: Un, en: One}
  questions: {nl: [een vraag], fr: [une question], en: [a question]}
  answer: {nl: tekst, fr: texte, en: text}
  refer: [no-such-service]
  related: [no-such-entry]
  sources: [not-a-source]
  reviewed: 2026-11-28
  colour: blue
- id: broken-two
  topic: signs
  audience: everyone
  title: {nl: Twee, fr: Deux, en: Two}
  questions: {nl: [twee], fr: [deux]}
  answer: {nl: "", fr: texte, en: text}
  refer: []
  sources: ["https://example.org"]
  reviewed: 2026-11-28
- id: broken-one
  topic: signs
  audience: all
  title: {nl: Drie, fr: Trois, en: Three}
  questions: {nl: [drie], fr: [trois], en: [three]}
  answer: {nl: LONG, fr: texte, en: text}
  refer: []
  sources: ["https://example.org"]
  reviewed: 2026-11-28
- id: broken-four
  audience: all
  title: {nl: Vier, fr: Quatre, en: Four}
"""


def _errors(folder: Path) -> list[str]:
    return [str(p) for p in validate(folder) if p.severity == "error"]


def test_ten_mistakes_are_all_reported_with_their_lines(kb_copy: Path) -> None:
    text = TEN_MISTAKES.replace("LONG", "x " * 2000)
    (kb_copy / "entries" / "zz-broken.yaml").write_text(text)
    errors = [e for e in _errors(kb_copy) if e.startswith("entries/zz-broken.yaml")]
    expected = {
        2: "unknown topic 'no-such-topic'",
        7: "unknown service 'no-such-service'",
        8: "unknown entry 'no-such-entry'",
        9: "'not-a-source' is neither a URL",
        11: "unknown key 'colour'",
        14: "audience must be one of",
        16: "language 'en' missing",
        17: "answer.nl is empty",
        21: "duplicate id 'broken-one'",
        26: "after rendering",
        30: "missing required field 'topic'",
    }
    for line, reason in expected.items():
        assert any(
            e.startswith(f"entries/zz-broken.yaml:{line}:") and reason in e for e in errors
        ), (
            line,
            reason,
            errors,
        )
    assert len(errors) >= 10


def test_yaml_syntax_error_names_file_and_line(kb_copy: Path) -> None:
    (kb_copy / "entries" / "zz-syntax.yaml").write_text(
        "- id: x\n  topic: [signs\n  audience: all\n"
    )
    errors = _errors(kb_copy)
    assert any(e.startswith("entries/zz-syntax.yaml:3: YAML syntax") for e in errors), errors


def test_service_fact_without_source_is_an_error(kb_copy: Path) -> None:
    services = kb_copy / "services.yaml"
    text = services.read_text()
    services.write_text(text.replace("  sources:", "  sources_removed:", 1))
    errors = _errors(kb_copy)
    assert any(e.startswith("services.yaml:") for e in errors), errors


def test_a_missing_catalogue_service_is_reported(kb_copy: Path) -> None:
    (kb_copy / "catalogue.yaml").write_text(
        (kb_copy / "catalogue.yaml").read_text() + "  - brand-new-service\n"
    )
    assert any("brand-new-service" in e for e in _errors(kb_copy))


def test_the_real_knowledge_base_has_no_errors() -> None:
    errors = _errors(Path(__file__).resolve().parents[2] / "knowledge")
    assert errors == []


def test_cli_validate_exits_1_with_the_list_and_0_when_clean(kb_copy: Path) -> None:
    clean = subprocess.run(
        [sys.executable, "-m", "bot", "kb", "validate", str(kb_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    (kb_copy / "entries" / "zz-broken.yaml").write_text(TEN_MISTAKES.replace("LONG", "kort"))
    broken = subprocess.run(
        [sys.executable, "-m", "bot", "kb", "validate", "--quiet", str(kb_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert broken.returncode == 1
    assert "entries/zz-broken.yaml:2: entry broken-one: unknown topic" in broken.stdout
    assert "Traceback" not in broken.stderr
