"""`survey backup`: an online copy of the SQLite database that holds every response."""

from __future__ import annotations

import sqlite3

import pytest

from helpers import all_answers
from survey import create_app
from survey.extensions import db
from survey.services import answers as svc
from survey.services import counts


def test_a_backup_restores_every_response(app, runner, make_invited, questionnaire,
                                          tmp_path, backend):
    if backend != "sqlite":
        result = runner.invoke(args=["backup", str(tmp_path / "x.sqlite3")])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    schools = [make_invited() for _ in range(3)]
    with app.app_context():
        for k, inv in enumerate(schools):
            svc.save(db.session, inv.invitation_id, all_answers(questionnaire, 1 + k),
                     submit=k < 2)
        db.session.commit()
        # a connection of the app holds a read transaction open during the backup
        db.session.execute(db.text("SELECT count(*) FROM answer")).scalar()
        target = tmp_path / "copy" / "survey-backup.sqlite3"
        result = runner.invoke(args=["backup", str(target)])
        assert result.exit_code == 0, result.output
        expected = counts.recomputed(db.session, schools[0].round_id)
    mode = sqlite3.connect(target).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "delete", "one self-contained file, no -wal beside it"
    restored = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}",
                           "SECRET_KEY": "x", "TESTING": True})
    with restored.app_context():
        assert counts.recomputed(db.session, schools[0].round_id) == expected
        assert counts.cube(db.session, schools[0].round_id) == expected
        statuses = db.session.execute(db.text(
            "SELECT status, count(*) FROM response GROUP BY status")).all()
        assert sorted(statuses) == [("draft", 1), ("submitted", 2)]
        db.engine.dispose()


def test_no_backup_of_a_missing_database(tmp_path):
    from survey.backup import BackupError, backup

    with pytest.raises(BackupError, match="no database"):
        backup(f"sqlite:///{tmp_path / 'none.sqlite3'}", tmp_path / "b.sqlite3")
