"""The analysts' Table of a round (survey/services/analysis_export.py): only responses that
count, routing-hidden answers left out, remarks as reviewed, every question type's
variables; written to .sav it reads back. SQLite and PostgreSQL."""

from __future__ import annotations

import math

import pyreadstat
import pytest
from sqlalchemy import select

from instrument.loader import loads
from reports.spss import write_sav
from survey.database import write_transaction
from survey.extensions import db
from survey.models import Invitation, Remark, Round
from survey.questionnaire import bundled
from survey.services import answers, remarks, rounds
from survey.services.analysis_export import analysis_table, file_label, variables_of

NAMES = ["clb", "niveau", "medewerkers_1", "medewerkers_2", "medewerkers_3",
         "medewerkers_4", "medewerkers_5", "medewerkers_anders", "hoofdthema", "overleg",
         "bereikbaar", "verzoek", "kanaal", "kanaal_anders", "snel_antwoord",
         "tevredenheid_cijfer", "waarom_geen_vraag", "arts_afspraken", "opmerking"]


@pytest.fixture
def questionnaire():
    return bundled("voorbeeld-alle-vraagtypes")


def plain(values) -> list:
    """Values read back, NaN (no answer, or a code declared missing) as None."""
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v
            for v in values]


def submit(app, invited, values, texts=None):
    with app.app_context():
        result = answers.save(db.session, invited.invitation_id, values, texts, submit=True)
        assert result == answers.SUBMITTED


def review(app, round_id, key_text, action, redacted=None):
    with app.app_context():
        remark = db.session.scalars(select(Remark).where(Remark.text == key_text)).one()
        with write_transaction(db.session):
            remarks.review(db.session, db.session.get(Round, round_id), remark.response_id,
                           remark.key, action, None, redacted)


@pytest.fixture
def round_id(app, make_round, make_invited):
    round_id = make_round()
    first = make_invited(round_id, "bao", "100001")
    second = make_invited(round_id, "so", "100001")
    withdrawn = make_invited(round_id, "buso", "100002")
    draft = make_invited(round_id, "bubao", "100002")
    blank = make_invited(round_id, "bao", "100002")
    submit(app, first, {1001: 1, 1002: 0, 1003: 1, 1004: 0, 1005: 0, 2: 2, 3: 12, 1006: 0,
                        11: 1, 1007: 3, 1008: 4, 20: 8, 25: 3},
           {"medewerkers-anders": "Zorgcoördinator",
            "opmerking": "Goed — dank u 😀, mevrouw Peeters"})
    # verzoek = nee hides kanaal, snel-antwoord and the mark; no Arts ticked hides the
    # section of arts-afspraken and opmerking: those answers are kept, never exported.
    submit(app, second, {1001: 0, 1002: 1, 1003: 0, 1004: 0, 1005: 0, 11: 2, 1007: 1,
                         1008: 2, 25: 4},
           {"waarom-geen-vraag": "Geen nood dit jaar", "opmerking": "Verborgen door routering"})
    submit(app, withdrawn, {1001: 1, 1002: 0, 1003: 0, 1004: 0, 1005: 0, 11: 2})
    with app.app_context():
        answers.save(db.session, draft.invitation_id, {1001: 1, 11: 1})
        rounds.withdraw(db.session, db.session.get(Invitation, withdrawn.invitation_id))
        db.session.commit()
    submit(app, blank, {1001: 1, 1002: 1, 1003: 1, 1004: 1, 1005: 1, 11: 2},
           {"opmerking": "Vertrouwelijk"})
    review(app, round_id, "Goed — dank u 😀, mevrouw Peeters", "redact",
           "Goed — dank u 😀, [naam]")
    review(app, round_id, "Vertrouwelijk", "hide")
    return round_id


def test_the_rows_are_the_counted_responses_as_exported(app, round_id):
    with app.app_context():
        table = analysis_table(db.session, db.session.get(Round, round_id))
        assert [v.name for v in table.variables] == NAMES
        rows = list(table.rows)
    assert rows == [
        ("100001", 1, 1, 0, 1, 0, 0, "Zorgcoördinator", 2, 12, 0, 1, 3, None, 4, 8, None, 3,
         "Goed — dank u 😀, [naam]"),
        ("100001", 2, 0, 1, 0, 0, 0, None, None, None, None, 2, None, None, None, None,
         "Geen nood dit jaar", None, None),
        ("100002", 1, 1, 1, 1, 1, 1, None, None, None, None, 2, None, None, None, None,
         None, None, None),
    ]


def test_the_variables_carry_the_snapshot_s_labels(app, round_id):
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        table = analysis_table(db.session, rnd)
        assert file_label(rnd) == "Testbevraging (2026-2027)"
    by_name = {v.name: v for v in table.variables}
    assert by_name["niveau"].value_labels == {
        1: "basisonderwijs", 2: "secundair onderwijs", 3: "buitengewoon basisonderwijs",
        4: "buitengewoon secundair onderwijs"}
    assert by_name["bereikbaar"].missing == (0,)
    assert by_name["bereikbaar"].measure == "ordinal"
    assert by_name["snel_antwoord"].missing == ()
    assert by_name["snel_antwoord"].question_key == "snel-antwoord"
    assert by_name["verzoek"].value_labels == {1: "Ja", 2: "Nee"}
    assert by_name["overleg"].measure == "scale"
    assert by_name["opmerking"].kind == "string"


def test_the_table_writes_a_sav_that_reads_back(app, round_id, tmp_path):
    path = tmp_path / "ronde.sav"
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        write_sav(analysis_table(db.session, rnd), path, file_label(rnd))
    data, meta = pyreadstat.read_sav(str(path), output_format="dict")
    assert meta.column_names == NAMES
    assert meta.file_label == "Testbevraging (2026-2027)"
    assert list(data["clb"]) == ["100001", "100001", "100002"]
    # bereikbaar 0 (geen zicht) is declared missing
    assert plain(data["bereikbaar"]) == [None, None, None]
    data, meta = pyreadstat.read_sav(str(path), output_format="dict", user_missing=True)
    assert plain(data["bereikbaar"]) == [0, None, None]
    assert meta.missing_ranges["bereikbaar"] == [{"lo": 0, "hi": 0}]
    assert list(data["opmerking"]) == ["Goed — dank u 😀, [naam]", "", ""]


def test_a_round_without_responses_has_variables_and_no_rows(app, make_round):
    round_id = make_round()
    with app.app_context():
        table = analysis_table(db.session, db.session.get(Round, round_id))
        assert len(table.variables) == len(NAMES)
        assert list(table.rows) == []


def test_item_keys_that_clash_with_the_context_names_get_a_suffix():
    q = loads(b"""
format = 2
id = "botsing"
version = "1"
title = "Botsende namen"
[[sections]]
key = "deel"
title = "Deel"
[[sections.items]]
type = "yesno"
key = "clb"
text = "Een vraag met de sleutel clb"
label = "clb"
[[sections.items]]
type = "number"
key = "niveau"
text = "Een vraag met de sleutel niveau"
label = "niveau"
min = 0
max = 10
""", "botsing.toml")
    assert [v.name for v in variables_of(q)] == ["clb", "niveau", "clb_2", "niveau_2"]
