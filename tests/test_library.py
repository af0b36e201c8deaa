"""The questionnaire library service: check, upload as concept, publish, delete, the bundled
files, a round on a version, downloads that read back the same. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, QuestionnaireVersion, Round
from survey.questionnaire import QuestionnaireError, bundled_dir, load, loads
from survey.services import library
from survey.services import rounds as round_service

EXAMPLE = bundled_dir() / "voorbeeld-alle-vraagtypes-2026.1.toml"
SCHOOL = bundled_dir() / "clb-samenwerking-school-2026.1.toml"


def _example(version: str = "2026.2", text: str | None = None) -> bytes:
    """The example file under another version, optionally with item 11 reworded."""
    source = EXAMPLE.read_text(encoding="utf-8").replace('version = "2026.1"',
                                                         f'version = "{version}"')
    if text is not None:
        source = source.replace("Heeft uw school dit schooljaar een vraag gesteld aan of een "
                                "melding gedaan bij het CLB?", text)
    return source.encode("utf-8")


def _count(model=QuestionnaireVersion) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_faulty_file_gives_every_fault_and_stores_nothing(app):
    bad = _example().replace(b'show_if = { item = "verzoek", codes = [1] }',
                             b'show_if = { item = "verzoekk", codes = [1] }')
    bad = bad.replace(b'type = "number"', b'type = "getal"', 1)
    with app.app_context():
        with pytest.raises(QuestionnaireError) as raised:
            library.upload(db.session, None, bad, "voorbeeld.toml")
        assert len(raised.value.problems) >= 4   # three show_ifs and a type
        assert any("verzoekk" in problem for problem in raised.value.problems)
        assert any("getal" in problem for problem in raised.value.problems)
        assert _count() == 0 and _count(AuditEvent) == 0


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"format = 2", "vragenlijst.csv", "Alleen een .toml- of .xlsx-bestand"),
    (b"x" * (2 * 1024 * 1024 + 1), "groot.toml", "te groot"),
    (b"", "leeg.toml", "leeg"),
])
def test_a_wrong_kind_of_file_is_refused(app, data, name, message):
    with app.app_context():
        with pytest.raises(library.LibraryError, match=message):
            library.upload(db.session, None, data, name)
        assert _count() == 0


def test_a_version_longer_than_its_column_is_refused(app):
    with app.app_context():
        with pytest.raises(library.LibraryError, match="De versie is te lang"):
            library.upload(db.session, None, _example("9" * 41), "voorbeeld.toml")
        long_id = EXAMPLE.read_bytes().replace(b'id = "voorbeeld-alle-vraagtypes"',
                                               b'id = "' + b"a" * 81 + b'"')
        with pytest.raises(QuestionnaireError, match="hoogstens 32 tekens"):
            library.upload(db.session, None, long_id, "voorbeeld.toml")
        assert _count() == 0


def test_a_workbook_named_toml_is_kept_as_a_workbook(app):
    from instrument.xlsform import write_workbook

    raw = load(EXAMPLE).to_dict(storage=False)
    raw["version"] = "2026.9"
    with app.app_context():
        version = library.upload(db.session, None, write_workbook(raw), "vreemd.toml")
        assert (version.version, version.source_format) == ("2026.9", "xlsx")


def test_upload_replace_publish_then_refuse_the_same_version(app):
    with app.app_context():
        first = library.upload(db.session, None, _example(), "voorbeeld.toml")
        assert (first.questionnaire_id, first.version, first.state, first.source_format) == \
            ("voorbeeld-alle-vraagtypes", "2026.2", "concept", "toml")
        again = library.upload(db.session, None, _example(text="Stelde u een vraag?"),
                               "voorbeeld-2.toml")
        assert again.id == first.id and _count() == 1          # the concept replaced
        assert library.questionnaire(again).by_key["verzoek"].text == "Stelde u een vraag?"
        published = library.publish(db.session, None, first.id)
        assert published.state == "published" and published.published_at is not None
        with pytest.raises(library.LibraryError, match="is al gepubliceerd"):
            library.publish(db.session, None, first.id)
        with pytest.raises(library.LibraryError) as refused:
            library.upload(db.session, None, _example(), "voorbeeld.toml")
        assert str(refused.value) == ("Versie 2026.2 van voorbeeld-alle-vraagtypes is al "
                                      "gepubliceerd; geef het bestand een nieuwe versie.")
        with pytest.raises(library.LibraryError, match="kan niet meer worden verwijderd"):
            library.delete(db.session, None, first.id)
        kept = db.session.get(QuestionnaireVersion, first.id)
        assert kept.state == "published"
        assert library.questionnaire(kept).by_key["verzoek"].text == "Stelde u een vraag?"
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["questionnaire uploaded", "questionnaire concept replaced",
                           "questionnaire published"]


def test_a_concept_can_be_deleted(app):
    with app.app_context():
        concept = library.upload(db.session, None, _example(), "voorbeeld.toml")
        assert library.delete(db.session, None, concept.id) == \
            "voorbeeld-alle-vraagtypes 2026.2"
        assert _count() == 0
        with pytest.raises(library.LibraryError, match="bestaat niet"):
            library.delete(db.session, None, concept.id)


def test_the_bundled_files_are_published_once(app):
    with app.app_context():
        assert library.ensure_bundled(db.session) == 2
        assert library.ensure_bundled(db.session) == 0
        rows = db.session.execute(select(
            QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.version,
            QuestionnaireVersion.state).order_by(QuestionnaireVersion.questionnaire_id)).all()
        assert [tuple(row) for row in rows] == [
            ("clb-samenwerking-school", "2026.1", "published"),
            ("voorbeeld-alle-vraagtypes", "2026.1", "published")]
        assert library.questionnaire(library.published(db.session)[0]).to_dict() in (
            load(SCHOOL).to_dict(), load(EXAMPLE).to_dict())


def test_workers_publishing_the_bundled_files_at_once_add_each_once(app):
    import threading

    added, failures = [], []
    start = threading.Barrier(4)

    def worker():
        with app.app_context():
            try:
                start.wait()
                added.append(library.ensure_bundled(db.session))
            except Exception as exc:  # noqa: BLE001 - any failure fails the test below
                failures.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == [] and sum(added) == 2
    with app.app_context():
        assert _count() == 2


def test_a_concept_under_a_bundled_name_is_left_alone(app):
    with app.app_context():
        concept = library.upload(db.session, None, EXAMPLE.read_bytes(), EXAMPLE.name)
        assert library.ensure_bundled(db.session) == 1      # only the school questionnaire
        assert db.session.get(QuestionnaireVersion, concept.id).state == "concept"


def test_a_round_on_a_version_copies_it_and_keeps_the_version(app):
    with app.app_context():
        library.ensure_bundled(db.session)
        version = db.session.scalar(select(QuestionnaireVersion).where(
            QuestionnaireVersion.questionnaire_id == "voorbeeld-alle-vraagtypes"))
        rnd = round_service.create_round(db.session, name="Op een versie",
                                         school_year="2026-2027", version=version)
        db.session.commit()
        assert rnd.questionnaire_version_id == version.id
        assert (rnd.questionnaire_id, rnd.questionnaire_version) == \
            ("voorbeeld-alle-vraagtypes", "2026.1")
        assert rnd.definition == load(EXAMPLE).to_dict(storage=True)
        assert library.rounds_using(db.session) == {version.id: 1}
        with pytest.raises(library.LibraryError) as refused:
            library.delete(db.session, None, version.id)
        assert str(refused.value) == ("Versie 2026.1 van voorbeeld-alle-vraagtypes wordt "
                                      "gebruikt door een bevraging en kan niet worden "
                                      "verwijderd.")
        concept = library.upload(db.session, None, _example(), "voorbeeld.toml")
        with pytest.raises(ValueError, match="published version only"):
            round_service.create_round(db.session, name="Op een concept",
                                       school_year="2026-2027", version=concept)


def test_a_round_from_a_questionnaire_is_linked_when_the_library_has_it(app, make_round):
    before = make_round()          # made before the library existed: no version, still works
    with app.app_context():
        assert db.session.get(Round, before).questionnaire_version_id is None
        library.ensure_bundled(db.session)
    after = make_round()
    with app.app_context():
        school = db.session.scalar(select(QuestionnaireVersion.id).where(
            QuestionnaireVersion.questionnaire_id == "clb-samenwerking-school"))
        assert db.session.get(Round, after).questionnaire_version_id == school
        assert db.session.get(Round, before).definition == load(SCHOOL).to_dict()


def test_the_diff_against_the_newest_published_version(app):
    with app.app_context():
        first = library.upload(db.session, None, _example("2026.2"), "a.toml")
        assert library.changes(db.session, first) == (None, [])
        library.publish(db.session, None, first.id)
        second = library.upload(db.session, None, _example("2026.3", "Een vraag gesteld?"),
                                "b.toml")
        before, found = library.changes(db.session, second)
        assert before.id == first.id
        assert [(c.kind, c.key) for c in found] == [("text", "verzoek")]


@pytest.mark.parametrize("path", [SCHOOL, EXAMPLE], ids=["school", "example"])
@pytest.mark.parametrize("format_", ["toml", "xlsx"])
def test_a_download_reads_back_as_the_same_questionnaire(app, path, format_):
    original = load(path)
    with app.app_context():
        library.ensure_bundled(db.session)
        version = db.session.scalar(select(QuestionnaireVersion).where(
            QuestionnaireVersion.questionnaire_id == original.id))
        download = library.download(version, format_)
    assert download.filename == f"{original.id}-{original.version}.{format_}"
    back = loads(download.data, download.filename)
    assert back.to_dict() == original.to_dict()
    assert back.to_dict(storage=False) == original.to_dict(storage=False)
