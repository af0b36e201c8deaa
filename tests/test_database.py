"""The embedded SQLite set-up: durable, WAL, and writers that queue instead of failing,
also across processes (several gunicorn workers)."""

from __future__ import annotations

import ast
import multiprocessing
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

import survey
from survey import create_app
from survey.database import write_transaction
from survey.extensions import db
from survey.models import Centre


@pytest.fixture
def sqlite_app(sqlite_template, tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path / "instance"))
    path = tmp_path / "db.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "t"})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_sqlite_connections_are_durable_wal_with_busy_timeout(sqlite_app):
    with sqlite_app.app_context():
        pragma = {name: db.session.execute(text(f"PRAGMA {name}")).scalar()
                  for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")}
    assert pragma == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 30000,
                      "foreign_keys": 1}


def test_write_transaction_rolls_back_on_error(sqlite_app):
    with sqlite_app.app_context():
        with pytest.raises(RuntimeError), write_transaction(db.session):
            db.session.add(Centre(number="1", name="x", network="go"))
            db.session.flush()
            raise RuntimeError("boom")
        assert db.session.execute(text("SELECT count(*) FROM centre")).scalar() == 0


def _worker(url: str, worker: int, rounds: int, queue) -> None:
    """Read, then write, many times: the pattern that fails with 'database is locked' when
    a deferred transaction is upgraded to a write while another process commits."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t"})
    errors = []
    with app.app_context():
        for i in range(rounds):
            try:
                db.session.execute(text("SELECT count(*) FROM centre")).scalar()
                with write_transaction(db.session):
                    count = db.session.execute(text("SELECT count(*) FROM centre")).scalar()
                    db.session.add(Centre(number=f"{worker}-{i}", name=f"n{count}",
                                          network="go"))
            except Exception as exc:  # noqa: BLE001 - reported to the parent
                errors.append(repr(exc))
        db.engine.dispose()
    queue.put(errors)


def test_several_processes_writing_never_see_database_is_locked(sqlite_app):
    url = sqlite_app.config["SQLALCHEMY_DATABASE_URI"]
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(url, w, 40, queue)) for w in range(4)]
    for p in workers:
        p.start()
    errors = [queue.get(timeout=120) for _ in workers]
    for p in workers:
        p.join(60)
    assert errors == [[], [], [], []]
    with sqlite_app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM centre")).scalar() == 160


# --- The one write rule ----------------------------------------------------------------

PACKAGE = Path(survey.__file__).resolve().parent
# Where a transaction may be committed or begun by hand: the helper itself. Alembic's
# migrations run in a transaction of their own and are not looked at.
ALLOWED = {PACKAGE / "database.py"}
BY_HAND = {"commit", "begin", "begin_nested"}


def hand_made_transactions(path: Path, root: Path) -> list[str]:
    """Every call of .commit(), .begin() or .begin_nested() in a module, as path:line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [f"{path.relative_to(root)}:{node.lineno} .{node.func.attr}()"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in BY_HAND]


def test_every_write_goes_through_write_transaction():
    """A view, command, job or service that commits (or begins a transaction) by itself
    bypasses BEGIN IMMEDIATE and the writer queue: on SQLite such a writer fails with
    'database is locked' under concurrency. This names every one."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path not in ALLOWED and "migrations" not in path.relative_to(PACKAGE).parts:
            found += hand_made_transactions(path, PACKAGE.parent)
    assert found == []


@pytest.mark.parametrize(("source", "hits"), [
    ("def view():\n    db.session.add(x)\n    db.session.commit()\n", 1),
    ("with engine.begin() as conn:\n    conn.execute(q)\n", 1),
    ("with write_transaction(db.session):\n    db.session.add(x)\n", 0),
])
def test_the_rule_check_sees_a_commit_by_hand(tmp_path, source, hits):
    module = tmp_path / "view.py"
    module.write_text(source)
    assert len(hand_made_transactions(module, tmp_path)) == hits
