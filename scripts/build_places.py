#!/usr/bin/env python3
"""Build knowledge/places.yaml from the Belgian municipality and postcode CSVs.

Why a script: the place data is derived from licensed open data (CC BY 4.0), and the CAW areas are
a reading of a research brief. Keeping the conversion here makes the YAML reproducible, reviewable
and easy to refresh when the CSVs change. Stdlib plus PyYAML only.

    python scripts/build_places.py [--data ../shared/data] [--out knowledge/places.yaml]
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "knowledge" / "places.yaml"
CREDIT = "Contains BeST Address data, FPS BOSA, CC BY 4.0, via lekoala/belgian-geography"
UPSTREAM = "https://github.com/lekoala/belgian-geography (resources/data.php, commit 6b819e4a8db0f46a9b5765e052e1327ed57d24c9)"
HEADER = f"""\
# GENERATED FILE: do not edit by hand.
# Built by scripts/build_places.py from ../shared/data (belgium_municipalities_2025.csv,
# belgium_postcodes_2025.csv, fusies_2025.csv; see ../shared/data/SOURCES.md). Rebuild with:
#   python scripts/build_places.py --data ../shared/data --out knowledge/places.yaml
# {CREDIT}.
# Municipalities are the 565 after the 2025 mergers. CAW areas follow
# ../shared/sources/services.md §6: several are inferred from arrondissements (see
# caw_regions.*.inferred, caw_overrides and municipalities.*.caw_uncertain); none comes from an
# official caw.be map.
"""

PROVINCES = {
    "BE-VAN": "antwerpen", "BE-VBR": "vlaams-brabant", "BE-VLI": "limburg",
    "BE-VOV": "oost-vlaanderen", "BE-VWV": "west-vlaanderen", "BE-WBR": "waals-brabant",
    "BE-WHT": "henegouwen", "BE-WLG": "luik", "BE-WLX": "luxemburg", "BE-WNA": "namen",
}  # fmt: skip
# lekoala resources/provinces.php: province from the first two NIS digits (Brussels has none).
PROVINCE_PREFIXES = {
    "BE-VAN": range(11, 14), "BE-VBR": range(23, 25), "BE-VLI": range(70, 74),
    "BE-VOV": range(41, 47), "BE-VWV": range(31, 39), "BE-WBR": range(25, 26),
    "BE-WHT": range(51, 59), "BE-WLG": range(61, 67), "BE-WLX": range(81, 86),
    "BE-WNA": range(91, 95),
}  # fmt: skip
REGIONS = {"BE-VLG": "flanders", "BE-BRU": "brussels", "BE-WAL": "wallonia"}
KEEP_UPPER = {"SHAPE"}  # an acronym (the NATO headquarters at Casteau), not a shouted name
PARTICLES = {"aan", "bij", "de", "den", "der", "en", "het", "in", "op", "te", "ten", "ter", "van"}

_S = "https://www."
CAW_REGIONS: dict[str, dict[str, Any]] = {
    "caw-antwerpen": {
        "name": "CAW Antwerpen", "area": ["11"], "inferred": True,
        "source": [_S + "hln.be/in-de-buurt/antwerpen/-spanning-eenzaamheid-of-angst-caw-blijft-op-afstand-bereikbaar~a47486c3/"],
        "note": "Arrondissement Antwerpen, read from the description 'from Essen to Kontich and from Zwijndrecht to Brecht'; the exact municipality list is unverified. Rupel municipalities go to CAW Boom Mechelen Lier (caw_overrides); Schelle is unverified.",
    },
    "caw-boom-mechelen-lier": {
        "name": "CAW Boom Mechelen Lier", "area": ["12"], "inferred": False,
        "source": [
            "https://antwerpspersbureau.be/18-gemeenten-uit-regio-boom-mechelen-lier-pakken-dak-en-thuisloosheid-aan/",
            _S + "caw.be/wat-beweegt-er/nieuws/ketenaanpak-nachtopvang/",
            "https://igemo.be/hoog-aantal-kinderen-bij-dak-en-thuislozentelling-in-rivierenland/",
            _S + "oozo.nl/nieuws/gulpen-wittem/mechelen/6705101/twaalf-gemeenten-in-het-mechelse-maken-extra-middelen-vrij-om-daklozen-te-begeleiden-naar-een-perman",
        ],
        "note": "Arrondissement Mechelen (12) as listed in the source, plus the Rupel municipalities Aartselaar, Boom, Hemiksem, Niel and Rumst (inferred, see caw_overrides). 2026 news calls it 'CAW Rivierenland'; whether it was renamed is unverified.",
    },
    "caw-de-kempen": {
        "name": "CAW De Kempen", "area": ["13"], "inferred": True,
        "source": [
            "http://www.gva.be/cnt/blwad_02879177/unieke-welzijnscampus-opent-over-een-jaar-de-deuren",
            "https://nnieuws.be/artikel/gezamenlijk-nieuwbouwproject-caw-de-kempen-en-gemeentebestuur-versterkt-welzijn",
        ],
        "note": "Arrondissement Turnhout (13), inferred; the organisation is confirmed (Turnhout, Geel, Mol).",
    },
    "caw-halle-vilvoorde": {
        "name": "CAW Halle-Vilvoorde", "area": ["23"], "inferred": True,
        "source": [_S + "ringtv.be/nieuws/besparingen-vlaamse-regering-caw-halle-vilvoorde-legt-werk-neer"],
        "note": "Arrondissement Halle-Vilvoorde (23), inferred. It also had an office in Tervuren (arrondissement Leuven), so the boundary may not follow the arrondissement.",
    },
    "caw-oost-brabant": {
        "name": "CAW Oost-Brabant", "area": ["24"], "inferred": True,
        "source": [_S + "hln.be/regio/tienen/caw-verhuist-naar-de-hertogensite~ad627f30f/"],
        "note": "Arrondissement Leuven (24), inferred; the organisation is confirmed (e.g. Tienen).",
    },
    "caw-limburg": {
        "name": "CAW Limburg", "area": ["71", "72", "73"], "inferred": False,
        "source": [_S + "hbvl.be/cnt/dmf20221023_95927722"],
        "note": "The whole province: one CAW per province.",
    },
    "caw-oost-vlaanderen": {
        "name": "CAW Oost-Vlaanderen", "area": ["41", "42", "43", "44", "45", "46"], "inferred": False,
        "source": [_S + "vrt.be/vrtnws/nl/2021/02/11/thuislozen-uit-4-buurgemeenten-ook-welkom-in-aalsterse-nachtopva/"],
        "note": "The whole province: one CAW per province. Which CAW serves 2070 Zwijndrecht/Burcht (moved from Antwerpen to Oost-Vlaanderen on 1 January 2025) is unverified.",
    },
    "caw-noord-west-vlaanderen": {
        "name": "CAW Noord-West-Vlaanderen", "area": ["31", "35"], "inferred": True,
        "source": [
            "http://www.wtv.be/nieuws/caw-noord-west-vlaanderen-verhuisd",
            "http://www.grietcoppe.be/concreet/vlaams_volksvertegenwoordiger.asp?id=593",
        ],
        "note": "Arrondissements Brugge (31) and Oostende (35), inferred from the 2011 plan 'Brugge-Oostende'.",
    },
    "caw-centraal-west-vlaanderen": {
        "name": "CAW Centraal-West-Vlaanderen", "area": ["32", "33", "36", "37", "38"], "inferred": False,
        "source": [_S + "caw.be/voor-professionals/samenwerking-projecten/regiostrategie-dak-en-thuisloosheid/"],
        "note": "Westhoek (Diksmuide 32, Ieper 33, Veurne 38) and Roeselare-Izegem-Tielt (36, 37): caw.be names both sub-regions.",
    },
    "caw-zuid-west-vlaanderen": {
        "name": "CAW Zuid-West-Vlaanderen", "area": ["34"], "inferred": True,
        "source": ["http://www.wtv.be/nieuws/17-studios-voor-mensen-zonder-onderdak-kortrijk"],
        "note": "Arrondissement Kortrijk (34), inferred; the organisation is confirmed (Kortrijk).",
    },
    "caw-brussel": {
        "name": "CAW Brussel", "area": ["21"], "inferred": False,
        "source": [_S + "caw.be/over-het-caw/organisatie/"],
        "note": "The Brussels-Capital Region (JAC Brussel, Leopoldstraat 25; metrotime 2017-09).",
    },
}  # fmt: skip
CAW_OVERRIDES = {  # NIS -> (expected name, CAW): checked against the data below
    "11001": ("Aartselaar", "caw-boom-mechelen-lier"),
    "11005": ("Boom", "caw-boom-mechelen-lier"),
    "11018": ("Hemiksem", "caw-boom-mechelen-lier"),
    "11030": ("Niel", "caw-boom-mechelen-lier"),
    "11037": ("Rumst", "caw-boom-mechelen-lier"),
}
CAW_UNCERTAIN = {  # NIS -> (expected name, why the CAW given by prefix may be wrong)
    "46030": ("Beveren-Kruibeke-Zwijndrecht", "Which CAW serves the former Zwijndrecht (2070 Zwijndrecht, Burcht) since it moved to Oost-Vlaanderen on 1 January 2025 is unverified."),
    "11038": ("Schelle", "A Rupel municipality: whether CAW Antwerpen or CAW Boom Mechelen Lier serves it is unverified."),
    "24104": ("Tervuren", "CAW Halle-Vilvoorde had an office in Tervuren; whether it or CAW Oost-Brabant serves Tervuren is unverified."),
}  # fmt: skip


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def proper_case(name: str, known: dict[str, str]) -> str:
    """Fix an ALL-CAPS locality ("SINT-PIETERS-LEEUW" -> "Sint-Pieters-Leeuw").

    A spelling in normal case elsewhere in the data wins; otherwise each word is capitalised,
    with Dutch particles in lower case after the first word ("Kapelle-op-den-Bos").
    """
    if not name.isupper() or name in KEEP_UPPER:
        return name
    if name.casefold() in known:
        return known[name.casefold()]
    out, first = [], True
    for part in _split_keep(name):
        if part.isalpha():
            lower = part.lower()
            part = lower if (lower in PARTICLES and not first) else lower.capitalize()
            first = False
        out.append(part)
    return "".join(out)


def _split_keep(name: str) -> list[str]:
    """Split on spaces and hyphens, keeping the separators."""
    parts, word = [], ""
    for char in name:
        if char in " -'":
            parts += [word, char]
            word = ""
        else:
            word += char
    return [*parts, word]


def known_spellings(*tables: list[dict[str, str]]) -> dict[str, str]:
    """Every name in normal case anywhere in the data, by its case-folded form."""
    known: dict[str, str] = {}
    for rows in tables:
        for row in rows:
            for key, value in sorted(row.items()):
                is_name = any(part in key for part in ("name", "locality", "municipality"))
                if is_name and value and not value.isupper() and not value.isdigit():
                    known.setdefault(value.casefold(), value)
    return known


def caw_for(nis: str, region: str) -> str | None:
    """The CAW by override, else by NIS arrondissement prefix; None outside Flanders/Brussels."""
    if nis in CAW_OVERRIDES:
        return CAW_OVERRIDES[nis][1]
    found = [cid for cid, caw in CAW_REGIONS.items() if nis[:2] in caw["area"]]
    if region == "wallonia":
        if found:
            raise ValueError(f"Walloon municipality {nis} has a CAW prefix")
        return None
    if len(found) != 1:
        raise ValueError(f"municipality {nis} ({region}) matches CAW regions {found}")
    return found[0]


def province_for(row: dict[str, str]) -> str | None:
    """The province id, checked against the NIS prefix table (Brussels: None)."""
    iso = row["province_iso"]
    if not iso:
        if row["region_iso"] != "BE-BRU":
            raise ValueError(f"{row['nis_code']} has no province")
        return None
    if int(row["nis_code"][:2]) not in PROVINCE_PREFIXES[iso]:
        raise ValueError(f"{row['nis_code']} does not fit province {iso}")
    return PROVINCES[iso]


def municipality(row: dict[str, str], postcodes: list[str]) -> dict[str, Any]:
    nis, region = row["nis_code"], REGIONS[row["region_iso"]]
    entry: dict[str, Any] = {"nl": row["name_nl"]}
    entry.update({lang: row[f"name_{lang}"] for lang in ("fr", "de") if row[f"name_{lang}"]})
    entry.update(province=province_for(row), region=region, caw=caw_for(nis, region))
    if nis in CAW_UNCERTAIN:
        entry.update(caw_uncertain=True, caw_note=CAW_UNCERTAIN[nis][1])
    entry["postcodes"] = postcodes
    return entry


def build_postcodes(rows: list[dict[str, str]], known: dict[str, str]) -> dict[str, list[Any]]:
    """Postcode -> its localities, each with the current municipality's NIS code."""
    grouped: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for row in rows:
        names = (proper_case(row[f"locality_{lang}"], known) for lang in ("nl", "fr", "de"))
        grouped[row["postcode"]].add((row["municipality_nis"], *names))
    result: dict[str, list[Any]] = {}
    for code in sorted(grouped):
        result[code] = []
        for nis, nl, fr, de in sorted(grouped[code]):
            item = {"nis": nis, "locality_nl": nl, "locality_fr": fr, "locality_de": de}
            result[code].append({k: v for k, v in item.items() if v})
    return result


def build_old_names(rows: list[dict[str, str]], nis_codes: set[str]) -> dict[str, Any]:
    """Former municipality name -> the municipality it merged into (2024-2025)."""
    result: dict[str, Any] = {}
    for row in sorted(rows, key=lambda r: r["old_municipality"]):
        if row["old_municipality"] == row["new_municipality"]:
            continue
        if row["new_nis"] not in nis_codes:
            raise ValueError(f"merger target {row['new_nis']} is not a municipality")
        result[row["old_municipality"]] = {
            "nis": row["new_nis"], "old_nis": row["old_nis"], "merged_on": row["effective"]
        }  # fmt: skip
    return result


def build_overrides(municipalities: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for nis, (name, caw) in sorted(CAW_OVERRIDES.items()):
        if municipalities[nis]["nl"] != name:
            raise ValueError(f"override {nis} is {municipalities[nis]['nl']}, not {name}")
        result[nis] = {"name": name, "caw": caw, "inferred": True}
    return result


def build(data_dir: Path) -> dict[str, Any]:
    """The whole places mapping, from the three CSVs in `data_dir`."""
    towns = read_csv(data_dir / "belgium_municipalities_2025.csv")
    codes = read_csv(data_dir / "belgium_postcodes_2025.csv")
    mergers = read_csv(data_dir / "fusies_2025.csv")
    known = known_spellings(towns, codes, mergers)
    by_nis: dict[str, set[str]] = defaultdict(set)
    for row in codes:
        by_nis[row["municipality_nis"]].add(row["postcode"])
    municipalities = {
        row["nis_code"]: municipality(row, sorted(by_nis[row["nis_code"]]))
        for row in sorted(towns, key=lambda r: r["nis_code"])
    }
    for nis, (name, _why) in CAW_UNCERTAIN.items():
        if municipalities[nis]["nl"] != name:
            raise ValueError(f"uncertain-CAW entry {nis} is not {name}")
    return {
        "meta": {"credit": CREDIT, "source": UPSTREAM, "generated_by": "scripts/build_places.py"},
        "municipalities": municipalities,
        "postcodes": build_postcodes(codes, known),
        "old_names": build_old_names(mergers, set(municipalities)),
        "caw_regions": CAW_REGIONS,
        "caw_overrides": build_overrides(municipalities),
    }


def render(data: dict[str, Any]) -> str:
    """YAML text: block style for the big mappings, flow style for the small leaves."""
    parts = [HEADER]
    for key, value in data.items():
        flow = False if key == "meta" else None
        parts.append(_dump({key: value}, flow))
    return "\n".join(parts)


def _dump(data: dict[str, Any], flow: bool | None) -> str:
    return yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=flow, width=100
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the CSVs")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="YAML file to write")
    args = parser.parse_args(argv)
    text = render(build(args.data))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.out} ({len(text):,} characters)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
