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
