"""`survey demo`: a realistic fictional sector, deterministic for a seed."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Answer, Centre, Invitation, Response, Round, School

ARGS = ["demo", "--no-serve", "--schools", "600", "--seed", "7", "--answered", "0.5", "--reset"]


def _run(runner, *extra):
    result = runner.invoke(args=[*ARGS, *extra])
    assert result.exit_code == 0, result.output
    return result


def _snapshot(app):
    """Everything the demo built except the random link tokens."""
    with app.app_context():
        schools = db.session.execute(
            select(School.number, School.name, School.level, Centre.number)
            .join(Centre)).all()
        answers = db.session.execute(
            select(School.number, Answer.item, Answer.value)
            .join(Invitation, Invitation.school_id == School.id)
            .join(Response, Response.invitation_id == Invitation.id)
            .join(Answer, Answer.response_id == Response.id)).all()
        return sorted(schools), sorted(answers)


def test_demo_builds_a_realistic_sector(app, runner, tmp_path):
    links = tmp_path / "links.csv"
    result = _run(runner, "--links-csv", str(links))
    assert "40 CLBs" in result.output and "/s/" in result.output
    with app.app_context():
        centres = db.session.scalars(select(Centre)).all()
        assert len(centres) == 40
        assert {c.network for c in centres} == {"vclb", "go", "ovsg", "pov"}
        levels = Counter(db.session.scalars(select(School.level)))
        assert levels["bao"] > levels["so"] > levels["bubao"] + levels["buso"] > 0
        per_centre = defaultdict(Counter)
        for centre_id, level in db.session.execute(select(School.centre_id, School.level)):
            per_centre[centre_id][level] += 1
        special = [c["bubao"] + c["buso"] for c in per_centre.values()]
        assert any(1 <= n <= 3 for n in special), "some CLBs have only 1-3 special-needs schools"
        assert all(20 <= sum(c.values()) <= 200 for c in per_centre.values())

        rnd = db.session.scalar(select(Round).order_by(Round.id))
        assert rnd.state == "open" and rnd.accepts_answers()
        invited = db.session.scalar(select(func.count()).select_from(Invitation).where(
            Invitation.round_id == rnd.id))
        submitted = db.session.scalar(
            select(func.count()).select_from(Response).join(Invitation).where(
                Response.status == "submitted", Invitation.round_id == rnd.id))
        assert invited == sum(levels.values())
        assert submitted == round(0.5 * invited)
        from survey.services import themes
        # the seed report's three themes, ready for coding the remarks
        assert [theme.name for theme in themes.codebook(db.session, rnd)] == [
            "Persoonsgebonden verschillen",
            "Arbeidsorganisatie en discontinuïteit van personeel",
            "Begrip voor de beperkingen van het CLB"]

    rows = list(csv.DictReader(links.open(encoding="utf-8")))
    assert list(rows[0]) == ["school_number", "school_name", "level", "centre_number",
                             "centre_name", "link"]
    assert len(rows) == invited - submitted
    assert {r["level"] for r in rows[:4]} == {"bao", "so", "bubao", "buso"}
    assert all(r["link"].startswith("http://survey.test/s/") for r in rows)


def test_demo_links_work_and_lead_to_an_empty_form(app, runner, tmp_path):
    links = tmp_path / "links.csv"
    _run(runner, "--links-csv", str(links))
    row = next(csv.DictReader(links.open(encoding="utf-8")))
    client = app.test_client()
    assert client.get(row["link"].removeprefix("http://survey.test")).status_code == 303
    page = client.get("/vragenlijst").get_data(as_text=True)
    assert row["school_name"] in page and row["centre_name"] in page


def test_demo_is_deterministic_for_a_seed(app, runner):
    _run(runner)
    first = _snapshot(app)
    _run(runner)
    assert _snapshot(app) == first


def test_levels_differ_in_the_simulated_answers(app, runner):
    _run(runner, "--answered", "1")
    with app.app_context():
        rows = db.session.execute(
            select(Invitation.level, Answer.value)
            .join(Response, Response.invitation_id == Invitation.id)
            .join(Answer, Answer.response_id == Response.id)
            .where(Answer.value > 0, Answer.item.in_([21, 22, 23]))).all()
    agree = defaultdict(list)
    for level, value in rows:
        agree[level].append(value >= 3)
    share = {level: sum(v) / len(v) for level, v in agree.items()}
    assert share["bao"] - share["so"] > 0.1, share


@pytest.mark.parametrize("answered", ["0", "0.0"])
def test_demo_with_no_answers(app, runner, answered):
    _run(runner, "--answered", answered)
    with app.app_context():
        assert db.session.scalar(
            select(func.count()).where(Response.status == "submitted")) == 0


def test_demo_refuses_to_empty_a_database_without_reset(app, runner, backend):
    _run(runner)
    result = runner.invoke(args=["demo", "--no-serve", "--schools", "200"])
    if backend == "sqlite":  # the embedded database is the demo's own: it is rebuilt
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0 and "--reset" in result.output


def test_the_example_round_uses_every_type_and_follows_its_routing(app, runner):
    from survey.questionnaire import bundled
    from survey.services import counts

    _run(runner)
    example = bundled("voorbeeld-alle-vraagtypes")
    with app.app_context():
        rnd = db.session.scalar(select(Round).where(
            Round.questionnaire_id == "voorbeeld-alle-vraagtypes"))
        assert rnd.state == "open"
        cube = counts.cube(db.session, rnd.id)
        assert counts.recomputed(db.session, rnd.id) == cube
        counted_slots = {slot for (_c, _l, slot, _v) in cube}
        for item in example.items:
            if item.type != "text":
                assert set(item.slots) <= counted_slots, item.key
        # Per response: no counted answer to a follow-up when the school said "nee".
        rows = db.session.execute(select(Answer.response_id, Answer.item, Answer.value,
                                         Answer.hidden)
                                  .join(Response).join(Invitation)
                                  .where(Invitation.round_id == rnd.id)).all()
    by_response = defaultdict(dict)
    hidden = defaultdict(set)
    for response_id, slot, value, is_hidden in rows:
        (hidden[response_id].add(slot) if is_hidden else None)
        if not is_hidden:
            by_response[response_id][slot] = value
    follow_ups = {example.by_key[k].slot for k in ("kanaal", "snel-antwoord",
                                                    "tevredenheid-cijfer")}
    said_no = [r for r, given in by_response.items() if given.get(11) == 2]
    said_yes = [r for r, given in by_response.items() if given.get(11) == 1]
    assert said_no and said_yes
    assert all(not follow_ups & by_response[r].keys() for r in said_no)
    assert any(follow_ups & hidden[r] for r in said_no), "some drafts kept hidden answers"
    doctor = example.by_key["medewerkers"].choices[2].slot    # "Arts" ticked shows part 3
    assert all(25 not in given for given in by_response.values() if given.get(doctor) != 1)


def test_demo_says_where_mails_go_without_a_mail_server(app, runner):
    """No SURVEY_SMTP_HOST: the mails are .eml files in the instance folder's outbox, and
    the demo says so, with the console page that lists them; with a server, no word."""
    from pathlib import Path

    args = ["demo", "--no-serve", "--schools", "100", "--answered", "0", "--reset"]
    app.config["SURVEY_SMTP_HOST"] = ""
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    folder = Path(app.instance_path) / "outbox"
    base = app.config["SURVEY_BASE_URL"]
    assert (f"No mail server (SURVEY_SMTP_HOST is empty): mails are written as .eml files "
            f"to {folder}; the console shows them under \"Uitgaande post\": "
            f"{base}/beheer/uitgaande-post\n") in result.output
    app.config["SURVEY_SMTP_HOST"] = "smtp.example.org"
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "No mail server" not in result.output
