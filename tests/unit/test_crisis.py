"""Crisis detection: every crisis wording must fire, informational messages must not.

The positives are our own wordings (direct, indirect, Flemish, typos, any word order), kept
apart from shared/eval so that the evaluation stays an honest measurement.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.crisis import CrisisDetector, CrisisHit

RULES = Path(__file__).resolve().parents[2] / "knowledge" / "crisis.yaml"

DANGER = "crisis-danger"
SUICIDE = "crisis-suicide"
ABUSE = "crisis-abuse"


@pytest.fixture(scope="module")
def detector() -> CrisisDetector:
    return CrisisDetector.from_mapping(yaml.safe_load(RULES.read_text(encoding="utf-8")))


POSITIVE: dict[str, dict[str, list[str]]] = {
    DANGER: {
        "nl": [
            "hij praat over martelaarschap en het paradijs",
            "mijn zoon vertrekt volgende week naar Syrië, hij heeft al een ticket",
            "mijn zoon plant een aanslag op zijn school",
            "ik denk dat mijn broer een aanslg aan het voorbereiden is",
            "hij zei dat hij morgen mensen gaat neersteken",
            "mijne zoon wilt ongelovigen doodschieten",
            "ik vond een pistool en munitie onder zijn bed verstopt",
            "mijn dochter vertrekt vanavond naar syrie",
            "hij heeft een vliegticket voor morgen, ik ben zo bang",
            "onze jongen is vertrokken met zijn paspoort, we vinden hem nergens",
            "hij heeft een mes gekocht en zegt dat hij wraak gaat nemen",
            "een leerling dreigt de klas op te blazen",
            "zijn broer is weg naar het strijdgebied, zonet vertrokken",
            "ze beraamt iets met springstof samen met vrienden",
            "hij zegt dat er vrijdag bloed gaat vloeien op zijn school",
            "er ligt een geweer in de kofferbak van zijn auto",
            "mijne gast is vannacht vertrokken, zijn paspoort is weg en hij zei iets over syrie",
            "hij wilt iemand neersteken",
            "mijn dochter van 13 is weggelopen en neemt haar gsm niet op",
            "mijn dochter zegt dat ze martelaar wil worden",
            "mijn zoon praat over de aanslag die hij gaat plegen",
            "hij zegt dat de aanslag morgen is",
        ],
        "fr": [
            "mon fils prépare un attentat",
            "il part ce soir en Syrie",
            "il veut partir en Syrie la semaine prochaine, il a son billet",
            "elle a un billet d'avion pour demain et je crois qu'elle rejoint daech",
            "j'ai trouvé une arme cachée dans sa chambre",
            "mon neveu menace de tuer des gens à l'école",
            "il veut se faire exploser",
            "mon frère a acheté un pistolet et parle de vengeance",
            "ma fille est partie ce matin pour la Syrie avec son passeport",
            "il dit qu'il va poignarder son prof",
            "il projette une attaque contre une mosquée",
            "mon fils fabrique une bombe dans le garage",
            "il est dans un bus pour la Turquie en ce moment pour rejoindre daech",
            "il parle de faire sauter la gare",
            "il veut devenir un martyr",
        ],
        "en": [
            "he keeps talking about martyrdom and paradise",
            "she is flying to Syria soon, the ticket is booked",
            "my son is planning an attack",
            "I think he is preparing a bombing at the festival",
            "she's at the airport right now, I think she's going to Syria",
            "my nephew bought a gun and says he'll shoot people",
            "he wants to kill everyone at the mosque",
            "my brother left for syria this morning",
            "he has a ticket for tomorrow and packed a suitcase",
            "my student is gonna stab a teacher",
            "he threatened to blow up the school",
            "found knives hidden under his bed and a list of names",
            "my son has wires and batteries and nails in his room",
            "he told his friends he'll bring a gun to school tomorrow",
            "my child left a note saying he went to fight abroad",
            "my son says he will become a martyr",
            "he talks about an attack he wants to carry out next week",
        ],
    },
    SUICIDE: {
        "nl": [
            "ik wil dood",
            "mijn dochter wil er een einde aan maken",
            "hij wil niet meer leven",
            "mijn zoon ziet het niet meer zitten",
            "ze snijdt zichzelf in haar armen",
            "k wil er nie meer zijn",
            "mijn vriendin heeft zelfmoordgedachten",
            "mijn zoon praat over zelfmord",
            "hij heeft al zijn spullen weggegeven en afscheid genomen van iedereen",
            "ik denk dat hij zichzelf iets gaat aandoen",
            "ze wil uit het leven stappen",
            "hij wou dat hij dood was",
            "mijn broer zei dat we beter af zijn zonder hem",
            "zij wil haar leven beeindigen",
            "hij heeft pillen verzameld",
            "ze zei dat ze van een brug wil springen",
            "ik ben er morgen niet meer",
            "mijn dochter heeft sneetjes in haar armen",
        ],
        "fr": [
            "mon fils veut mourir",
            "ma fille parle de se suicider",
            "il veut en finir",
            "elle se fait du mal",
            "je n'ai plus envie de vivre",
            "il a donné toutes ses affaires à ses amis",
            "elle se scarifie les bras",
            "mon ado a écrit une lettre d'adieu",
            "il veut mettre fin à ses jours",
            "je veux me tuer",
            "mon frère est suicidaire",
            "elle dit que personne ne la regretterait",
            "il a écrit qu'il voulait disparaître pour toujours",
        ],
        "en": [
            "my son wants to die",
            "my daughter said she wants to kill herself",
            "I want to end my life",
            "he gave away all his things",
            "she said goodbye to everyone last night",
            "he's been cutting himself",
            "she says there is no reason to live",
            "i think he is suicdal",
            "my friend doesn't want to live anymore",
            "he talks about hanging himself",
            "i just want to die",
            "I don't see the point anymore, thinking of ending it",
            "my son took too many pills",
            "he said nobody would care if he died",
        ],
    },
    ABUSE: {
        "nl": [
            "mijn vader slaat mij",
            "mijn stiefvader duwt mij naar de grond als hij gedronken heeft",
            "hij dreigt ons iets aan te doen",
            "mijn stiefvader heeft mij geslagen",
            "mijne pa slaat ma als hij gedronken heeft",
            "mijn nicht wordt seksueel misbruikt door haar oom",
            "ze willen mijn zus uithuwelijken",
            "ik word thuis opgesloten en geslagen",
            "mijn man mishandelt mij",
            "mijn broer wil mijn moeder vermoorden",
            "er is huiselijk geweld bij ons thuis",
            "papa schopt mij als ik iets fout doe",
            "mijne pa klopt ons",
            "mijn oom heeft aan mij gezeten",
            "ik durf niet naar huis, mijn vader gaat mij slaan",
            "ze sluiten mij op in mijn kamer en ik mag niet buiten",
        ],
        "fr": [
            "mon mari me frappe",
            "mon père nous bat",
            "ma mère me tape tous les jours",
            "mon beau-père m'a frappé",
            "ma soeur va être mariée de force",
            "il menace de tuer ma mère",
            "mon oncle abuse de ma cousine",
            "on me frappe à la maison",
            "mon copain me gifle",
            "ils m'enferment à la maison",
            "violences conjugales chez ma voisine",
            "ma mère et mon beau-père me battent",
            "un enfant m'a confié qu'un adulte le touche",
        ],
        "en": [
            "my dad hits me",
            "my stepdad beats my mum",
            "my husband threatens to kill us",
            "my uncle sexually abused my daughter",
            "they want to force her to marry her cousin",
            "i get hit at home",
            "my brother punched my mother",
            "my parents locked me in my room for days",
            "my boyfriend choked me",
            "there is domestic violence in our family",
            "he hurts me when he is angry",
            "my dad said he would kill me if I leave",
            "my parents are sending me abroad to marry a man i don't know",
        ],
    },
}

NEGATIVE = [
    "we bespreken martelaarschap in de godsdienstles",
    "my daughter wants to kill it at her exams tomorrow",
    "il va tuer le game demain au match",
    "het algoritme duwt mijn dochter naar steeds extremere filmpjes",
    "wat zijn signalen van radicalisering",
    "mijn zoon is boos op de wereld",
    "na de aanslag in het nieuws is mijn dochter bang",
    "how do I talk to my kids about the attack on TV",
    "wat is terrorisme",
    "my son plays shooters all day",
    "hij kijkt oorlogsdocus",
    "son frère est parti en Syrie il y a 5 ans",
    "what does the action plan say about returnees",
    "ik geef een les over terrorisme in het vijfde jaar",
    "hoe leg ik de aanslagen van 22 maart uit aan kinderen",
    "wat is het verschil tussen radicalisering en extremisme",
    "mijn zoon wil naar Syrië, wat moet ik doen",
    "mijn neef is vorig jaar teruggekeerd uit Syrië",
    "comment parler des attentats avec mes enfants",
    "qu'est-ce que la radicalisation",
    "mon fils joue à des jeux vidéo violents",
    "is radicalisation a crime in Belgium",
    "my daughter converted to islam, should I worry",
    "wie kan ik bellen in Gent voor advies",
    "mijn zoon slaat nergens op als hij over politiek praat",
    "mijn dochter zit de hele dag op tiktok",
    "hoe herken ik complotdenken",
    "waar vind ik het actieplan radicalisering",
    "mijn zoon gaat morgen op kamp met de scouts",
    "my son is leaving for university tomorrow",
    "what were the causes of the 2016 Brussels attacks",
    "ik maak me zorgen over mijn zoon",
    "hij sluit zich op in zijn kamer en praat niet meer",
    "je m'inquiète pour mon fils qui se coupe du monde",
    "hoe ga ik om met extreemrechtse uitspraken in de klas",
    "de leerkracht toonde een documentaire over IS",
    "mon fils regarde des vidéos de guerre",
    "my son watches violent videos about war",
    "wat doet een LIVC-R",
    "mijn dochter draagt sinds kort een hoofddoek",
    "bedankt voor de hulp",
    "I had a panic attack after reading about him",
    "hoeveel Belgen zijn naar Syrië vertrokken",
    "dag, ik ben leerkracht en zoek lesmateriaal over polarisatie",
    "quels sont les signes de radicalisation",
    "mijn zoon cut himself off from his old friends",
    "mijn zoon verdedigt de aanslagen op het internet, is dat strafbaar",
    "mijn leerling maakt grappen over bommen, hoe reageer ik in de klas",
    "mijn zoon is boos en slaat met deuren",
    "hoe bespreek ik de aanslag morgen in mijn klas",
    "comment parler de l'attentat en classe demain",
    "how do I discuss the attack with my class tomorrow",
    "hoe voorkom je dat jongeren naar syrie vertrekken",
    "mijn zoon vertrekt volgende week op erasmus naar spanje",
    "paspoort van mijn kind is verdwenen, moet ik me zorgen maken",
    "hij wil naar het buitenland om te vechten, maar pas volgend jaar",
    "il veut en finir avec ses mauvaises fréquentations",
    "my son is leaving for his dad's house tomorrow",
    "train times ghent to bruges on sunday",
    "mon fils a été frappé par la police lors d'une manif",
    "ik wil doorgaan met de gesprekken met mijn zoon",
    "hoe kan ik mijn zoon opvangen na school",
    "mijn dochter gaat shoppen met haar vriendinnen",
    "hoe bouw ik veerkracht op bij jongeren",
    "mijn zoon heeft slecht geslapen en is prikkelbaar",
    "my son makes racist jokes",
    "ma fille voilée se fait insulter",
    "mijn zoon zegt dat de regering ons bedriegt",
    "je veux me prendre en main pour aider mon fils",
    "mijn zoon mag morgen niet vertrekken op schoolreis",
    "de aanklager vraagt een straf voor de terroristen",
    "how to flag a racist account on instagram",
    "my daughter justifies violence, how should I react",
    "ma fille ne veut plus vivre ici, elle veut partir un jour",
    "wat moet ik zeggen als mijn kind na een aanslag bang is",
    "mijn zoon heeft het over wapens in de geschiedenisles",
    "wat betekent martelaar in de islam",
]

EDGE = {
    "empty": "",
    "emoji": "😀",
    "html": "<b>hallo</b><script>alert(1)</script>",
    "arabic": "مرحبا كيف حالك اليوم",
    "cyrillic": "Привет, как дела у твоего сына?",
    "whitespace": " \n\t ",
}


def _cases(topic: str) -> list[Any]:
    return [
        pytest.param(lang, text, id=f"{lang}-{n}")
        for lang, texts in POSITIVE[topic].items()
        for n, text in enumerate(texts)
    ]


@pytest.mark.parametrize(("lang", "text"), _cases(DANGER))
def test_danger_fires(detector: CrisisDetector, lang: str, text: str) -> None:
    hit = detector.detect(text)
    assert hit is not None and hit.topic == DANGER, (text, hit)


@pytest.mark.parametrize(("lang", "text"), _cases(SUICIDE))
def test_suicide_fires(detector: CrisisDetector, lang: str, text: str) -> None:
    hit = detector.detect(text)
    assert hit is not None and hit.topic == SUICIDE, (text, hit)


@pytest.mark.parametrize(("lang", "text"), _cases(ABUSE))
def test_abuse_fires(detector: CrisisDetector, lang: str, text: str) -> None:
    hit = detector.detect(text)
    assert hit is not None and hit.topic == ABUSE, (text, hit)


@pytest.mark.parametrize("text", NEGATIVE, ids=[f"neg-{n}" for n in range(len(NEGATIVE))])
def test_informational_does_not_fire(detector: CrisisDetector, text: str) -> None:
    assert detector.explain(text) == [], text


def test_intent_overrides_news_context(detector: CrisisDetector) -> None:
    hit = detector.detect("na het nieuws zei hij dat hij vanavond een aanslag plant")
    assert hit is not None and hit.topic == DANGER


def test_suicide_compound_is_not_suicide(detector: CrisisDetector) -> None:
    hits = detector.explain("mijn zoon wil een zelfmoordaanslag plegen")
    assert hits and {h.topic for h in hits} == {DANGER}


def test_hit_carries_language_and_rule(detector: CrisisDetector) -> None:
    assert detector.detect("je veux mourir") == CrisisHit(SUICIDE, "fr", "suicide-fr-want-die")
    hit = detector.detect("il est suicidaire")
    assert hit is not None and hit.lang is None


def test_explain_lists_every_rule(detector: CrisisDetector) -> None:
    hits = detector.explain("mijn vader slaat mij en ik wil dood")
    assert {SUICIDE, ABUSE} <= {h.topic for h in hits}


@pytest.mark.parametrize("text", EDGE.values(), ids=EDGE.keys())
def test_odd_input_returns_none(detector: CrisisDetector, text: str) -> None:
    assert detector.detect(text) is None


def test_random_text_does_not_crash(detector: CrisisDetector) -> None:
    rng = random.Random(4096)
    text = "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(4096))
    assert len(text) == 4096
    assert detector.detect(text) is None


def test_the_shipped_rules_are_clean() -> None:
    assert CrisisDetector.problems(yaml.safe_load(RULES.read_text(encoding="utf-8"))) == []


BAD = {
    "rules": [
        {"id": "ok", "topic": DANGER, "lang": "nl", "any": ["bom"]},
        {"id": "bad", "topic": SUICIDE, "lang": "nl", "all": [["wil"], ["x*", 3]]},
    ]
}


def test_problems_report_the_path() -> None:
    problems = CrisisDetector.problems(BAD)
    paths = [path for path, _ in problems]
    assert "rules[1].all[1][0]" in paths and "rules[1].all[1][1]" in paths


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        pytest.param({"topic": DANGER, "lang": "nl", "any": ["a"]}, "rules[0].id", id="no-id"),
        pytest.param(
            {"id": "x", "topic": "nope", "lang": "nl", "any": ["a"]}, "rules[0].topic", id="topic"
        ),
        pytest.param(
            {"id": "x", "topic": DANGER, "lang": "de", "any": ["a"]}, "rules[0].lang", id="lang"
        ),
        pytest.param({"id": "x", "topic": DANGER, "lang": "nl"}, "rules[0]", id="no-terms"),
        pytest.param(
            {"id": "x", "topic": DANGER, "lang": "nl", "any": ["a"], "within": 0},
            "rules[0].within",
            id="within",
        ),
        pytest.param(
            {"id": "x", "topic": SUICIDE, "lang": "nl", "any": ["a"], "unless": ["n"]},
            "rules[0].unless",
            id="unless-on-suicide",
        ),
        pytest.param(
            {"id": "x", "topic": DANGER, "lang": "nl", "any": ["@missing"]},
            "rules[0].any[0]",
            id="unknown-list",
        ),
        pytest.param(
            {"id": "x", "topic": DANGER, "lang": "nl", "any": ["a"], "colour": 1},
            "rules[0].colour",
            id="unknown-key",
        ),
    ],
)
def test_each_problem_has_its_path(rule: dict[str, Any], path: str) -> None:
    data = {"lists": {"n": ["nieuws"]}, "rules": [rule]}
    assert path in [p for p, _ in CrisisDetector.problems(data)]
    with pytest.raises(ValueError, match=path.replace("[", r"\[").replace("]", r"\]")):
        CrisisDetector.from_mapping(data)


def test_typo_keeps_first_letter(detector: CrisisDetector) -> None:
    assert detector.detect("ik maak mij zorgen, hij vertrekt") is None


# --- the mechanism, on a small rule set of its own -------------------------------------------

TOY = {
    "lists": {"news": ["nieuws", "tv"], "soon": ["morgen"]},
    "intent": ["@soon", "plant"],
    "rules": [
        {
            "id": "word",
            "topic": SUICIDE,
            "lang": "nl",
            "any": ["zelfmoord*", "=morgen"],
            "except": ["zelfmoordaanslag*"],
        },
        {
            "id": "pair",
            "topic": DANGER,
            "lang": "nl",
            "all": [["wil"], ["aanslag*"]],
            "within": 3,
            "unless": ["news"],
        },
        {"id": "gap", "topic": DANGER, "lang": "any", "any": ["il y a ? ans"]},
        {"id": "long", "topic": ABUSE, "lang": "en", "any": ["strangl*", "hospital"]},
    ],
}


@pytest.fixture(scope="module")
def toy() -> CrisisDetector:
    return CrisisDetector.from_mapping(TOY)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        pytest.param("zelfmoordgedachten", "word", id="prefix"),
        pytest.param("zelfmord", "word", id="letter-missing"),
        pytest.param("zelfmooord", "word", id="letter-extra"),
        pytest.param("zelfmoodr", "word", id="letters-swapped"),
        pytest.param("zelfmoird", "word", id="keyboard-neighbour"),
        pytest.param("ZELFMOORD!!", "word", id="case-punctuation"),
        pytest.param("hij wil een aanslag", "pair", id="window"),
        pytest.param("aanslag, hij wil", "pair", id="any-order"),
        pytest.param("il y a 5 ans", "gap", id="wildcard-word"),
        pytest.param("strangled", "long", id="prefix-grown"),
        pytest.param("hosptial", "long", id="swap-in-word"),
    ],
)
def test_toy_fires(toy: CrisisDetector, text: str, rule: str) -> None:
    hit = toy.detect(text)
    assert hit is not None and hit.rule == rule


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("zelfmoordaanslag", id="except-compound"),
        pytest.param("mogen", id="exact-word-no-typo"),
        pytest.param("selfmoord", id="first-letter-typo"),
        pytest.param("zelfmaard", id="wrong-letter-far-key"),
        pytest.param("hij wil echt heel graag over een aanslag", id="outside-window"),
        pytest.param("in het nieuws: hij wil een aanslag", id="unless-context"),
        pytest.param("strange", id="prefix-last-letter"),
        pytest.param("il y a ans", id="wildcard-needs-a-word"),
    ],
)
def test_toy_does_not_fire(toy: CrisisDetector, text: str) -> None:
    assert toy.detect(text) is None


def test_intent_outside_the_rule_overrides_unless(toy: CrisisDetector) -> None:
    hit = toy.detect("in het nieuws: hij plant een aanslag, hij wil een aanslag")
    assert hit is not None and hit.rule == "pair"


def test_detect_returns_the_first_rule_in_file_order(toy: CrisisDetector) -> None:
    assert [h.rule for h in toy.explain("zelfmoord, hij wil een aanslag")] == ["word", "pair"]
    assert toy.detect("zelfmoord, hij wil een aanslag") == CrisisHit(SUICIDE, "nl", "word")


def test_yaml_booleans_are_reported() -> None:
    data = {"rules": [{"id": "x", "topic": DANGER, "lang": "en", "any": [False]}]}
    assert CrisisDetector.problems(data) == [
        ("rules[0].any[0]", 'YAML read this word as true/false: quote it ("no", "on")')
    ]
