"""The Telegram-free parts of moderation: hours, gap groups, learned YAML, uploads, versions."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from bot.charts import ChartLabels, days_between, stats_png
from bot.config import from_env
from bot.errors import ConfigError
from bot.gaps import group_gaps, learned_yaml, similar
from bot.handoff_hours import parse_hours
from bot.kb_upload import (
    UploadError,
    export_zip,
    read_upload,
    restore_plan,
    summarize,
    target_for,
    version_files,
)
from bot.model import Snapshot
from bot.moderation import percent, stale
from bot.storage_types import Gap, KbVersion, Learned, Stats

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# -- who is a moderator ---------------------------------------------------------------------


def test_a_username_is_never_a_moderator(tmp_path: Path):
    with pytest.raises(ConfigError, match="usernames never count"):
        from_env({"HELPDESK_MODERATORS": "9000,@alice"}, dotenv=tmp_path / "none")


# -- hand-off hours -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (datetime(2026, 12, 2, 8, 0, tzinfo=UTC), True),  # Wednesday 09:00 Brussels
        (datetime(2026, 12, 2, 7, 59, tzinfo=UTC), False),  # Wednesday 08:59
        (datetime(2026, 12, 2, 16, 0, tzinfo=UTC), False),  # Wednesday 17:00: closed
        (datetime(2026, 12, 5, 9, 30, tzinfo=UTC), True),  # Saturday 10:30
        (datetime(2026, 12, 6, 10, 0, tzinfo=UTC), False),  # Sunday
        (datetime(2026, 7, 1, 7, 30, tzinfo=UTC), True),  # summer time: 09:30 Brussels
    ],
)
def test_handoff_hours_are_read_in_brussels_time(moment: datetime, open_: bool):
    hours = parse_hours("mon-fri 09:00-17:00; sat 10:00-12:00")
    assert hours.is_open(moment) is open_


def test_handoff_hours_describe_themselves_in_day_names():
    hours = parse_hours("mon-fri 09:00-17:00; sat 10:00-12:00")
    assert hours.describe(DAYS) == "Mon-Fri 09:00-17:00; Sat 10:00-12:00"


def test_empty_hours_mean_always_and_nonsense_is_refused():
    assert parse_hours("").is_open(NOW)
    with pytest.raises(ConfigError, match="HELPDESK_HANDOFF_HOURS"):
        parse_hours("weekdays 9 to 5")


# -- gaps -------------------------------------------------------------------------------------


def gap(n: int, text: str, lang: str | None = "nl") -> Gap:
    return Gap(n, NOW, text, lang, "abstain", False)


def test_similar_gaps_form_one_group_newest_first():
    gaps = [
        gap(4, "Mijn zoon luistert naar drill rap met geweld!"),
        gap(3, "hoe laat is het"),
        gap(2, "mijn zoon luistert naar drill rap met geweld"),
        gap(1, "mijn zoon luistert de hele dag naar drill rap met geweld"),
    ]
    groups = group_gaps(gaps)
    assert [[g.id for g in group] for group in groups] == [[4, 2, 1], [3]]
    assert not similar("hoe laat is het", "mijn zoon luistert naar drill")


def test_learned_phrasings_print_as_yaml_in_the_entries_format(snapshot: Snapshot):
    learned = [
        Learned(1, NOW, "signs-overview", "nl", "wat zijn rode vlaggen", "k"),
        Learned(2, NOW, "signs-overview", "fr", "quels signaux d'alerte", "k"),
        Learned(3, NOW, "signs-overview", "nl", "wat zijn rode vlaggen", "k"),
        Learned(4, NOW, "talking-start", "en", "how do I start: the talk?", "k"),
    ]
    text = learned_yaml(learned, snapshot)
    data = yaml.safe_load(text)
    assert data == [
        {"id": "signs-overview", "questions": {"nl": ["wat zijn rode vlaggen"],
                                               "fr": ["quels signaux d'alerte"]}},
        {"id": "talking-start", "questions": {"en": ["how do I start: the talk?"]}},
    ]  # fmt: skip
    assert "# entries/signs.yaml" in text
    assert yaml.safe_load(learned_yaml([])) == []


# -- uploads ----------------------------------------------------------------------------------


def test_a_single_file_replaces_the_file_of_that_name(kb_copy: Path):
    entries = "- id: x\n  questions: {nl: [a]}\n"
    assert target_for("signs.yaml", entries, kb_copy) == "entries/signs.yaml"
    assert target_for("services.yaml", "[]", kb_copy) == "services.yaml"
    assert target_for("telegram.yaml", "a: b", kb_copy) == "strings/telegram.yaml"
    assert target_for("brand-new.yaml", entries, kb_copy) == "entries/brand-new.yaml"
    assert target_for("lint.yaml", "stigmatising: {}", kb_copy) == "lint.yaml"


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_a_zip_keeps_paths_and_drops_a_common_top_folder(kb_copy: Path):
    files = read_upload("kb.zip", zipped({"knowledge/entries/signs.yaml": "[]",
                                          "knowledge/README.md": "x"}), kb_copy)  # fmt: skip
    assert files == {"entries/signs.yaml": "[]"}
    round_trip = read_upload("kb.zip", export_zip(kb_copy), kb_copy)
    assert "entries/signs.yaml" in round_trip and "catalogue.yaml" in round_trip


@pytest.mark.parametrize("name", ["../evil.yaml", "entries/../../evil.yaml", "/etc/x.yaml"])
def test_a_zip_cannot_write_outside_the_folder(kb_copy: Path, name: str):
    with pytest.raises(UploadError):
        read_upload("kb.zip", zipped({name: "[]"}), kb_copy)


@pytest.mark.parametrize(
    ("name", "content"),
    [("notes.pdf", b"%PDF"), ("x.yaml", b"\xff\xfe\x00bad"), ("kb.zip", b"not a zip")],
)
def test_uploads_that_cannot_be_read_are_refused(kb_copy: Path, name: str, content: bytes):
    with pytest.raises(UploadError):
        read_upload(name, content, kb_copy)


# -- versions ---------------------------------------------------------------------------------


def version(n: int, changed: dict[str, str | None], before: dict[str, str | None]) -> KbVersion:
    return KbVersion(n, NOW, "key", "", version_files(changed, before))


def test_rollback_restores_what_each_file_held_before_the_first_later_version():
    v1 = version(1, {"a.yaml": "a1"}, {"a.yaml": "a0"})
    v2 = version(2, {"a.yaml": "a2", "new.yaml": "n2"}, {"a.yaml": "a1", "new.yaml": None})
    v3 = version(3, {"b.yaml": None}, {"b.yaml": "b0"})
    assert restore_plan([v2, v3]) == {"a.yaml": "a1", "new.yaml": None, "b.yaml": "b0"}
    assert restore_plan([v1, v2, v3]) == {"a.yaml": "a0", "new.yaml": None, "b.yaml": "b0"}


def test_a_summary_counts_changes_not_line_moves(snapshot: Snapshot):
    assert str(summarize(snapshot, snapshot, 0)).endswith("entries +0 -0 ~0; services +0 -0 ~0")


# -- reports ----------------------------------------------------------------------------------


def test_percentages_of_nothing_are_zero():
    assert (percent(1, 2), percent(0, 0), percent(2, 3)) == (50, 0, 67)


def test_stale_lists_what_was_not_reviewed_for_a_year(snapshot: Snapshot):
    assert not stale(snapshot, date(2026, 12, 2)).entries
    later = stale(snapshot, date(2030, 1, 1))
    assert len(later.entries) == len(snapshot.entries)
    assert later.services


def test_the_chart_is_a_png_with_every_day():
    stats = Stats(NOW, per_day={"2026-12-01": 3}, by_topic={"signs": 3, "talking": 1})
    assert [n for _, n in days_between(date(2026, 11, 30), date(2026, 12, 2), stats.per_day)] == [
        0, 3, 0
    ]  # fmt: skip
    png = stats_png(stats, date(2026, 12, 9), ChartLabels("per day", "per topic", "questions"))
    assert png.startswith(b"\x89PNG")
