"""The CLB's answer to its results (services/follow_up.py and follow_up_overview.py): drafts,
submits, action states, the answer of the previous round as plain data, the sector table
and its workbook."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from survey.database import write_transaction
from survey.extensions import db
from survey.models import AuditEvent, Centre, Round, User
from survey.models.follow_up import CentreAction, CentreReaction
from survey.services import follow_up
from survey.services import follow_up_overview as overview
from survey.services.follow_up import ActionInput, FollowUpError

# Per school of each CLB (all bao), the code it gives to statement 4, to 5, and to every
# other statement. CLB 100001: 1 of 10 agree on 4 (10 %), 2 of 10 on 5 (20 %), 7 of 10 on
# the rest (70 %); CLB 100002: 9 of 12 agree everywhere (75 %). With the sector of the
# one other CLB, 4 and 5 are 100001's attention points (4 the clearer one), and nothing
# else is clearly different.
PLAN = {
    "100001": [(4, 4, 4), (1, 3, 4), (1, 1, 3), (1, 1, 3), (2, 2, 4), (2, 2, 3), (1, 1, 4),
               (2, 2, 1), (1, 1, 2), (2, 2, 1)],
    "100002": [(code, code, code) for code in (4, 4, 4, 3, 3, 3, 4, 3, 3, 2, 1, 2)],
}
ATTENTION = [4, 5]


def publish_round_with_attention(app, make_round, make_invited, questionnaire,
                                 created_days_ago: int = 0) -> int:
    """A published round of two CLBs (PLAN) whose sector needs one other CLB; every
    school left a remark (not yet reviewed)."""
    from survey.services import answers

    round_id = make_round(min_group_size=5)
    numbers = [s.number for s in questionnaire.statements]
    for centre, schools in PLAN.items():
        for first, second, rest in schools:
            inv = make_invited(round_id, "bao", centre)
            values = {n: {4: first, 5: second}.get(n, rest) for n in numbers}
            with app.app_context():
                answers.save(db.session, inv.invitation_id, values,
                             {"opmerking-algemeen": f"Opmerking over {centre}"}, submit=True)
                db.session.commit()
    with app.app_context(), write_transaction(db.session):
        rnd = db.session.get(Round, round_id)
        rnd.state, rnd.min_benchmark_centres = "published", 1
        rnd.created_at -= timedelta(days=created_days_ago)
    return round_id


@pytest.fixture
def published(app, make_round, make_invited, questionnaire):
    """published(created_days_ago=0) -> round id (see PLAN)."""
    return lambda created_days_ago=0: publish_round_with_attention(
        app, make_round, make_invited, questionnaire, created_days_ago)


@pytest.fixture
def staff(app, make_user):
    """staff(number) -> (centre id, user id) of a new user of that CLB."""

    def make(number: str = "100001"):
        email = make_user("centre", centre_number=number)
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            return user.centre_id, user.id

    return make


def test_the_plan_gives_100001_two_attention_points(app, published):
    """The fixture's claim, by the sheet's own code (reports/content.py)."""
    from survey.services import reports

    round_id = published()
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        first = reports.feedback(db.session, rnd, "100001")
        assert [line.statement.number for line in first.attention] == ATTENTION
        assert [round(line.row.figures.pct_agree) for line in first.attention] == [10, 20]
        assert reports.feedback(db.session, rnd, "100002").attention == []


def _row(row, text="", due="", statement="", state="planned", action_id=None, remove=False):
    return ActionInput(row, action_id, statement, text, due, state, remove)


def _save(app, round_id, centre_id, user_id, revision, text, rows):
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        numbers = {s.number for s in follow_up_statements(rnd)}
        follow_up.save_draft(db.session, rnd, centre_id, db.session.get(User, user_id),
                             revision, text, rows, numbers, ATTENTION)


def follow_up_statements(rnd):
    from reports.layout import from_snapshot

    layout = from_snapshot(rnd.definition)
    return [layout.statements[n] for n in layout.numbers]


def _stored(app, round_id, centre_id):
    with app.app_context():
        reaction = follow_up.reaction_of(db.session, round_id, centre_id)
        if reaction is None:
            return None
        return (reaction.state, reaction.revision, reaction.text,
                [(a.position, a.statement, a.attention, a.text, a.due_on, a.state)
                 for a in reaction.actions])


@pytest.mark.parametrize(("typed", "expected"), [
    ("2027-03-31", date(2027, 3, 31)),
    ("31-03-2027", date(2027, 3, 31)),
    ("31/3/2027", date(2027, 3, 31)),
    (" 1.4.2027 ", date(2027, 4, 1)),
    ("", None),
    ("   ", None),
])
def test_a_due_date_is_read_as_typed(app, typed, expected):
    with app.test_request_context():
        assert follow_up.parse_due(typed) == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("31-02-2027", "Geef een bestaande datum"),
    ("morgen", "Geef een bestaande datum"),
    ("2027-13-01", "Geef een bestaande datum"),
    ("31-12-1999", "tussen 2000 en 2100"),
    # what Python's fromisoformat also reads, but no one types for a date
    ("20270301", "Geef een bestaande datum"),
    ("2027-W05", "Geef een bestaande datum"),
    ("2027-W05-3", "Geef een bestaande datum"),
    ("2027-060", "Geef een bestaande datum"),
    ("31-03-27", "Geef een bestaande datum"),
])
def test_a_wrong_due_date_says_so_in_dutch(app, typed, message):
    with app.test_request_context(), pytest.raises(ValueError, match=message):
        follow_up.parse_due(typed)


def test_a_draft_keeps_its_rows_in_order_and_drops_empty_ones(app, published, staff):
    round_id = published()
    centre_id, user_id = staff()
    with app.test_request_context():
        _save(app, round_id, centre_id, user_id, 0, "  Wij nemen dit mee.  ", [
            _row(0, "Afspraken over afwezigheden", "2027-03-31", "4"),
            _row(1),                                         # empty: no action
            _row(2, "Een tweede kanaal", "", "12", "in_progress"),   # a draft may lack the date
            _row(3, "Teamoverleg", "1-9-2027"),                       # general
        ])
    assert _stored(app, round_id, centre_id) == ("draft", 1, "Wij nemen dit mee.", [
        (0, 4, True, "Afspraken over afwezigheden", date(2027, 3, 31), "planned"),
        (1, 12, False, "Een tweede kanaal", None, "in_progress"),
        (2, None, False, "Teamoverleg", date(2027, 9, 1), "planned"),
    ])


def test_a_draft_with_faults_stores_nothing_and_says_where(app, published, staff):
    round_id = published()
    centre_id, user_id = staff()
    with app.test_request_context(), pytest.raises(FollowUpError) as caught:
        _save(app, round_id, centre_id, user_id, 0, "Reactie", [
            _row(0, "Goed", "2027-03-31", "4"),
            _row(1, "", "2027-04-01"),                  # a date without what
            _row(2, "Iets", "30-02-2027"),
            _row(3, "Iets", "", "3"),                   # no statement 3 in the round
            _row(4, "Iets", "", "", "klaar"),
        ])
    assert {row: set(fields) for row, fields in caught.value.rows.items()} == {
        1: {"text"}, 2: {"due"}, 3: {"statement"}, 4: {"state"}}
    assert not caught.value.conflict
    assert _stored(app, round_id, centre_id) is None


def test_a_save_from_an_older_page_is_a_conflict_and_writes_nothing(app, published, staff):
    round_id = published()
    centre_id, first = staff()
    _, second = staff()
    with app.test_request_context():
        _save(app, round_id, centre_id, first, 0, "Versie van de eerste", [])
        with pytest.raises(FollowUpError) as caught:
            _save(app, round_id, centre_id, second, 0, "Versie van de tweede", [])
        assert caught.value.conflict
        _save(app, round_id, centre_id, second, 1, "Versie van de tweede", [])
    assert _stored(app, round_id, centre_id)[:3] == ("draft", 2, "Versie van de tweede")


def test_an_action_id_not_of_this_draft_makes_a_new_action(app, published, staff):
    """A row shown from an action that a colleague removed (or another CLB's id, posted by
    hand) never reaches another draft: it becomes a new action of this one."""
    round_id = published()
    own, user = staff("100001")
    other, other_user = staff("100002")
    with app.test_request_context():
        _save(app, round_id, other, other_user, 0, "Van 100002", [_row(0, "Hun actie")])
        with app.app_context():
            foreign = db.session.scalar(select(CentreAction.id))
        _save(app, round_id, own, user, 0, "Van 100001",
              [_row(0, "Onze actie", action_id=foreign)])
    assert _stored(app, round_id, other)[3] == [(0, None, False, "Hun actie", None, "planned")]
    assert _stored(app, round_id, own)[3] == [(0, None, False, "Onze actie", None, "planned")]


def test_a_removed_row_is_deleted(app, published, staff):
    round_id = published()
    centre_id, user_id = staff()
    with app.test_request_context():
        _save(app, round_id, centre_id, user_id, 0, "R", [_row(0, "Eerste"), _row(1, "Twee")])
        with app.app_context():
            ids = list(db.session.scalars(select(CentreAction.id).order_by(CentreAction.id)))
        _save(app, round_id, centre_id, user_id, 1, "R", [
            _row(0, "Eerste", action_id=ids[0], remove=True),
            _row(1, "Twee, herschreven", action_id=ids[1])])
    assert _stored(app, round_id, centre_id)[3] == [
        (0, None, False, "Twee, herschreven", None, "planned")]
    with app.app_context():
        assert list(db.session.scalars(select(CentreAction.id))) == [ids[1]]


def test_two_first_saves_at_once_store_one_and_refuse_the_other(app, published, staff):
    """Both pages were made before any draft (revision 0): one save wins, the other is a
    conflict (on PostgreSQL the unique constraint decides, on SQLite the write lock)."""
    from helpers import in_threads

    round_id = published()
    centre_id, first = staff()
    _, second = staff()

    def save(user_id, text):
        def job():
            with app.test_request_context():
                try:
                    _save(app, round_id, centre_id, user_id, 0, text, [_row(0, text)])
                except FollowUpError as exc:
                    return "conflict" if exc.conflict else str(exc)
                return "saved"
        return job

    outcomes = in_threads(app, [save(first, "Eerste"), save(second, "Tweede")])
    assert sorted(outcomes) == ["conflict", "saved"]
    state, revision, text, actions = _stored(app, round_id, centre_id)
    assert (state, revision) == ("draft", 1) and [a[3] for a in actions] == [text]


def _submit(app, round_id, centre_id, user_id, revision):
    with app.app_context():
        follow_up.submit(db.session, db.session.get(Round, round_id),
                         db.session.get(Centre, centre_id), db.session.get(User, user_id),
                         revision)


def test_a_submit_needs_the_reaction_and_every_date(app, published, staff):
    round_id = published()
    centre_id, user_id = staff()
    with app.test_request_context():
        _save(app, round_id, centre_id, user_id, 0, "", [_row(0, "Zonder datum", "", "4")])
        with pytest.raises(FollowUpError) as caught:
            _submit(app, round_id, centre_id, user_id, 1)
        assert caught.value.reaction and caught.value.rows == {
            0: {"due": "Geef aan tegen wanneer."}}
        with pytest.raises(FollowUpError) as stale:
            _submit(app, round_id, centre_id, user_id, 7)
        assert stale.value.conflict
    assert _stored(app, round_id, centre_id)[:2] == ("draft", 1)


def test_a_submitted_answer_is_fixed_and_logged(app, published, staff):
    round_id = published()
    centre_id, user_id = staff()
    with app.test_request_context():
        _save(app, round_id, centre_id, user_id, 0, "Reactie",
              [_row(0, "Actie", "2027-03-31", "4")])
        _submit(app, round_id, centre_id, user_id, 1)
        with pytest.raises(FollowUpError, match="al ingediend"):
            _submit(app, round_id, centre_id, user_id, 2)
        for revision in (2, 1):         # the current page, or one from before the submit
            with pytest.raises(FollowUpError, match="al ingediend"):
                _save(app, round_id, centre_id, user_id, revision, "Nieuwe tekst", [])
    assert _stored(app, round_id, centre_id) == ("submitted", 2, "Reactie", [
        (0, 4, True, "Actie", date(2027, 3, 31), "planned")])
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "follow-up submitted")).one()
        assert event.user_id == user_id
        assert event.detail == {"round": round_id, "centre": "100001", "actions": 1}
        reaction = db.session.scalar(select(CentreReaction))
        assert reaction.submitted_by == user_id and reaction.submitted_at is not None


def test_states_move_on_after_the_submit_and_a_colleagues_change_stays(app, published,
                                                                        staff):
    round_id = published()
    centre_id, user_id = staff()
    with app.test_request_context():
        _save(app, round_id, centre_id, user_id, 0, "R", [
            _row(0, "Een", "2027-03-31"), _row(1, "Twee", "2027-04-30")])
        with app.app_context():
            first, second = db.session.scalars(
                select(CentreAction.id).order_by(CentreAction.position)).all()
            rnd, user = db.session.get(Round, round_id), db.session.get(User, user_id)
            with pytest.raises(FollowUpError, match="eerst in"):
                follow_up.update_states(db.session, rnd, centre_id, user,
                                        {first: ("planned", "done")})
        _submit(app, round_id, centre_id, user_id, 1)
        with app.app_context():
            rnd, user = db.session.get(Round, round_id), db.session.get(User, user_id)
            # a colleague set the second to "bezig"
            assert follow_up.update_states(db.session, rnd, centre_id, user, {
                second: ("planned", "in_progress")}) == follow_up.StatesUpdate(1, [])
            # this page still showed "gepland" for the second but left it: the first moves
            assert follow_up.update_states(db.session, rnd, centre_id, user, {
                first: ("planned", "done"), second: ("planned", "planned")}
            ) == follow_up.StatesUpdate(1, [])
            # this page chose "afgerond" for the second it showed "gepland": the
            # colleague's "bezig" stays and is named; the first still moves
            assert follow_up.update_states(db.session, rnd, centre_id, user, {
                first: ("done", "in_progress"), second: ("planned", "done")}
            ) == follow_up.StatesUpdate(1, [follow_up.Overtaken("Twee", "in_progress")])
            # a colleague who chose the same as this page is no conflict
            assert follow_up.update_states(db.session, rnd, centre_id, user, {
                second: ("planned", "in_progress")}) == follow_up.StatesUpdate(0, [])
            with pytest.raises(FollowUpError):
                follow_up.update_states(db.session, rnd, centre_id, user,
                                        {first: ("done", "klaar")})
    assert [row[5] for row in _stored(app, round_id, centre_id)[3]] == ["in_progress",
                                                                          "in_progress"]


def test_previous_actions_are_the_last_published_rounds_submitted_answer(app, published,
                                                                         staff):
    older, newer = published(created_days_ago=400), published()
    centre_id, user_id = staff("100001")
    other_id, other_user = staff("100002")
    with app.test_request_context():
        _save(app, older, centre_id, user_id, 0, "Toen", [
            _row(0, "Afwezigheden opvolgen", "2026-03-31", "4"), _row(1, "Overleg", "")])
        _save(app, older, centre_id, user_id, 1, "Toen", [
            _row(0, "Afwezigheden opvolgen", "2026-03-31", "4"),
            _row(1, "Overleg", "2026-06-30")])
        _submit(app, older, centre_id, user_id, 2)
        _save(app, older, other_id, other_user, 0, "Nog een concept", [_row(0, "X")])
    with app.app_context():
        new_round, old_round = db.session.get(Round, newer), db.session.get(Round, older)
        found = follow_up.previous_actions(db.session, centre_id, new_round)
        assert found == follow_up.PreviousActions(older, "Testbevraging", "2026-2027", "Toen", (
            follow_up.ActionData(4, True, "Afwezigheden opvolgen", date(2026, 3, 31),
                                 "planned"),
            follow_up.ActionData(None, False, "Overleg", date(2026, 6, 30), "planned")))
        assert follow_up.previous_actions(db.session, other_id, new_round) is None  # a draft
        assert follow_up.previous_actions(db.session, centre_id, old_round) is None  # first
        assert follow_up.previous_actions_by_centre(db.session, new_round) == {
            "100001": found}
        import pickle

        assert pickle.loads(pickle.dumps(found)) == found    # plain data, for workers
        # the next round's sheet gets it through the reports' inputs
        from reports import content
        from survey.services import reports

        data = reports.round_data(db.session, new_round)
        assert data.inputs["100001"].previous == content.PreviousAnswer(
            "Testbevraging", "Toen", (
                content.PreviousAction(4, "Afwezigheden opvolgen", "31 maart 2026", "planned"),
                content.PreviousAction(None, "Overleg", "30 juni 2026", "planned")))
        assert data.inputs["100002"].previous is None


def test_the_sector_table_counts_submitted_answers_only(app, published, staff):
    round_id = published()
    centre_id, user_id = staff("100001")
    other_id, other_user = staff("100002")
    with app.test_request_context():
        _save(app, round_id, centre_id, user_id, 0, "R", [
            _row(0, "Een", "2027-03-31", "4"), _row(1, "Twee", "2027-03-31", "5"),
            _row(2, "Drie", "2027-03-31", "12", "done")])
        _submit(app, round_id, centre_id, user_id, 1)
        _save(app, round_id, other_id, other_user, 0, "Concept", [_row(0, "Geheim")])
        with app.app_context():
            table = overview.sector(db.session, db.session.get(Round, round_id))
    assert [(r.number, r.state, r.actions, dict(r.states), r.attention)
            for r in table.rows] == [
        ("100001", "submitted", 3, {"planned": 2, "done": 1}, 2),
        ("100002", "draft", 0, {}, 0)]
    assert (table.submitted, table.drafts, dict(table.states)) == (
        1, 1, {"planned": 2, "done": 1})


def test_the_workbook_holds_submitted_answers_and_no_formulas(app, published, staff):
    round_id = published()
    centre_id, user_id = staff("100001")
    other_id, other_user = staff("100002")
    with app.test_request_context():
        _save(app, round_id, centre_id, user_id, 0, "=HYPERLINK(\"x\")",
              [_row(0, "+31 scholen bellen", "2027-03-31", "4")])
        _submit(app, round_id, centre_id, user_id, 1)
        _save(app, round_id, other_id, other_user, 0, "Geheim concept", [])
        with app.app_context():
            data = overview.workbook(db.session, db.session.get(Round, round_id))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Overzicht", "Reacties", "Acties"]
    overview_rows = list(book["Overzicht"].iter_rows(values_only=True))
    assert overview_rows[0] == ("CLB-nummer", "CLB", "Antwoord", "Ingediend op", "Acties",
                                "gepland", "bezig", "afgerond", "Bij aandachtspunten")
    assert [row[:3] + row[4:] for row in overview_rows[1:]] == [
        ("100001", "Vrij CLB Test 100001", "ingediend", 1, 1, 0, 0, 1),
        ("100002", "Vrij CLB Test 100002", "concept, nog niet ingediend", 0, 0, 0, 0, 0)]
    reactions = list(book["Reacties"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3]) for r in reactions] == [("100001", "'=HYPERLINK(\"x\")")]
    actions = list(book["Acties"].iter_rows(min_row=2, values_only=True))
    assert [r[:8] for r in actions] == [
        ("100001", "Vrij CLB Test 100001", 4, "4. Stellen zich onafhankelijk op", "ja",
         "'+31 scholen bellen", datetime(2027, 3, 31), "gepland")]


def test_a_centres_rounds_show_drafts_as_drafts_only(app, published, staff):
    older, newer = published(created_days_ago=400), published()
    centre_id, user_id = staff("100001")
    with app.test_request_context():
        _save(app, older, centre_id, user_id, 0, "Ingediend", [_row(0, "A", "2026-01-01")])
        _submit(app, older, centre_id, user_id, 1)
        _save(app, newer, centre_id, user_id, 0, "Concept", [])
        with app.app_context():
            answers = overview.centre_rounds(db.session, db.session.get(Centre, centre_id))
            assert [(a.round.id, a.state, a.reaction.text if a.reaction else None)
                    for a in answers] == [(newer, "draft", None), (older, "submitted",
                                                                   "Ingediend")]


def test_the_themes_of_a_clbs_remarks_beside_the_sector(app, published):
    """100001's 10 approved remarks: 3 tagged 'Bereikbaarheid', 1 'Personeelswissels';
    of 100002's 12, 1 'Bereikbaarheid'. Shares: 3/10 = 30 % and 1/10 = 10 % for the CLB,
    4/22 = 18 % and 1/22 = 5 % for the sector; most frequent first."""
    themes = pytest.importorskip("survey.services.themes")
    from survey.models import Invitation, Remark, Response
    from survey.models.themes import RemarkTheme

    round_id = published()
    with app.test_request_context():
        rnd = db.session.get(Round, round_id)
        assert overview.remark_themes(db.session, rnd, "100001") == []    # no codebook yet
        second = themes.add_theme(db.session, rnd, None, "Personeelswissels").id
        first = themes.add_theme(db.session, rnd, None, "Bereikbaarheid").id
        with write_transaction(db.session):
            remarks = db.session.execute(
                select(Remark, Centre.number).join(Response).join(Invitation)
                .join(Centre, Centre.id == Invitation.centre_id)
                .order_by(Remark.response_id)).all()
            for remark, _number in remarks:
                remark.review = "approved"
            own = [r for r, number in remarks if number == "100001"]
            other = [r for r, number in remarks if number == "100002"]
            for remark, theme in [(own[0], first), (own[1], first), (own[2], first),
                                  (own[3], second), (other[0], first)]:
                db.session.add(RemarkTheme(response_id=remark.response_id, key=remark.key,
                                           theme_id=theme))
        lines = overview.remark_themes(db.session, rnd, "100001")
    assert [(line.name, line.count, round(line.share), round(line.sector_share))
            for line in lines] == [("Bereikbaarheid", 3, 30, 18),
                                   ("Personeelswissels", 1, 10, 5)]
