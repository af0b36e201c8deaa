"""Helpers for the tests: a school's browser session in the test client, and data shapes."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from reports import content
from reports.layout import from_snapshot
from survey.questionnaire import bundled

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Invited:
    invitation_id: int
    round_id: int
    token: str

    @property
    def path(self) -> str:
        return f"/s/{self.token}"


class FormPage:
    """A school's browser session in the test client: open the link, read the form's
    hidden fields, post answers."""

    def __init__(self, client, invited: Invited):
        self.client = client
        self.invited = invited
        self.csrf = self.ticket = None

    def open(self):
        response = self.client.get(self.invited.path)
        assert response.status_code == 303, response.status_code
        page = self.client.get("/vragenlijst")
        self.read(page.get_data(as_text=True))
        return page

    def read(self, html: str) -> None:
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        self.ticket = re.search(r'name="ticket" value="([^"]+)"', html).group(1)

    def post(self, answers: dict[int, int] | None = None, action: str = "save", **fields):
        data = {"csrf_token": self.csrf, "ticket": self.ticket, "action": action}
        data.update({f"s{n}": str(v) for n, v in (answers or {}).items()})
        data.update(fields)
        return self.client.post("/vragenlijst", data=data)

    def submit_confirmed(self):
        return self.client.post("/vragenlijst/indienen",
                                data={"csrf_token": self.csrf, "ticket": self.ticket})

    def autosave(self, field: str, value: str):
        return self.client.post("/vragenlijst/autosave", data={
            "csrf_token": self.csrf, "ticket": self.ticket, "field": field, "value": value})


class FormFields(HTMLParser):
    """The name/value pairs a browser posts for the questionnaire form: enabled controls
    only (a disabled one is not posted), checked radios and checkboxes, every text box."""

    def __init__(self):
        super().__init__()
        self.fields: list[list[str]] = []
        self._inside = False
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = attrs.get("id") == "questionnaire"
            return
        if not self._inside or not attrs.get("name") or "disabled" in attrs:
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                return
            self.fields.append([attrs["name"], attrs.get("value") or ""])
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
            self.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self._textarea[1] = self._textarea[1].removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._inside = False


class BrowserTab:
    """One browser tab on the questionnaire: it keeps the page as it was rendered and posts
    the whole form as a browser does (every checked radio, every text area), however old
    the page has become."""

    def __init__(self, client):
        self.client = client
        self.reload()

    def reload(self, html: str | None = None):
        self.html = html if html is not None else self.client.get(
            "/vragenlijst").get_data(as_text=True)
        parser = FormFields()
        parser.feed(self.html)
        self.fields = dict(parser.fields)
        return self

    def field(self, name: str) -> str:
        return self.fields[name]

    def autosave(self, field: str, value: str):
        """What respond.js does on a change: post one field, then note the answer as the
        page's own (the script updates the page's draft basis from the reply)."""
        answer = self.client.post("/vragenlijst/autosave", data={
            "csrf_token": self.fields["csrf_token"], "ticket": self.fields["ticket"],
            "field": field, "value": value})
        data = answer.get_json() or {}
        self.fields[field] = value
        if "basis" in self.fields and "basis" in data:
            basis = json.loads(self.fields["basis"])
            basis[field] = data["basis"]
            self.fields["basis"] = json.dumps(basis)
        return answer

    def post(self, changes: dict[str, str] | None = None, action: str = "save"):
        data = {**self.fields, **(changes or {}), "action": action}
        return self.client.post("/vragenlijst", data=data)


def all_answers(questionnaire, value: int = 4) -> dict[int, int]:
    return {item.number: value for item in questionnaire.statements}


def kept_equals_recount(app, kept, recount, round_id: int):
    """Read a kept table (kept) and its recount from the raw rows (recount) for a round;
    assert they agree and return the kept one."""
    from survey.extensions import db

    with app.app_context():
        held, fresh = kept(db.session, round_id), recount(db.session, round_id)
    assert held == fresh
    return held


def random_schools(make_invited, rng, round_id: int, count: int) -> list[Invited]:
    """`count` schools invited to the round, each of a random level of one of two CLBs."""
    return [make_invited(round_id, rng.choice(["bao", "so", "buso"]),
                         rng.choice(["100001", "100002"])) for _ in range(count)]


def random_operations(app, rng, schools: list[Invited], numbers, steps: int,
                      operations=("draft", "submit", "submit", "withdraw", "reinstate"),
                      add=None, check=None) -> None:
    """A school's draft or submit with random codes, or an inspector's withdraw or
    reinstate, `steps` times, each committed; "add" calls add() for a new school to join
    `schools`. check() runs after every tenth step."""
    from survey.extensions import db
    from survey.models import Invitation
    from survey.services import answers, rounds

    for step in range(steps):
        inv = rng.choice(schools)
        op = rng.choice(operations)
        with app.app_context():
            if op in ("draft", "submit"):
                values = {n: rng.choice([0, 1, 2, 3, 4, None]) for n in numbers}
                answers.save(db.session, inv.invitation_id, values, submit=op == "submit")
            elif op == "add":
                schools.append(add())
            else:
                invitation = db.session.get(Invitation, inv.invitation_id)
                (rounds.withdraw if op == "withdraw" else rounds.reinstate)(
                    db.session, invitation)
            db.session.commit()
        if check is not None and step % 10 == 9:
            check()


def in_threads(app, jobs):
    """Run the jobs at the same moment, each in its own thread with its own session."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def run(i, job):
        from survey.extensions import db

        with app.app_context():
            barrier.wait()
            try:
                results[i] = job()
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


# --- Plain inputs for the reports package --------------------------------------------

LAYOUT = from_snapshot(bundled("clb-samenwerking-school").to_dict())
NUMBERS = LAYOUT.numbers
# Two CLBs, A and B: B is A's whole sector, which takes a round that asks one other CLB
# (tests of the benchmark rule itself build their own RoundInfo or cube).
INFO = content.RoundInfo(7, "Ronde", "2026-2027", 5, "1 december 2026", min_centres=1)


def centre_input(number="A", remarks=(), earlier=(), responded=None, previous=None):
    responded = responded or {"bao": 10, "so": 10}
    return content.CentreInput(content.CentreInfo(number, f"CLB {number}", "GO!"),
                               dict.fromkeys(responded, 12), responded, remarks, earlier,
                               previous)


def cube_of(spec):
    """spec: (centre, level, item) -> {code: n}"""
    cube = {}
    for (centre, level, item), counts in spec.items():
        for code, n in counts.items():
            cube[(centre, level, item, code)] = n
    return cube


def uniform(a_agree: int, b_agree: int, items=NUMBERS):
    """A: 10 bao + 10 so with a_agree of every 10 agreeing; B: 40 + 40, b_agree of 10."""
    spec = {}
    for item in items:
        for level in ("bao", "so"):
            spec[("A", level, item)] = {4: a_agree, 1: 10 - a_agree}
            spec[("B", level, item)] = {4: 4 * b_agree, 1: 40 - 4 * b_agree}
    return spec


def example_feedback(number: str, seed: int = 3, earlier=()) -> content.Feedback:
    """A CLB's feedback on the example questionnaire (every question type), from a cube
    of random answers over five CLBs (CLB <number>-stad, levels bao, so and buso)."""
    import random

    from instrument.loader import load

    example = ROOT / "questionnaires" / "voorbeeld-alle-vraagtypes-2026.1.toml"
    layout = from_snapshot(load(example).to_dict())
    rng = random.Random(seed)
    cube: dict = {}

    def add(*key):
        cube[key] = cube.get(key, 0) + 1
    for centre in ("P", "Q", "R", "S", "U"):
        for level in ("bao", "so", "buso"):
            for _ in range(rng.randint(2, 9)):
                for slot in layout.statements:
                    add(centre, level, slot, rng.choice([1, 2, 3, 4]))
                for question in layout.questions:
                    if question.type == "multi":
                        for option in question.options:
                            add(centre, level, option.slot, rng.choice([0, 1]))
                    elif question.type == "number":
                        add(centre, level, question.options[0].slot, rng.randint(0, 10))
                    else:
                        add(centre, level, question.options[0].slot,
                            rng.choice(question.options).code)
    given = content.CentreInput(content.CentreInfo(number, f"CLB {number}-stad", "GO"),
                                {"bao": 9, "so": 9, "buso": 9}, {"bao": 5, "so": 5,
                                                                 "buso": 5}, (), earlier)
    return content.build(INFO, layout, cube, given)


def insert_round_rows(conn, state: str) -> None:
    """A centre (id 1), a bao school (id 1) and a round (id 1) in `state`, as raw rows: a
    migration test's database before its upgrade, where the models may not fit yet."""
    from sqlalchemy import text

    conn.execute(text("INSERT INTO centre (id, number, name, network) "
                      "VALUES (1, '1', 'C', 'go')"))
    conn.execute(text("INSERT INTO school (id, number, name, level, centre_id) "
                      "VALUES (1, '2', 'S', 'bao', 1)"))
    conn.execute(text(
        "INSERT INTO round (id, name, school_year, questionnaire_id, "
        "questionnaire_version, definition, state, min_group_size, created_at) "
        "VALUES (1, 'R', '2026-2027', 'q', '1', '{}', :state, 5, :now)"),
        {"state": state, "now": "2026-11-01 00:00:00"})
