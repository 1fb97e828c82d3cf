"""Which local and regional help fits a municipality: pure (no Telegram), ready to move to bot/.

The route everywhere in Flanders: the municipality's prevention or welfare service, or the local
police, who can bring a worry to the LIVC-R; plus the regional CAW and the Flemish services that
fit the person. Brussels adds CAPREV (first for French speakers); Wallonia gets CAPREV and 103.
The lists below are a routing decision that belongs in the core (see the lead's notes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.model import Snapshot
from bot.places import Municipality, Places

# Candidates in order of usefulness; each is shown only when it fits the person's role.
FLEMISH = (
    "caw",
    "opvoedingslijn",
    "huis-van-het-kind",
    "clb",
    "onderwijs-deradicalisering",
    "abb-contact",
    "vvsg",
    "tele-onthaal",
)
FRENCH_COMMUNITY = ("caprev", "ecoute-103")
MAX_SERVICES = 5


@dataclass(frozen=True, slots=True)
class Place:
    """A municipality as the referral needs it (after the 2025 mergers)."""

    nis: str
    name_nl: str
    name_fr: str = ""
    region: str = ""  # flanders | brussels | wallonia
    caw: str = ""  # the CAW region's name, when the place data knows it
    caw_uncertain: bool = False  # inferred from the arrondissement, not confirmed

    def name(self, lang: str) -> str:
        return self.name_fr if lang == "fr" and self.name_fr else self.name_nl


@dataclass(frozen=True, slots=True)
class LocalRoute:
    place: Place
    old_name: str  # the pre-2025 name the person typed, or ""
    contact: Mapping[str, Any] | None  # from local_contacts.yaml
    services: tuple[str, ...]


def place_of(municipality: Municipality) -> Place:
    """What the referral shows of a municipality from bot.places."""
    return Place(
        nis=municipality.nis,
        name_nl=municipality.name_nl,
        name_fr=municipality.name_fr or "",
        region=municipality.region,
        caw=caw_name(municipality.caw or ""),
        caw_uncertain=municipality.caw_uncertain,
    )


def caw_name(caw_id: str) -> str:
    """ "caw-de-kempen" → "CAW De Kempen" (bot.places keeps ids only; see the lead's notes)."""
    if not caw_id.startswith("caw-"):
        return caw_id
    return "CAW " + " ".join(word.capitalize() for word in caw_id[4:].split("-"))


def route(
    snapshot: Snapshot, place: Place, audience: str | None, lang: str, old_name: str = ""
) -> LocalRoute:
    contact = snapshot.local_contacts.get(place.name_nl)
    return LocalRoute(place, old_name, contact, services(snapshot, place.region, audience, lang))


def services(snapshot: Snapshot, region: str, audience: str | None, lang: str) -> tuple[str, ...]:
    """Regional and Flemish (or French-community) services that fit the person."""
    if region == "wallonia":
        return tuple(s for s in FRENCH_COMMUNITY if s in snapshot.services)
    picks = [s for s in FLEMISH if _fits(snapshot, s, audience)][:MAX_SERVICES]
    if region == "brussels" and "caprev" in snapshot.services:  # French-language help
        picks.insert(0 if lang == "fr" else len(picks), "caprev")
    return tuple(picks)


def _fits(snapshot: Snapshot, service_id: str, audience: str | None) -> bool:
    service = snapshot.services.get(service_id)
    if service is None:
        return False
    wanted = (audience,) if audience else ("parent", "professional")
    return "all" in service.audience or any(a in service.audience for a in wanted)


def lookup(places: Places | None, nis: str) -> Place | None:
    """A municipality by NIS code, for a remembered municipality or a button."""
    found = places.by_nis(nis) if places is not None and nis else None
    return place_of(found) if found is not None else None
