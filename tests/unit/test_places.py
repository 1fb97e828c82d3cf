"""Place resolution (bot/places.py) and the generated place data (knowledge/places.yaml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.places import Places, region_hint

ROOT = Path(__file__).parents[2]
PLACES_YAML = ROOT / "knowledge" / "places.yaml"
DATA = ROOT.parent / "shared" / "data"
CREDIT = "Contains BeST Address data, FPS BOSA, CC BY 4.0, via lekoala/belgian-geography"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return yaml.load(PLACES_YAML.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506


@pytest.fixture(scope="module")
def places(data: dict[str, Any]) -> Places:
    return Places.from_mapping(data)


def _one(places: Places, text: str) -> str:
    result = places.resolve(text)
    assert result.status == "found", (text, result)
    assert len(result.municipalities) == 1
    return result.municipalities[0].name_nl


# --- postcodes -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["9000", "9000 Gent", "ik woon in 9000", "B-9000"])
def test_postcode_9000_is_gent(places: Places, text: str) -> None:
    result = places.resolve(text)
    assert result.status == "found"
    assert result.postcode == "9000"
    assert result.municipalities[0].nis == "44021"


def test_postcode_inside_a_sentence(places: Places) -> None:
    assert _one(places, "ik woon in 2800") == "Mechelen"


def test_2070_is_beveren_kruibeke_zwijndrecht_with_an_uncertain_caw(places: Places) -> None:
    result = places.resolve("2070")
    town = result.municipality
    assert result.status == "found" and town is not None
    assert (town.nis, town.name_nl) == ("46030", "Beveren-Kruibeke-Zwijndrecht")
    assert town.province == "oost-vlaanderen"  # the 2070 exception: an Antwerpen-range postcode
    assert town.caw == "caw-oost-vlaanderen"
    assert town.caw_uncertain is True
    assert result.via_old_name == "Zwijndrecht"


def test_postcode_of_a_merged_municipality_names_the_old_one(places: Places) -> None:
    result = places.resolve("9185")
    assert result.status == "found"
    assert result.municipalities[0].name_nl == "Lochristi"
    assert result.via_old_name == "Wachtebeke"


@pytest.mark.parametrize(
    ("code", "nis"),
    [("1040", {"21004", "21005"}), ("1050", {"21004", "21009"}), ("1060", {"21004", "21013"})],
)
def test_postcodes_shared_by_two_brussels_municipalities_are_ambiguous(
    places: Places, code: str, nis: set[str]
) -> None:
    result = places.resolve(code)
    assert result.status == "ambiguous"
    assert {m.nis for m in result.municipalities} == nis
    assert result.municipalities[0].nis != "21004"  # the postcode's own municipality comes first
    assert result.postcode == code


def test_text_next_to_an_ambiguous_postcode_picks_the_municipality(places: Places) -> None:
    assert _one(places, "1050 Ixelles") == "Elsene"
    assert _one(places, "1050 Brussel") == "Brussel"


def test_unknown_postcode_gives_a_region_hint_but_no_municipality(places: Places) -> None:
    result = places.resolve("1049")
    assert result.status == "not_found"
    assert result.municipalities == ()
    assert result.postcode == "1049"
    assert result.region_hint == "brussels"


@pytest.mark.parametrize(
    ("code", "region"),
    [("1000", "brussels"), ("1299", "brussels"), ("1300", "wallonia"), ("1499", "wallonia"),
     ("1500", "flanders"), ("3999", "flanders"), ("4000", "wallonia"), ("7999", "wallonia"),
     ("8000", "flanders"), ("9999", "flanders"), ("0999", None)],
)  # fmt: skip
def test_region_hint_follows_the_bpost_ranges(code: str, region: str | None) -> None:
    assert region_hint(code) == region


def test_a_year_does_not_hide_the_place_name(places: Places) -> None:
    assert _one(places, "sinds 2024 woon ik in Gent") == "Gent"


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["gent", "Gent", "GENT", " Gent! ", "Gand", "gnet", "ik woon in Gent"]
)
def test_gent_in_many_spellings(places: Places, text: str) -> None:
    assert _one(places, text) == "Gent"


@pytest.mark.parametrize(
    ("old", "new"),
    [("Wachtebeke", "Lochristi"), ("Borsbeek", "Antwerpen"), ("Kortessem", "Hasselt"),
     ("Galmaarden", "Pajottegem"), ("Gooik", "Pajottegem"), ("Herne", "Pajottegem"),
     ("Melle", "Merelbeke-Melle"), ("De Pinte", "Nazareth-De Pinte"), ("Moerbeke", "Lokeren"),
     ("Ruiselede", "Wingene"), ("Meulebeke", "Tielt"), ("Hoeselt", "Bilzen-Hoeselt"),
     ("Borgloon", "Tongeren-Borgloon"), ("Ham", "Tessenderlo-Ham"),
     ("Kruibeke", "Beveren-Kruibeke-Zwijndrecht"), ("Zwijndrecht", "Beveren-Kruibeke-Zwijndrecht"),
     ("Bertogne", "Bastenaken")],
)  # fmt: skip
def test_names_before_the_mergers(places: Places, old: str, new: str) -> None:
    result = places.resolve(old)
    assert result.status == "found"
    assert result.municipalities[0].name_nl == new
    assert result.via_old_name == old


def test_typo_in_an_old_name_still_says_which_old_name(places: Places) -> None:
    result = places.resolve("wachtebeek")
    assert result.municipalities[0].name_nl == "Lochristi"
    assert result.via_old_name == "Wachtebeke"


def test_current_name_has_no_old_name(places: Places) -> None:
    assert places.resolve("Lochristi").via_old_name is None


@pytest.mark.parametrize("text", ["Liège", "liege", "Luik", "Lüttich"])
def test_liege_is_in_wallonia_without_a_caw(places: Places, text: str) -> None:
    town = places.resolve(text).municipality
    assert town is not None and town.nis == "62063"
    assert (town.region, town.province, town.caw) == ("wallonia", "luik", None)


@pytest.mark.parametrize(
    ("locality", "town"),
    [
        ("Borgerhout", "Antwerpen"),
        ("Ledeberg", "Gent"),
        ("Heverlee", "Leuven"),
        ("Sint-Amands", "Puurs-Sint-Amands"),
    ],
)
def test_localities_lead_to_their_municipality(places: Places, locality: str, town: str) -> None:
    assert _one(places, locality) == town


def test_berchem_is_antwerp_first_but_kluisbergen_has_one_too(places: Places) -> None:
    result = places.resolve("Berchem")
    assert result.municipalities[0].name_nl == "Antwerpen"
    # Kluisbergen has a locality Berchem (9690) too, so the person is asked to choose.
    assert result.status == "ambiguous"
    assert "Kluisbergen" in [m.name_nl for m in result.municipalities]
    assert _one(places, "Berchem Antwerpen") == "Antwerpen"
    assert _one(places, "2600") == "Antwerpen"


def test_a_municipality_name_beats_a_locality_of_the_same_name(places: Places) -> None:
    assert _one(places, "Aalst") == "Aalst"  # not the locality Aalst in Sint-Truiden
    assert places.resolve("Aalst").municipalities[0].nis == "41002"


@pytest.mark.parametrize("text", ["xyzzy", "", "   ", "ik wil meer info", "hulp", "12345"])
def test_not_a_place(places: Places, text: str) -> None:
    result = places.resolve(text)
    assert result.status == "not_found"
    assert result.municipalities == ()
    assert result.region_hint is None


def test_close_typos_between_two_places_are_ambiguous(places: Places) -> None:
    result = places.resolve("genr")  # one letter from both Gent and Genk
    assert result.status == "ambiguous"
    assert {"Gent", "Genk"} <= {m.name_nl for m in result.municipalities}


def test_by_nis(places: Places) -> None:
    town = places.by_nis("44021")
    assert town is not None and town.name_fr == "Gand"
    assert places.by_nis("99999") is None


def test_bad_data_raises_value_error() -> None:
    bad = {"municipalities": {}, "postcodes": {"9000": [{"nis": "44021", "locality_nl": "Gent"}]}}
    with pytest.raises(ValueError, match="unknown municipalities"):
        Places.from_mapping(bad)


# --- CAW regions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("town", "caw"),
    [("Mechelen", "caw-boom-mechelen-lier"), ("Leuven", "caw-oost-brabant"),
     ("Kortrijk", "caw-zuid-west-vlaanderen"), ("Boom", "caw-boom-mechelen-lier"),
     ("Antwerpen", "caw-antwerpen"), ("Turnhout", "caw-de-kempen"), ("Vilvoorde", "caw-halle-vilvoorde"),
     ("Brugge", "caw-noord-west-vlaanderen"), ("Ieper", "caw-centraal-west-vlaanderen"),
     ("Hasselt", "caw-limburg"), ("Gent", "caw-oost-vlaanderen"), ("Schaarbeek", "caw-brussel")],
)  # fmt: skip
def test_caw_of_a_municipality(places: Places, town: str, caw: str) -> None:
    found = places.resolve(town).municipality
    assert found is not None and found.name_nl == town
    assert found.caw == caw


def test_every_flemish_and_brussels_municipality_has_a_known_caw(data: dict[str, Any]) -> None:
    towns = data["municipalities"]
    assert len(towns) == 565
    for nis, town in towns.items():
        if town["region"] == "wallonia":
            assert town["caw"] is None, nis
        else:
            assert town["caw"] in data["caw_regions"], nis
    assert len(data["caw_regions"]) == 11


def test_rupel_overrides_are_marked_inferred(data: dict[str, Any]) -> None:
    overrides = data["caw_overrides"]
    assert {o["name"] for o in overrides.values()} == {
        "Aartselaar",
        "Boom",
        "Hemiksem",
        "Niel",
        "Rumst",
    }
    for nis, override in overrides.items():
        assert override["inferred"] is True
        assert data["municipalities"][nis]["caw"] == override["caw"] == "caw-boom-mechelen-lier"


# --- the generated file ----------------------------------------------------------------------


def test_generated_file_credits_the_data_and_says_how_to_rebuild() -> None:
    head = PLACES_YAML.read_text(encoding="utf-8")[:1500]
    assert CREDIT in head
    assert "GENERATED" in head and "scripts/build_places.py" in head


def test_locality_names_are_not_all_caps(data: dict[str, Any]) -> None:
    names = [row.get("locality_nl", "") for rows in data["postcodes"].values() for row in rows]
    shouted = [name for name in names if name.isupper() and len(name) > 1]
    assert shouted == []
    assert {"nis": "12041", "locality_nl": "Sint-Amands"} in data["postcodes"]["2890"]
    assert {"nis": "46030", "locality_nl": "Zwijndrecht"} in data["postcodes"]["2070"]


def test_old_names_skip_unchanged_names(data: dict[str, Any]) -> None:
    old = data["old_names"]
    assert old["Wachtebeke"] == {"nis": "44087", "old_nis": "44073", "merged_on": "2025-01-01"}
    assert old["Bertogne"]["merged_on"] == "2024-12-02"
    assert "Antwerpen" not in old and "Hasselt" not in old
    assert len(old) == 23


def test_generated_file_matches_a_fresh_build(tmp_path: Path) -> None:
    if not DATA.is_dir():
        pytest.skip(f"source data not available at {DATA}")
    out = tmp_path / "places.yaml"
    script = ROOT / "scripts" / "build_places.py"
    command = [sys.executable, str(script), "--data", str(DATA), "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True, cwd=tmp_path)
    assert out.read_bytes() == PLACES_YAML.read_bytes(), "run scripts/build_places.py"
