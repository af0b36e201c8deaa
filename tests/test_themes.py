"""A round's codebook (services/themes.py, admin/themes.py), the figures for the reports
(theme_counts), how the suggestions compare with inspectors' tags, the coded remarks'
.xlsx, and migration 0011."""

from __future__ import annotations

import io
import pickle
import re

import openpyxl
import pytest
from conftest import csrf_in
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text
from test_remarks import remark_round  # noqa: F401  (the creator of rounds with remarks)

from helpers import insert_round_rows
from survey.extensions import db
from survey.models import AuditEvent, Response, Round
from survey.models.themes import RemarkTheme, Theme
from survey.services import remarks, rounds, tagging, themes
from survey.services.suggestions import Agreement


def _round(round_id: int) -> Round:
    return db.session.get(Round, round_id)


def _names(round_id: int) -> list[str]:
    return [theme.name for theme in themes.codebook(db.session, _round(round_id))]


def test_the_seed_report_themes(app, make_round):
    with app.app_context():
        round_id = make_round()
        seeded = themes.seed_codebook(db.session, _round(round_id))
        assert [theme.name for theme in seeded] == [
            "Persoonsgebonden verschillen",
            "Arbeidsorganisatie en discontinuïteit van personeel",
            "Begrip voor de beperkingen van het CLB"]
        assert all(theme.keywords and theme.description for theme in seeded)
        again = themes.seed_codebook(db.session, _round(round_id))
        assert [theme.id for theme in again] == [theme.id for theme in seeded]


@pytest.mark.parametrize(("name", "keywords", "message"), [
    ("", "", "Geef het thema een naam."),
    ("   ", "", "Geef het thema een naam."),
    ("WACHTEN", "", "Er is al een thema WACHTEN in deze bevraging."),
    ("x" * 121, "", "Een naam heeft hoogstens 120 tekens."),
    ("Nieuw", "goed\n!!!", "Regel 2 bevat geen woord."),
])
def test_a_theme_that_cannot_be_added(app, make_round, name, keywords, message):
    with app.app_context():
        round_id = make_round()
        themes.add_theme(db.session, _round(round_id), None, "Wachten")
        with pytest.raises(themes.ThemeError) as caught:
            themes.add_theme(db.session, _round(round_id), None, name, keywords=keywords)
        assert str(caught.value) == message
        assert _names(round_id) == ["Wachten"]


def test_the_same_name_in_another_round_is_another_theme(app, make_round):
    with app.app_context():
        first, second = make_round(), make_round()
        themes.add_theme(db.session, _round(first), None, "Wachten")
        themes.add_theme(db.session, _round(second), None, "Wachten")
        assert _names(first) == _names(second) == ["Wachten"]


def test_add_rename_describe_and_reorder_on_the_page(app, inspector_client, make_round):
    round_id = make_round()
    page = inspector_client.get(f"/beheer/rondes/{round_id}/themas")
    assert "nog geen thema's" in page.get_data(as_text=True)
    token = csrf_in(page.get_data(as_text=True))
    base = f"/beheer/rondes/{round_id}/themas"
    for name in ("Wachten", "Personeel"):
        added = inspector_client.post(base, data={"csrf_token": token, "name": name,
                                                  "description": "", "keywords": "wacht*"})
        assert added.status_code == 303
    refused = inspector_client.post(base, data={"csrf_token": token, "name": "wachten"})
    assert refused.status_code == 422
    assert _field_errors(refused.get_data(as_text=True)) == {
        "name-new": "Er is al een thema wachten in deze bevraging."}
    with app.app_context():
        personnel = db.session.scalar(select(Theme).where(Theme.name == "Personeel"))
    changed = inspector_client.post(f"{base}/{personnel.id}", data={
        "csrf_token": token, "name": "Personeelswissels", "description": "Wie wisselt",
        "keywords": "*wissel*", "position": "0"})
    assert changed.headers["Location"].endswith(f"/themas#thema-{personnel.id}")
    bad = inspector_client.post(f"{base}/{personnel.id}", data={
        "csrf_token": token, "name": "Personeelswissels", "keywords": "*",
        "position": "veel"})
    assert bad.status_code == 422
    assert _field_errors(bad.get_data(as_text=True)) == {
        f"position-{personnel.id}": "De volgorde is een geheel getal van 0 tot 9999."}
    with app.app_context():
        assert _names(round_id) == ["Personeelswissels", "Wachten"]
        theme = db.session.get(Theme, personnel.id)
        assert (theme.description, theme.keywords) == ("Wie wisselt", "*wissel*")
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "theme changed")).one()
        assert event.detail == {"theme": "Personeelswissels",
                                "renamed_from": "Personeel", "description": True,
                                "keywords": True, "position": 0}
    assert inspector_client.post(base, data={"name": "Zonder CSRF"}).status_code == 400
    other = make_round()
    assert inspector_client.post(f"/beheer/rondes/{other}/themas/{personnel.id}", data={
        "csrf_token": token, "name": "Elders"}).status_code == 303
    with app.app_context():
        assert db.session.get(Theme, personnel.id).name == "Personeelswissels"


def test_delete_asks_first_and_names_the_tags_it_removes(app, inspector_client,
                                                        remark_round):  # noqa: F811
    round_id, refs = remark_round()
    with app.app_context():
        theme_id = themes.add_theme(db.session, _round(round_id), None, "Wachten").id
        tagging.tag(db.session, _round(round_id), refs[:2], theme_id, None)
    token = csrf_in(inspector_client.get(f"/beheer/rondes/{round_id}/themas").get_data(
        as_text=True))
    url = f"/beheer/rondes/{round_id}/themas/{theme_id}/verwijderen"
    asked = inspector_client.post(url, data={"csrf_token": token})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "2 opmerkingen hebben dit thema" in html
    assert 'name="confirmed" value="ja"' in html
    with app.app_context():
        assert db.session.get(Theme, theme_id) is not None
    done = inspector_client.post(url, data={"csrf_token": token, "confirmed": "ja"})
    assert "Thema Wachten verwijderd, met zijn 2 markeringen" in inspector_client.get(
        done.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Theme, theme_id) is None
        assert db.session.scalar(select(func.count()).select_from(RemarkTheme)) == 0
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "theme deleted")).one()
        assert event.detail == {"theme": "Wachten", "tags_removed": 2}
    gone = inspector_client.post(url, data={"csrf_token": token, "confirmed": "ja"})
    assert "bestaat niet (meer)" in inspector_client.get(gone.headers["Location"]).get_data(
        as_text=True)


def test_copy_a_codebook_without_its_tags(app, inspector_client, remark_round):  # noqa: F811
    source_id, refs = remark_round()
    target_id = remark_round()[0]
    with app.app_context():
        seeded = themes.seed_codebook(db.session, _round(source_id))
        first_keywords = seeded[0].keywords
        tagging.tag(db.session, _round(source_id), refs, seeded[0].id, None)
        themes.add_theme(db.session, _round(target_id), None,
                         "begrip voor de beperkingen van het CLB", "eigen", "eigen")
    page = inspector_client.get(f"/beheer/rondes/{target_id}/themas").get_data(as_text=True)
    assert f'<option value="{source_id}">Testbevraging (2026-2027, 3 thema&#39;s)' in page
    answer = inspector_client.post(f"/beheer/rondes/{target_id}/themas/kopie", data={
        "csrf_token": csrf_in(page), "source": str(source_id)})
    assert "2 thema&#39;s gekopieerd. 1 thema bestond hier al" in inspector_client.get(
        answer.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        copied = themes.codebook(db.session, _round(target_id))
        assert [(t.name, t.position) for t in copied] == [
            ("begrip voor de beperkingen van het CLB", 1), ("Persoonsgebonden verschillen", 2),
            ("Arbeidsorganisatie en discontinuïteit van personeel", 3)]
        assert copied[0].keywords == "eigen"
        assert copied[1].keywords == first_keywords
        assert themes.usage(db.session, _round(target_id)) == {}
        assert db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action == "codebook copied")).one()
    for source in ("", "abc", str(target_id), "99999999999", "999999"):
        refused = inspector_client.post(f"/beheer/rondes/{target_id}/themas/kopie", data={
            "csrf_token": csrf_in(page), "source": source})
        assert "Kies een andere bevraging" in inspector_client.get(
            refused.headers["Location"]).get_data(as_text=True)


def test_theme_counts_of_approved_remarks_per_clb_and_level(app, remark_round):  # noqa: F811
    round_id, refs = remark_round(state="open")
    with app.app_context():
        persons, staff, limits = (t.id for t in themes.seed_codebook(db.session,
                                                                      _round(round_id)))
        for ref in (refs[0], refs[1], refs[3], refs[4], refs[5]):
            remarks.review(db.session, _round(round_id), *ref, "approve", None)
        db.session.commit()
        for theme_id, tagged in ((staff, [refs[0]]), (limits, [refs[0], refs[1]]),
                                 (persons, [refs[2], refs[4], refs[5]])):
            tagging.tag(db.session, _round(round_id), tagged, theme_id, None)
        withdrawn = db.session.get(Response, refs[5][0]).invitation
        rounds.withdraw(db.session, withdrawn)            # 100002 so: no longer counted
        db.session.commit()
        counts = themes.theme_counts(db.session, _round(round_id))
    # approved: refs 0, 1 (100001 bao), 3 (100001 so), 4 (100002 bao); 2 is pending
    assert counts.remarks == {("100001", "bao"): 2, ("100001", "so"): 1,
                              ("100002", "bao"): 1}
    assert [(t.name, t.counts) for t in counts.themes] == [
        ("Persoonsgebonden verschillen", {("100002", "bao"): 1}),
        ("Arbeidsorganisatie en discontinuïteit van personeel", {("100001", "bao"): 1}),
        ("Begrip voor de beperkingen van het CLB", {("100001", "bao"): 2})]
    assert pickle.loads(pickle.dumps(counts)) == counts


def test_suggestion_quality_over_hand_tagged_remarks(app, inspector_client,
                                                     remark_round):  # noqa: F811
    round_id, refs = remark_round()
    with app.app_context():
        persons, staff, limits = (t.id for t in themes.seed_codebook(db.session,
                                                                      _round(round_id)))
        # the rules propose: refs[0] staff, refs[1] limits, refs[2] persons, refs[4] persons
        tagging.set_themes(db.session, _round(round_id), refs[0], [staff, limits], None)
        tagging.set_themes(db.session, _round(round_id), refs[1], [persons], None)
        tagging.accept_suggestions(db.session, _round(round_id), [refs[2]], None)
        tagging.set_themes(db.session, _round(round_id), refs[3], [persons], None)
        result = tagging.suggestion_quality(db.session, _round(round_id))
    # refs[2] has an accepted suggestion: left out; refs[4], refs[5] are untagged
    assert result.remarks == 3
    assert result.per_theme == {persons: Agreement(0, 0, 2), staff: Agreement(1, 0, 0),
                                limits: Agreement(0, 1, 1)}
    assert result.overall == Agreement(1, 1, 3)
    html = inspector_client.get(f"/beheer/rondes/{round_id}/themas").get_data(as_text=True)
    assert "Gemeten op 3 opmerkingen" in html
    assert ('<td class="num">1</td><td class="num">1</td><td class="num">3</td>'
            '<td class="num">50 %</td><td class="num">25 %</td>') in html


def test_coded_remarks_as_xlsx(app, inspector_client, remark_round):  # noqa: F811
    round_id, refs = remark_round()
    with app.app_context():
        persons, staff, limits = (t.id for t in themes.seed_codebook(db.session,
                                                                      _round(round_id)))
        tagging.set_themes(db.session, _round(round_id), refs[0], [staff, limits], None)
        tagging.set_themes(db.session, _round(round_id), refs[4], [persons], None)
        remarks.review(db.session, _round(round_id), *refs[1], "redact", None, "=1+1 kort")
        remarks.review(db.session, _round(round_id), *refs[4], "approve", None)
        remarks.review(db.session, _round(round_id), *refs[5], "hide", None)
        db.session.commit()
    answer = inspector_client.get(f"/beheer/rondes/{round_id}/opmerkingen.xlsx")
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == ["Opmerkingen", "Thema's"]
    rows = [list(row) for row in book["Opmerkingen"].iter_rows(values_only=True)]
    assert rows[0] == ["Opmerking", "CLB-nummer", "Niveau", "Deel van de vragenlijst",
                       "Beoordeling", "Ingekort", "Persoonsgebonden verschillen",
                       "Arbeidsorganisatie en discontinuïteit van personeel",
                       "Begrip voor de beperkingen van het CLB", "Thema's"]
    general, pupils = "Algemene samenwerking", "Samenwerking rond leerlingen"
    assert rows[1:] == [
        ["De samenwerking hangt sterk af van de persoon.", "100001", "bao", general,
         "nog te beoordelen", 0, 0, 0, 0, None],
        ["Door personeelswissels moesten we opnieuw beginnen.", "100001", "bao", general,
         "nog te beoordelen", 0, 0, 1, 1, "Arbeidsorganisatie en discontinuïteit van "
         "personeel; Begrip voor de beperkingen van het CLB"],
        ["'=1+1 kort", "100001", "bao", pupils, "goedgekeurd", 1, 0, 0, 0, None],
        ['\'=HYPERLINK("x") Alles loopt goed.', "100001", "so",
         "Samenwerking met het oog op het versterken van het beleid op de "
         "leerlingenbegeleiding (schoolgericht)", "nog te beoordelen", 0, 0, 0, 0, None],
        ["Onze vaste CLB-medewerker is zeer bereikbaar.", "100002", "bao", general,
         "goedgekeurd", 0, 1, 0, 0, "Persoonsgebonden verschillen"],
    ]                                  # refs[5] is hidden: not exported
    codebook = list(book["Thema's"].iter_rows(values_only=True))
    assert [row[0] for row in codebook[1:]] == rows[0][6:9]
    assert [row[3] for row in codebook[1:]] == [1, 1, 1]
    assert b"Testschool" not in answer.data
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "results downloaded")).one()
        assert event.detail["kind"] == "coded remarks xlsx"


def test_migration_0011_adds_empty_tables_to_an_existing_database(app):
    directory = app.extensions["migrate"].directory
    with app.app_context():
        downgrade(directory=directory, revision="0010")
        assert "theme" not in inspect(db.engine).get_table_names()
        with db.engine.begin() as conn:
            insert_round_rows(conn, "closed")
            conn.execute(text(
                "INSERT INTO invitation (id, round_id, school_id, centre_id, level, "
                "created_at) VALUES (1, 1, 1, 1, 'bao', :now)"), {"now": "2026-11-01"})
            conn.execute(text("INSERT INTO response (id, invitation_id, status, started_at, "
                              "updated_at) VALUES (1, 1, 'submitted', :now, :now)"),
                         {"now": "2026-11-01 00:00:00"})
            conn.execute(text("INSERT INTO remark (response_id, key, text) "
                              "VALUES (1, 'k', 'Een opmerking')"))
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM theme")).scalar() == 0
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO theme (id, round_id, name) VALUES (1, 1, 'T')"))
            conn.execute(text("INSERT INTO remark_theme (response_id, key, theme_id, "
                              "tagged_at) VALUES (1, 'k', 1, :now)"),
                         {"now": "2026-11-02 00:00:00"})
            conn.execute(text("DELETE FROM remark"))          # the tag goes with it
            assert conn.execute(text("SELECT count(*) FROM remark_theme")).scalar() == 0
            conn.execute(text("INSERT INTO remark (response_id, key, text) "
                              "VALUES (1, 'k2', 'Blijft')"))
        downgrade(directory=directory, revision="0010")
        assert {"theme", "remark_theme"}.isdisjoint(inspect(db.engine).get_table_names())
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT key, text FROM remark")).all() == [
                ("k2", "Blijft")]


def _field_errors(html: str) -> dict[str, str]:
    """id of the field -> the message beside it, on a themes page."""
    return dict(re.findall(r'<p class="error" role="alert" id="([\w-]+)-error">([^<]*)</p>',
                           html))


def test_the_built_sector_workbook_counts_themes_per_clb(app, remark_round):  # noqa: F811
    import io

    import openpyxl

    from survey.services import reports

    round_id, refs = remark_round(state="closed")
    with app.app_context():
        persons = themes.seed_codebook(db.session, _round(round_id))[0].id
        for ref in refs:
            remarks.review(db.session, _round(round_id), *ref, "approve", None)
        db.session.commit()
        tagging.tag(db.session, _round(round_id), [refs[0]], persons, None)
        db.session.commit()
        book = openpyxl.load_workbook(io.BytesIO(reports.sector_workbook(
            db.session, _round(round_id))))
    assert "Thema's per CLB" in book.sheetnames


def test_a_refused_theme_keeps_what_was_typed(app, inspector_client, make_round):
    round_id = make_round()
    base = f"/beheer/rondes/{round_id}/themas"
    token = csrf_in(inspector_client.get(base).get_data(as_text=True))
    refused = inspector_client.post(base, data={
        "csrf_token": token, "name": "Mijn lange thema XYZ", "description": "Wat het is",
        "keywords": "goed\n😀"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert _field_errors(html) == {"keywords-new": "Regel 2 bevat geen woord."}
    assert 'id="name-new" name="name" value="Mijn lange thema XYZ"' in html
    assert ">Wat het is</textarea>" in html and ">goed\n😀</textarea>" in html
    too_long = inspector_client.post(base, data={
        "csrf_token": token, "name": "Lang", "description": "x" * 2001, "keywords": ""})
    assert too_long.status_code == 422
    assert _field_errors(too_long.get_data(as_text=True)) == {
        "description-new": "Een omschrijving heeft hoogstens 2000 tekens."}
    with app.app_context():
        assert _names(round_id) == []
        theme_id = themes.add_theme(db.session, _round(round_id), None, "Wachten",
                                    "Lang wachten", "wacht*").id
    bad = inspector_client.post(f"{base}/{theme_id}", data={
        "csrf_token": token, "name": "Wachttijden", "description": "Nieuw",
        "keywords": "wacht*\nlang*", "position": "abc"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert _field_errors(html) == {
        f"position-{theme_id}": "De volgorde is een geheel getal van 0 tot 9999."}
    assert f'id="name-{theme_id}" name="name" value="Wachttijden"' in html
    assert ">wacht*\nlang*</textarea>" in html and 'value="abc"' in html
    assert 'id="name-new" name="name" maxlength="120" required>' in html   # add form empty
    with app.app_context():
        theme = db.session.get(Theme, theme_id)
        assert (theme.name, theme.description, theme.keywords) == (
            "Wachten", "Lang wachten", "wacht*")
