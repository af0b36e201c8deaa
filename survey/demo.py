"""A realistic fictional sector for demos and benchmarks: CLBs in four networks, schools with
a realistic level mix, one open round and simulated answers; with an example questionnaire,
a second open round on it whose answers use every question type and follow its routing.
Deterministic for a seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from instrument import routing
from instrument.model import Item

from .database import write_transaction
from .models import Answer, Centre, Remark, Response, Round, School, utcnow
from .questionnaire import Questionnaire
from .services import counts, rounds, tally, themes

NETWORK_COUNTS = {"vclb": 22, "go": 8, "ovsg": 6, "pov": 4}
NETWORK_PREFIX = {"vclb": "Vrij CLB", "go": "CLB GO!", "ovsg": "OVSG-CLB", "pov": "POV-CLB"}
REGIONS = [
    "Antwerpen", "Gent", "Brugge", "Leuven", "Mechelen", "Hasselt", "Kortrijk", "Aalst",
    "Sint-Niklaas", "Genk", "Roeselare", "Turnhout", "Oostende", "Geel", "Lier", "Tienen",
    "Vilvoorde", "Dendermonde", "Ieper", "Lokeren", "Herentals", "Mol", "Tongeren", "Diest",
    "Halle", "Ninove", "Eeklo", "Tielt", "Waregem", "Beringen", "Lommel", "Maaseik",
    "Oudenaarde", "Zottegem", "Poperinge", "Bilzen", "Asse", "Boom", "Brasschaat", "Wetteren",
]
STREET_NAMES = [
    "De Regenboog", "De Vlinder", "'t Klavertje", "De Zonnebloem", "Het Kompas", "De Sleutel",
    "De Toverfluit", "Sint-Jozef", "Sint-Maria", "De Wegwijzer", "Het Anker", "De Horizon",
    "De Boomgaard", "Het Mozaïek", "De Kameleon", "De Linde", "Het Molentje", "De Parel",
    "Sint-Vincentius", "De Kleine Wereld", "Het Palet", "De Bolster", "De Ark", "De Spiegel",
]
SO_NAMES = ["Sint-Jozefscollege", "Atheneum", "Technisch Instituut", "Lyceum",
            "Sint-Ursula-Instituut", "Campus", "Heilig-Hartcollege", "Kunsthumaniora",
            "Provinciaal Instituut", "Handelsschool"]
LEVEL_NAME = {"bao": "Basisschool", "bubao": "School voor buitengewoon basisonderwijs",
              "buso": "School voor buitengewoon secundair onderwijs"}

# Mean latent satisfaction per statement (1..4 scale): mostly high, lower on some.
BASE = {4: 3.25, 5: 2.95, 6: 3.35, 7: 2.8, 8: 3.25, 9: 2.95, 10: 3.2, 12: 2.85, 13: 3.1,
        14: 2.45, 15: 3.0, 16: 3.0, 17: 3.05, 18: 3.0, 19: 3.05, 21: 2.75, 22: 2.8,
        23: 2.8, 24: 2.7, 26: 2.95, 27: 3.1}
# Differences between levels, the source's main finding.
LEVEL_SHIFT = {
    "bao": {"*": 0.1},
    "so": {"*": -0.15, 5: -0.35, 16: -0.3, 21: -0.3, 22: -0.3, 23: -0.35},
    "bubao": {"*": 0.15, 13: 0.3, 23: 0.3, 26: 0.35, 27: 0.35, 14: -0.3},
    "buso": {"*": -0.05, 26: 0.3, 27: 0.3, 19: 0.25, 6: -0.3},
}
# Probability of "geen zicht / niet van toepassing".
NO_VIEW = {"*": 0.03, 14: 0.1, 15: 0.1, 17: 0.15, 18: 0.25, 19: 0.12}
NO_VIEW_LEVEL = {("bao", 17): 0.3, ("so", 19): 0.2, ("bubao", 18): 0.45, ("buso", 18): 0.4}
REMARKS = [
    "De samenwerking hangt sterk af van de persoon die ons CLB-team vormt.",
    "Door personeelswissels moesten we dit jaar vaak opnieuw beginnen.",
    "We begrijpen dat het CLB meer vragen krijgt dan het aankan, maar de wachttijd voor "
    "een HGD-traject is lang.",
    "Onze vaste CLB-medewerker is zeer bereikbaar en denkt goed mee.",
    "Meer aanwezigheid op het multidisciplinair overleg zou helpen.",
    "Bij afwezigheden wordt snel gereageerd, daar zijn we tevreden over.",
    "Het zou fijn zijn als het CLB vaker op school aanwezig is.",
]


@dataclass(frozen=True)
class DemoLink:
    school_number: str
    school_name: str
    level: str
    centre_number: str
    centre_name: str
    link: str


@dataclass(frozen=True)
class DemoSummary:
    centres: int
    schools: int
    submitted: int
    drafts: int
    round_id: int
    links: list[DemoLink]
    example_round_id: int | None = None
    example_links: tuple[DemoLink, ...] = ()


def _school_levels(rng: random.Random, size: int) -> list[str]:
    if rng.random() < 0.25:
        special = rng.randint(1, 3)
    else:
        special = max(2, round(size * rng.uniform(0.05, 0.11)))
    special = min(special, size - 2)
    bubao = rng.randint(0, special) if special > 1 else rng.randint(0, 1)
    buso = special - bubao
    so = round((size - special) * rng.uniform(0.22, 0.34))
    bao = size - special - so
    return ["bao"] * bao + ["so"] * so + ["bubao"] * bubao + ["buso"] * buso


def _school_name(rng: random.Random, level: str, town: str) -> str:
    if level == "so":
        return f"{rng.choice(SO_NAMES)} {town}"
    return f"{LEVEL_NAME[level]} {rng.choice(STREET_NAMES)} {town}"


def _answer(rng: random.Random, mu: float, item: int, level: str) -> int:
    p_none = NO_VIEW_LEVEL.get((level, item), NO_VIEW.get(item, NO_VIEW["*"]))
    if rng.random() < p_none:
        return 0
    s = mu + rng.gauss(0, 0.75)
    return 4 if s > 3.35 else 3 if s > 2.45 else 2 if s > 1.6 else 1


def build(session: Session, questionnaire: Questionnaire, *, seed: int = 2026,
          answered: float = 0.6, schools: int = 3500,
          base_url: str, example: Questionnaire | None = None) -> DemoSummary:
    """Fill an empty database in one write transaction; returns counts and the links of
    every unanswered school (of the example round too, when there is one)."""
    if not 0 <= answered <= 1:
        raise ValueError("answered must be between 0 and 1")
    with write_transaction(session):
        summary = _fill(session, questionnaire, seed, answered, schools, base_url)
        if example is not None:
            round_id, links = _example_round(session, example, random.Random(seed + 1),
                                             answered, base_url)
            summary = DemoSummary(**{**summary.__dict__, "example_round_id": round_id,
                                     "example_links": tuple(_showcase_first(links))})
    # the seed report's three themes, so the console's remark coding has a codebook (each
    # theme its own write transaction, as when an inspector adds it)
    themes.seed_codebook(session, session.get(Round, summary.round_id))
    return summary


def _fill(session: Session, questionnaire: Questionnaire, seed: int, answered: float,
          schools: int, base_url: str) -> DemoSummary:
    rng = random.Random(seed)
    now = utcnow()
    n_centres = sum(NETWORK_COUNTS.values())

    # Sizes 20..200 with a long tail, scaled to the requested number of schools.
    raw = [rng.lognormvariate(0, 0.55) for _ in range(n_centres)]
    sizes = [max(20, min(200, round(schools * r / sum(raw)))) for r in raw]
    numbers = rng.sample(range(100000, 999999), n_centres + sum(sizes))
    regions = rng.sample(REGIONS, n_centres)

    centres: list[Centre] = []
    for network, count in NETWORK_COUNTS.items():
        for _ in range(count):
            region = regions[len(centres)]
            centres.append(Centre(number=str(numbers[len(centres)]),
                                  name=f"{NETWORK_PREFIX[network]} {region}", network=network))
    session.add_all(centres)
    session.flush()

    all_schools: list[School] = []
    next_number = n_centres
    for centre, size, region in zip(centres, sizes, regions, strict=True):
        towns = [region] + rng.sample([r for r in REGIONS if r != region], 3)
        for level in _school_levels(rng, size):
            town = rng.choice(towns)
            number = str(numbers[next_number])
            next_number += 1
            all_schools.append(School(
                number=number, name=_school_name(rng, level, town), level=level,
                centre_id=centre.id, email=f"directie.{number}@example.org", municipality=town))
    session.add_all(all_schools)
    session.flush()

    year = now.year if now.month >= 9 else now.year - 1
    rnd = rounds.create_round(
        session, name=f"Bevraging scholen over de samenwerking met het CLB {year}-{year + 1}",
        school_year=f"{year}-{year + 1}", questionnaire=questionnaire,
        opens_at=now - timedelta(days=14), closes_at=now + timedelta(days=30))
    rounds.open_round(session, rnd)
    issued = rounds.invite(session, rnd, all_schools)

    centre_effect = {c.id: rng.gauss(0, 0.22) for c in centres}
    centre_by_id = {c.id: c for c in centres}
    statements = [i.number for i in questionnaire.statements]
    text_keys = [i.key for i in questionnaire.text_items]

    order = list(range(len(issued)))
    rng.shuffle(order)
    n_submitted = round(answered * len(issued))
    n_drafts = round(0.05 * (len(issued) - n_submitted))
    plan = {idx: "submitted" for idx in order[:n_submitted]}
    plan.update({idx: "draft" for idx in order[n_submitted:n_submitted + n_drafts]})

    responses, answer_rows, remark_rows, links = [], [], [], []
    for idx, item in enumerate(issued):
        inv, school = item.invitation, all_schools[idx]
        status = plan.get(idx)
        if status != "submitted":
            centre = centre_by_id[school.centre_id]
            links.append(DemoLink(school.number, school.name, school.level, centre.number,
                                  centre.name, rounds.link(base_url, item.token)))
        if status is None:
            continue
        started = now - timedelta(days=rng.uniform(0.5, 13.5))
        resp = Response(invitation_id=inv.id, status=status, started_at=started,
                        updated_at=started + timedelta(minutes=rng.uniform(3, 40)))
        if status == "submitted":
            resp.submitted_at = resp.updated_at
        responses.append((resp, school, status))
    session.add_all([r for r, _, _ in responses])
    session.flush()

    for resp, school, status in responses:
        mu_school = rng.gauss(0, 0.3) + centre_effect[school.centre_id]
        shift = LEVEL_SHIFT[school.level]
        items = statements if status == "submitted" else statements[: rng.randint(1, 12)]
        for number in items:
            mu = BASE.get(number, 3.0) + shift.get(number, shift["*"]) + mu_school
            answer_rows.append({"response_id": resp.id, "item": number,
                                "value": _answer(rng, mu, number, school.level)})
        if status == "submitted" and rng.random() < 0.18:
            remark_rows.append({"response_id": resp.id, "key": rng.choice(text_keys),
                                "text": rng.choice(REMARKS)})
    if answer_rows:
        session.execute(insert(Answer), answer_rows)
    if remark_rows:
        session.execute(insert(Remark), remark_rows)
    # The bulk insert went around the answer service: count what it wrote.
    counts.rebuild(session, rnd.id)
    tally.rebuild(session, rnd.id)
    return DemoSummary(len(centres), len(all_schools), n_submitted, n_drafts, rnd.id,
                       _showcase_first(links))


def _showcase_first(links: list[DemoLink]) -> list[DemoLink]:
    """Put one link of each level, from different CLBs, at the front of the list."""
    first, centres = [], set()
    for level in ("bao", "so", "bubao", "buso"):
        pick = next((k for k in links if k.level == level and k.centre_number not in centres),
                    None)
        if pick:
            first.append(pick)
            centres.add(pick.centre_number)
    return first + [k for k in links if k not in first]


# How the example round's simulated schools answer each kind of question (the example
# questionnaire's own keys are never named: any questionnaire can be simulated).
TICK_CHANCE = (0.9, 0.7, 0.5, 0.6, 0.15, 0.3, 0.3, 0.3)
YES_CHANCE = 0.7
TEXT_CHANCE = 0.15
EXAMPLE_TEXTS = [
    "Dit is een voorbeeldantwoord van een gesimuleerde school.",
    "Voorbeeld: de samenwerking loopt goed, de opvolging kan sneller.",
]


def simulate(rng: random.Random, q: Questionnaire, level: str, mood: float
             ) -> tuple[dict[int, int], dict[str, str]]:
    """One school's answers to any questionnaire, item by item in order, only to the
    questions its earlier answers show (as the form does)."""
    answers: dict[int, int] = {}
    remarks: dict[str, str] = {}
    for item in q.items:
        if item.key not in routing.shown(q, answers):
            continue
        SIMULATED[item.type](rng, item, level, mood, answers, remarks)
    return answers, remarks


def _likert(rng, item: Item, level, mood, answers, remarks):
    value = _answer(rng, 3.0 + mood, item.slot, level)
    if value not in item.scale.codes:   # a scale without "geen zicht"
        value = rng.choice(item.scale.substantive)
    answers[item.slot] = value


def _single(rng, item: Item, level, mood, answers, remarks):
    weights = [1 / (rank + 1) for rank in range(len(item.choices))]
    answers[item.slot] = rng.choices([c.code for c in item.choices], weights)[0]
    if item.other and rng.random() < TEXT_CHANCE / 3:
        remarks[item.other_key] = "Een ander antwoord (voorbeeld)."


def _multi(rng, item: Item, level, mood, answers, remarks):
    ticked = [rng.random() < TICK_CHANCE[n % len(TICK_CHANCE)]
              for n in range(len(item.choices))]
    if not any(ticked):
        ticked[0] = True
    if item.max_choices is not None:
        for n in [n for n, t in enumerate(ticked) if t][item.max_choices:]:
            ticked[n] = False
    for choice, tick in zip(item.choices, ticked, strict=True):
        answers[choice.slot] = int(tick)


def _yesno(rng, item: Item, level, mood, answers, remarks):
    answers[item.slot] = 1 if rng.random() < YES_CHANCE else 2


def _number(rng, item: Item, level, mood, answers, remarks):
    span = item.maximum - item.minimum
    mode = item.minimum + span * min(1.0, max(0.0, 0.35 + mood / 4))
    answers[item.slot] = round(rng.triangular(item.minimum, item.maximum, mode))


def _text(rng, item: Item, level, mood, answers, remarks):
    if rng.random() < TEXT_CHANCE:
        remarks[item.key] = rng.choice(EXAMPLE_TEXTS)


SIMULATED = {"likert": _likert, "single": _single, "multi": _multi, "yesno": _yesno,
             "number": _number, "text": _text}


def _example_round(session: Session, q: Questionnaire, rng: random.Random, answered: float,
                   base_url: str) -> tuple[int, list[DemoLink]]:
    """A second open round, on the example questionnaire, for every school; simulated
    answers; a few schools changed their mind, so their draft keeps answers that routing
    hid at submit (stored hidden, never counted)."""
    from sqlalchemy import select

    now = utcnow()
    rnd = rounds.create_round(
        session, name="Voorbeeldbevraging: alle vraagtypes (voorbeeld)",
        school_year=f"{now.year}-{now.year + 1}", questionnaire=q,
        opens_at=now - timedelta(days=7), closes_at=now + timedelta(days=30))
    rounds.open_round(session, rnd)
    schools = list(session.scalars(select(School).order_by(School.id)))
    issued = rounds.invite(session, rnd, schools)
    centres = {c.id: c for c in session.scalars(select(Centre))}
    links, planned = [], []
    for item, school in zip(issued, schools, strict=True):
        if rng.random() < answered:
            started = now - timedelta(days=rng.uniform(0.5, 6.5))
            planned.append((Response(invitation_id=item.invitation.id, status="submitted",
                                     started_at=started, updated_at=started,
                                     submitted_at=started), school))
        else:
            centre = centres[school.centre_id]
            links.append(DemoLink(school.number, school.name, school.level, centre.number,
                                  centre.name, rounds.link(base_url, item.token)))
    session.add_all([response for response, _ in planned])
    session.flush()
    answer_rows, remark_rows = [], []
    for response, school in planned:
        given, texts = simulate(rng, q, school.level, rng.gauss(0, 0.4))
        if rng.random() < 0.05:
            # An earlier draft answered questions that this school's final answers hide:
            # kept, and marked hidden at submit as the answer service does.
            scratch_answers, scratch_texts = {}, {}
            shown = routing.shown(q, given)
            for item in q.items:
                if item.key not in shown:
                    SIMULATED[item.type](rng, item, school.level, 0.0, scratch_answers,
                                         scratch_texts)
            given = {**scratch_answers, **given}
            texts = {**scratch_texts, **texts}
        hidden_slots, hidden_keys = map(set, routing.hidden_storage(q, given))
        answer_rows += [{"response_id": response.id, "item": slot, "value": value,
                         "hidden": slot in hidden_slots} for slot, value in given.items()]
        remark_rows += [{"response_id": response.id, "key": key, "text": text,
                         "hidden": key in hidden_keys} for key, text in texts.items()]
    if answer_rows:
        session.execute(insert(Answer), answer_rows)
    if remark_rows:
        session.execute(insert(Remark), remark_rows)
    counts.rebuild(session, rnd.id)
    tally.rebuild(session, rnd.id)
    return rnd.id, links
