"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from helpers import insert_round_rows
from survey.extensions import db


def test_migrated_schema_matches_the_models(app):
    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []


def test_downgrade_to_nothing_and_upgrade_again(app):
    directory = app.extensions["migrate"].directory
    with app.app_context():
        downgrade(directory=directory, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=directory)
        assert {"centre", "school", "round", "invitation", "response", "answer", "remark"} \
            <= set(inspect(db.engine).get_table_names())


def test_survey_db_upgrade_command(runner, app):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output


def test_existing_links_survive_the_move_to_invitation_links(app):
    from sqlalchemy import text

    directory = app.extensions["migrate"].directory
    with app.app_context():
        downgrade(directory=directory, revision="0002")
        with db.engine.begin() as conn:
            insert_round_rows(conn, "open")
            conn.execute(text(
                "INSERT INTO invitation (id, round_id, school_id, centre_id, level, "
                "token_hash, created_at) VALUES (1, 1, 1, 1, 'bao', :h, :now)"),
                {"h": "ab" * 32, "now": "2026-11-01 00:00:00"})
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            links = conn.execute(text(
                "SELECT invitation_id, token_hash, revoked_at FROM invitation_link")).all()
        assert [tuple(row) for row in links] == [(1, "ab" * 32, None)]
        downgrade(directory=directory, revision="0002")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT token_hash FROM invitation")).scalar() \
                == "ab" * 32
        upgrade(directory=directory)


def test_access_codes_upgrade_keeps_rounds_directors_by_link(app):
    """0016: an existing round is a directors' round answered by link; its school keeps
    its one response, and only anonymous responses may share an invitation."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    directory = app.extensions["migrate"].directory
    with app.app_context():
        downgrade(directory=directory, revision="0015")
        with db.engine.begin() as conn:
            insert_round_rows(conn, "open")
            conn.execute(text(
                "INSERT INTO invitation (id, round_id, school_id, centre_id, level, "
                "created_at) VALUES (1, 1, 1, 1, 'bao', :now)"), {"now": "2026-11-01"})
            conn.execute(text(
                "INSERT INTO response (id, invitation_id, status, started_at, updated_at) "
                "VALUES (1, 1, 'draft', :now, :now)"), {"now": "2026-11-02 00:00:00"})
        upgrade(directory=directory, revision="0016")
        with db.engine.begin() as conn:
            assert tuple(conn.execute(text(
                "SELECT audience, access FROM round")).one()) == ("directors", "link")
            assert conn.execute(text("SELECT anonymous FROM response")).scalar() in (
                False, 0)
            for id_ in (2, 3):   # two anonymous responses of the same school
                conn.execute(text(
                    "INSERT INTO response (id, invitation_id, status, started_at, "
                    "updated_at, anonymous) VALUES (:id, 1, 'draft', :now, :now, true)"),
                    {"id": id_, "now": "2026-11-02 00:00:00"})
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO response (id, invitation_id, status, started_at, updated_at) "
                "VALUES (4, 1, 'draft', :now, :now)"), {"now": "2026-11-02 00:00:00"})
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM response WHERE anonymous = true"))
        downgrade(directory=directory, revision="0015")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM response")).scalar() == 1
        upgrade(directory=directory)
