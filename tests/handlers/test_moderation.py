"""Moderators' commands through the real Application: who may use them, and what they do."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.dialogue import Brain, Session
from bot.knowledge import load_snapshot
from bot.model import Snapshot
from handlers.moderation import COMMANDS, menu_commands
from tests import factories
from tests.handlers.conftest import MODERATOR, SETTINGS, visible
from tests.handlers.modfakes import WEDNESDAY_MORNING, ModBot, document, start, stop

SIGNS_QUESTION = "wat zijn de signalen van radicalisering"
NEW_ANSWER = "Dit is het nieuwe antwoord over signalen, net geüpload."


@pytest.fixture
async def bot(tmp_path: Path, brain: Brain) -> AsyncIterator[ModBot]:
    """Moderation wired, on the shared Brain (tests here that change knowledge use `editable`)."""
    running = await start(tmp_path, brain)
    yield running
    await stop(running)


@pytest.fixture
async def editable(tmp_path: Path, kb_copy: Path) -> AsyncIterator[ModBot]:
    """A bot of its own on a writable copy of the knowledge folder (loaded from that copy)."""
    running = await start(tmp_path, Brain(load_snapshot(kb_copy)), knowledge=kb_copy)
    yield running
    await stop(running)


def as_moderator(text: str) -> dict:
    return factories.message(text, user_id=MODERATOR, lang="en")


def reply_text(bot: ModBot) -> str:
    return "\n".join(visible(t) for t in bot.api.texts())


# -- who may use them -----------------------------------------------------------------------


@pytest.mark.parametrize("command", [*COMMANDS, "stats 7", "rollback 1", "preview hallo"])
async def test_a_non_moderator_gets_what_an_unknown_command_gets(bot: ModBot, command: str):
    await bot.feed(factories.message("/doesnotexist"))
    unknown = bot.api.texts()
    bot.api.clear()
    await bot.feed(factories.message(f"/{command}"))
    assert bot.api.texts() == unknown
    assert bot.sent("sendDocument") == []
    await bot.recorder.flush()
    assert await bot.storage.list_audit() == []


async def test_a_non_moderators_file_is_not_taken_as_a_knowledge_upload(bot: ModBot):
    file_id = bot.api.offer(b"- id: x\n")
    await bot.feed(document(file_id, "signs.yaml", user_id=factories.USER_ID))
    assert bot.api.called("getFile") == []
    assert "I can only read text" in reply_text(bot)  # the ordinary reply to a file


async def test_a_moderator_is_known_by_numeric_id_not_by_username(tmp_path: Path, brain: Brain):
    impostor = factories.message("/audit", user_id=4242)
    impostor["message"]["from"]["username"] = "moderator"
    running = await start(tmp_path, brain, replace(SETTINGS, moderators=frozenset({MODERATOR})))
    try:
        await running.feed(impostor)
        assert "No moderator actions" not in reply_text(running)
        await running.feed(as_moderator("/audit"))
        assert "No moderator actions yet" in reply_text(running)
    finally:
        await stop(running)


async def test_moderator_commands_stay_out_of_other_groups(bot: ModBot):
    await bot.feed(factories.message("/stats", chat_id=factories.GROUP_ID, user_id=MODERATOR))
    assert bot.api.texts() == []


# -- reports ----------------------------------------------------------------------------------


async def test_stats_sends_figures_and_a_png_chart(bot: ModBot):
    await bot.feed(factories.message(SIGNS_QUESTION))
    await bot.feed(factories.message("asdf qwerty zxcv"))
    await bot.recorder.flush()
    bot.api.clear()
    await bot.feed(as_moderator("/stats 7"))
    text = reply_text(bot)
    assert "Questions: 2" in text and "Answered: 1 (50%)" in text
    assert "signs" in text
    [chart] = bot.sent("sendDocument")
    [files] = bot.api.files
    name, content, _mime = files["document"]
    assert name == "stats.png" and content.startswith(b"\x89PNG")
    assert chart["caption"]


async def test_preview_shows_the_decision_and_the_reply_a_user_gets(bot: ModBot, brain: Brain):
    await bot.feed(as_moderator(f"/preview {SIGNS_QUESTION}"))
    text = reply_text(bot)
    assert "No crisis rule fires." in text
    assert "signs" in text and "Decision: answer" in text
    user_reply = brain.respond(SIGNS_QUESTION, Session(lang="en"))
    assert visible(bot.api.texts()[-1]).count(user_reply.body.split("\n")[0]) == 1
    await bot.recorder.flush()
    assert SIGNS_QUESTION not in json.dumps([a.detail for a in await bot.storage.list_audit()])


async def test_preview_of_a_crisis_names_the_rule(bot: ModBot):
    await bot.feed(as_moderator("/preview ik wil zelfmoord plegen"))
    assert "Crisis rules that fire:" in reply_text(bot)
    assert "Decision: crisis" in reply_text(bot)


async def test_stale_lists_entries_past_their_review_date(tmp_path: Path, brain: Brain):
    later = WEDNESDAY_MORNING + timedelta(days=800)
    running = await start(tmp_path, brain, clock=lambda: later)
    try:
        await running.feed(as_moderator("/stale"))
        text = reply_text(running)
        assert "Not reviewed for more than a year" in text
        assert "signs-overview" in text or "entries/signs.yaml" in text
    finally:
        await stop(running)


async def test_every_action_is_audited_without_user_text(bot: ModBot):
    await bot.feed(as_moderator("/preview mijn zoon Jan kijkt filmpjes"))
    await bot.feed(as_moderator("/stats"))
    await bot.recorder.flush()
    bot.api.clear()
    await bot.feed(as_moderator("/audit"))
    text = reply_text(bot)
    assert "preview" in text and "stats" in text
    assert "Jan" not in text
    key = bot.storage.user_key(MODERATOR)
    assert key[:8] in text and str(MODERATOR) not in text


# -- gaps -----------------------------------------------------------------------------------

GAP = "mijn zoon luistert naar drill rap met geweld"
SIMILAR_GAPS = (GAP, "mijn zoon luistert de hele dag naar drill rap met geweld", GAP + "!")


async def test_gaps_are_grouped_and_a_phrasing_makes_the_question_match(
    tmp_path: Path, snapshot: Snapshot
):
    brain = Brain(snapshot)
    running = await start(tmp_path, brain)
    try:
        assert brain.respond(GAP, Session()).kind == "abstain"
        for text in SIMILAR_GAPS:
            await running.storage.add_gap(text, "nl", "abstain")
        await running.storage.add_gap("hoe laat is het in Gent", "nl", "abstain")
        await running.feed(as_moderator("/gaps"))
        texts = [visible(t) for t in running.api.texts()]
        assert "2 groups" in texts[0]
        assert [t.split("·")[1].strip() for t in texts[1:]] == ["asked 1×", "asked 3×"]
        add = [d for d in running.data(2) if d.startswith("mg:a:")]
        assert 1 <= len(add) <= 3
        _, _, gap_id, entry = add[0].split(":")
        await running.feed(
            factories.callback(f"mg:a:{gap_id}:{entry}", user_id=MODERATOR, lang="en")
        )
        assert "Added as a phrasing (nl)" in visible(running.api.texts()[-1])
        reply = brain.respond(GAP, Session())
        assert (reply.kind, reply.entry) == ("answer", entry)
        assert [g.text for g in await running.storage.list_gaps()] == ["hoe laat is het in Gent"]
        learned = await running.storage.list_learned()
        assert [(item.entry, item.lang, item.text) for item in learned] == [
            (entry, "nl", GAP + "!")
        ]
    finally:
        await stop(running)


async def test_learn_links_a_gap_to_any_entry(tmp_path: Path, snapshot: Snapshot):
    brain = Brain(snapshot)
    running = await start(tmp_path, brain)
    try:
        gap = await running.storage.add_gap(GAP, "nl", "abstain")
        await running.feed(as_moderator(f"/learn {gap} talking-start"))
        assert brain.respond(GAP, Session()).entry == "talking-start"
        await running.feed(as_moderator(f"/learn {gap} talking-start"))
        assert "That question is gone" in visible(running.api.texts()[-1])
    finally:
        await stop(running)


async def test_dismiss_hides_the_group(bot: ModBot):
    await bot.storage.add_gap("iets heel anders dan alles", "nl", "abstain")
    await bot.feed(as_moderator("/gaps"))
    [dismiss] = [d for d in bot.data() if d.startswith("mg:d:")]
    await bot.feed(factories.callback(dismiss, user_id=MODERATOR, lang="en"))
    assert await bot.storage.list_gaps() == []
    assert "Dismissed (1 questions)." in visible(bot.api.texts()[-1])


async def test_a_non_moderator_pressing_a_gap_button_changes_nothing(bot: ModBot):
    gap = await bot.storage.add_gap("iets heel anders dan alles", "nl", "abstain")
    await bot.feed(factories.callback(f"mg:d:{gap}"))
    assert len(await bot.storage.list_gaps()) == 1


# -- the knowledge base: reload, export, upload, versions, rollback ---------------------------


def signs_file(kb: Path, answer: str | None = None, break_it: bool = False) -> bytes:
    text = (kb / "entries" / "signs.yaml").read_text(encoding="utf-8")
    if answer is not None:
        entry = next(e for e in text.split("\n- id: ") if e.startswith("signs-overview"))
        start = entry.index("  answer:")
        end = entry.index("\n  refer:")
        new_entry = (
            entry[:start]
            + "  answer:\n"
            + "".join(f"    {lang}: {answer}\n" for lang in ("nl", "fr", "en")).rstrip("\n")
            + entry[end:]
        )
        text = text.replace(entry, new_entry)
    if break_it:
        text = text.replace("  topic: signs\n", "  topic: no-such-topic\n", 1)
    return text.encode()


async def test_a_broken_upload_keeps_the_old_knowledge_and_lists_errors(
    editable: ModBot, kb_copy: Path
):
    before = editable.deps.brain.snapshot
    on_disk = (kb_copy / "entries" / "signs.yaml").read_bytes()
    file_id = editable.api.offer(signs_file(kb_copy, break_it=True))
    await editable.feed(document(file_id, "signs.yaml"))
    text = reply_text(editable)
    assert "Not applied; nothing changed." in text
    assert "entries/signs.yaml:" in text and "no-such-topic" in text
    assert editable.deps.brain.snapshot is before
    assert (kb_copy / "entries" / "signs.yaml").read_bytes() == on_disk
    assert await editable.storage.list_kb_versions() == []


async def test_an_upload_changes_the_answer_live_and_rollback_restores_it(
    editable: ModBot, kb_copy: Path
):
    old_body = editable.deps.brain.respond(SIGNS_QUESTION, Session()).body
    file_id = editable.api.offer(signs_file(kb_copy, answer=NEW_ANSWER))
    await editable.feed(document(file_id, "signs (1).yaml"))
    assert "New version 1 is live" in reply_text(editable)
    assert editable.deps.brain.respond(SIGNS_QUESTION, Session()).body == NEW_ANSWER
    assert NEW_ANSWER in (kb_copy / "entries" / "signs.yaml").read_text(encoding="utf-8")
    [version] = await editable.storage.list_kb_versions()
    assert "entries +0 -0 ~1" in version.summary
    editable.api.clear()
    await editable.feed(as_moderator("/rollback 0"))
    assert "Back at version 0" in reply_text(editable)
    assert editable.deps.brain.respond(SIGNS_QUESTION, Session()).body == old_body
    assert NEW_ANSWER not in (kb_copy / "entries" / "signs.yaml").read_text(encoding="utf-8")
    editable.api.clear()
    await editable.feed(as_moderator("/versions"))
    assert "#2" in reply_text(editable) and "rollback to #0" in reply_text(editable)
    await editable.feed(as_moderator("/rollback 1"))
    assert editable.deps.brain.respond(SIGNS_QUESTION, Session()).body == NEW_ANSWER


async def test_export_sends_the_yaml_files_as_a_zip(bot: ModBot):
    await bot.feed(as_moderator("/export"))
    [files] = bot.api.files
    name, content, _mime = files["document"]
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert name.endswith(".zip")
    assert "entries/signs.yaml" in names and "strings/moderation.yaml" in names
    assert all(n.endswith(".yaml") for n in names)


async def test_reload_keeps_serving_when_the_folder_is_broken(editable: ModBot, kb_copy: Path):
    before = editable.deps.brain.snapshot
    signs = kb_copy / "entries" / "signs.yaml"
    good = signs.read_bytes()
    signs.write_bytes(signs_file(kb_copy, break_it=True))
    await editable.feed(as_moderator("/reload"))
    assert "keeps using the previous one" in reply_text(editable)
    assert "entries/signs.yaml:" in reply_text(editable)
    assert editable.deps.brain.snapshot is before
    signs.write_bytes(good)
    await editable.feed(as_moderator("/reload"))
    assert "Knowledge base reloaded: " in reply_text(editable)


async def test_a_moderators_other_file_is_refused_without_downloading_it(bot: ModBot):
    file_id = bot.api.offer(b"%PDF-1.4")
    await bot.feed(document(file_id, "notes.pdf"))
    assert bot.api.called("getFile") == []
    assert "notes.pdf: send a .yaml file or a .zip of them" in reply_text(bot)


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_the_moderator_menu_has_a_description_for_every_command(snapshot: Snapshot, lang: str):
    commands = menu_commands(snapshot, lang)
    assert [c.command for c in commands] == list(COMMANDS)
    assert not any(c.description.startswith("mod.") for c in commands)
