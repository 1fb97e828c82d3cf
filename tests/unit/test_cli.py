"""The console script's contracts, driven as a user would: through `python -m bot`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from bot.console import chat
from bot.dialogue import Brain

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HELPDESK_KNOWLEDGE": str(ROOT / "knowledge")},
    )


def test_ask_json_prints_one_object_per_input_line() -> None:
    lines = "mijn zoon wil naar Syrië vertrekken\n\nwhat is an LIVC-R\n"
    result = _run("ask", "--json", stdin=lines)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 3
    for record in records:
        assert set(record) == {
            "text",
            "kind",
            "topic",
            "entry",
            "score",
            "lang",
            "services",
            "reply",
        }
        assert record["kind"] in ("answer", "crisis", "abstain")
    assert records[0]["text"] == "mijn zoon wil naar Syrië vertrekken"
    assert records[0]["topic"] in ("travel", "crisis-danger")
    assert "police-101" in records[0]["services"]
    assert records[1]["kind"] == "abstain"


def test_ask_with_text_argument() -> None:
    result = _run("ask", "hoe", "praat", "ik", "met", "mijn", "zoon", "over", "zijn", "ideeën")
    assert result.returncode == 0
    assert result.stdout.strip()


def test_kb_export_shape() -> None:
    result = _run("kb", "export")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"entries", "services"}
    first = data["entries"][0]
    assert {"id", "topic", "lang", "questions", "answer", "services"} <= set(first)
    ids = {e["id"] for e in data["entries"]}
    assert len(data["entries"]) == 3 * len(ids)
    assert any(s["id"] == "emergency-112" for s in data["services"])


def test_kb_stats_reports_full_coverage() -> None:
    result = _run("kb", "stats")
    assert result.returncode == 0, result.stdout
    assert "every topic is covered in nl, fr and en" in result.stdout


def test_eval_on_a_small_labelled_file(tmp_path: Path) -> None:
    labelled = tmp_path / "small.yaml"
    labelled.write_text(
        "- {q: 'ik wil mezelf iets aandoen', lang: nl, expect: crisis, topics: [crisis-suicide]}\n"
        "- {q: 'wat is het weer morgen in Oostende', lang: nl, expect: abstain, topics: []}\n"
        "- {q: 'signes de radicalisation chez mon fils', lang: fr, expect: answer, topics: [signs]}\n"
    )
    result = _run("eval", "--json", str(labelled))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["items"] == 3
    assert report["crisis_recall"] == 100.0
    assert report["abstain_accuracy"] == 100.0
    assert report["top1_accuracy"] == 100.0


def test_run_without_token_says_what_to_set_and_exits_2() -> None:
    result = _run("run")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr


def test_console_chat_answers_and_switches_language(brain: Brain) -> None:
    stdin = io.StringIO("/lang fr\nquels signes de radicalisation chez un ado\n/quit\n")
    stdout = io.StringIO()
    assert chat(brain, stdin, stdout) == 0
    out = stdout.getvalue()
    assert "Langue : français." in out
    assert "Où trouver de l'aide" in out
