"""/local: postcode, misspelt and pre-2025 names, locations, Brussels and Wallonia, remembering."""

from __future__ import annotations

import pytest

from tests import factories
from tests.handlers.conftest import Bot


@pytest.fixture(autouse=True)
def _needs_places(snapshot) -> None:
    if snapshot.places is None:
        pytest.skip("knowledge/places.yaml is missing")


async def ask_place(bot: Bot, place: str, lang: str = "nl") -> str:
    await bot.feed(factories.message("/hulpinbuurt", lang=lang))
    await bot.feed(factories.message(place, lang=lang))
    return bot.texts()[-1]


async def test_local_asks_for_a_postcode_or_municipality(bot: Bot):
    await bot.feed(factories.message("/local", lang="en"))
    assert "postcode" in bot.texts()[0]


async def test_postcode_shows_the_local_route_and_the_known_local_contact(bot: Bot, snapshot):
    text = await ask_place(bot, "9000")
    assert "Hulp in Gent" in text
    assert "LIVC-R" in text
    assert "CAW Oost-Vlaanderen" in text or "CAW Oost Vlaanderen" in text
    if "Gent" in snapshot.local_contacts:
        assert "Wat we weten over deze gemeente" in text
    assert {"rm:y", "rm:n", "lo"} <= set(bot.data())


async def test_misspelt_municipality_is_found(bot: Bot):
    assert "Hulp in Gent" in await ask_place(bot, "Gentt")


async def test_pre_2025_name_is_accepted_and_explained(bot: Bot):
    text = await ask_place(bot, "Wachtebeke")
    assert "Hulp in Lochristi" in text
    assert "Wachtebeke hoort sinds 1 januari 2025 bij Lochristi" in text


async def test_local_with_an_argument_answers_at_once(bot: Bot):
    await bot.feed(factories.message("/local 9000", lang="en"))
    assert "Help in Gent" in bot.texts()[0]


async def test_a_shared_location_gets_a_kind_request_for_the_postcode(bot: Bot):
    await bot.feed(factories.message("/hulpinbuurt"))
    await bot.feed(factories.location())
    assert "postcode" in bot.texts()[-1]
    await bot.feed(factories.message("9000"))
    assert "Hulp in Gent" in bot.texts()[-1]


async def test_a_location_outside_a_referral_says_what_the_bot_can_use(bot: Bot):
    await bot.feed(factories.location())
    assert "/hulpinbuurt" in bot.texts()[0]


async def test_brussels_in_french_lists_caprev(bot: Bot):
    text = await ask_place(bot, "1000", lang="fr")
    assert "Aide à Bruxelles" in text
    assert "CAPREV" in text


async def test_wallonia_gets_caprev_and_103(bot: Bot):
    text = await ask_place(bot, "4000", lang="fr")
    assert "CAPREV" in text and "103" in text
    assert "LIVC-R" not in text


async def test_remembering_the_municipality_only_on_yes(bot: Bot):
    key = bot.storage.user_key(factories.USER_ID)
    await ask_place(bot, "9000")
    await bot.recorder.flush()
    assert await bot.storage.get_preferences(key) is None
    await bot.feed(factories.callback("rm:y"))
    await bot.recorder.flush()
    saved = await bot.storage.get_preferences(key)
    assert saved is not None and saved.municipality_nis == "44021"
    await bot.feed(factories.message("/hulpinbuurt"))
    assert "Hulp in Gent" in bot.texts()[-1], "a remembered municipality is shown at once"
    assert "rm:y" not in bot.data(), "no second question once saved"


async def test_no_keeps_nothing(bot: Bot):
    await ask_place(bot, "9000")
    await bot.feed(factories.callback("rm:n"))
    await bot.recorder.flush()
    assert await bot.storage.get_preferences(bot.storage.user_key(factories.USER_ID)) is None


async def test_ambiguous_place_offers_choices(bot: Bot):
    await ask_place(bot, "1050")
    choices = [d for d in bot.data() if d.startswith("pl:")]
    assert len(choices) >= 2
    await bot.feed(factories.callback(choices[0]))
    assert "Hulp in" in bot.texts()[-1]


async def test_a_crisis_while_waiting_for_a_place_gets_the_crisis_reply(bot: Bot):
    await bot.feed(factories.message("/hulpinbuurt"))
    await bot.feed(factories.message("mijn zoon wil vanavond een aanslag plegen"))
    assert "112" in bot.texts()[1]


async def test_unknown_place_asks_again_then_gives_a_way_on(bot: Bot):
    await bot.feed(factories.message("/hulpinbuurt"))
    for _ in range(3):
        await bot.feed(factories.message("Qwxzyk"))
    assert "4 cijfers" in bot.texts()[1]
    assert "CAW" in bot.texts()[-1] and bot.data() == ["tp:0"]


async def test_local_in_a_group_points_to_the_private_chat(bot: Bot):
    await bot.feed(factories.message("/local", chat_id=factories.GROUP_ID))
    [button] = bot.buttons()
    assert button["url"] == "https://t.me/helpdesk_test_bot"


async def test_a_real_postcode_missing_from_the_data_still_gets_its_region(bot: Bot, snapshot):
    if snapshot.places.resolve("1049").region_hint is None:
        pytest.skip("1049 is in the place data")
    text = await ask_place(bot, "1049", lang="fr")
    assert "CAPREV" in text and "?" not in text.split("\n")[0]
