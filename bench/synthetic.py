"""A synthetic round bulk-loaded with INSERT .. SELECT over a generated series (on the
database server, no rows cross the wire), and a scratch PostgreSQL database to hold it.
Shared by bench/reports.py and bench/scale.py."""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

STATEMENTS = [4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 26, 27]
CENTRES = 40
LEVEL_OF = ("CASE {i} % 4 WHEN 0 THEN 'bao' WHEN 1 THEN 'so' WHEN 2 THEN 'bubao' "
            "ELSE 'buso' END")


def make_app(url: str, instance: Path):
    from survey import create_app
    from survey.extensions import db  # noqa: F401

    os.environ["SURVEY_INSTANCE_PATH"] = str(instance)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench" * 8,
                      "SURVEY_BASE_URL": "http://127.0.0.1:5000"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=app.extensions["migrate"].directory)
    return app


@dataclass(frozen=True)
class Synthetic:
    round_id: int
    submitted: int
    invitations: int
    answers: int
    load_seconds: float


def load(session, responses: int, *, extra: bool = False) -> Synthetic:
    """A round with `responses` submitted responses of 21 statements over 40 CLBs and four
    levels. With extra, also what a real round has around them: 10 % more invitations
    that never answered, drafts (5 %) with a few answers each, and the invitation mail
    plus one reminder to those who did not submit. The counts and figures are not kept by
    this load: call counts.rebuild and tally.rebuild after it."""
    from survey.questionnaire import bundled
    from survey.services import rounds

    rnd = rounds.create_round(session, name=f"Synthetisch {responses}",
                              school_year="2030-2031",
                              questionnaire=bundled("clb-samenwerking-school"))
    session.flush()
    rid = rnd.id
    base = 10_000_000 * rid
    invitations = responses + (responses // 10 if extra else 0)
    drafts = responses // 20 if extra else 0
    postgres = session.get_bind().dialect.name == "postgresql"
    series = ("generate_series(1, :n) AS s(i)" if postgres else
              "(WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c "
              "WHERE i < :n) SELECT i FROM c) AS s")
    level = LEVEL_OF.format(i="i")

    def run(sql: str, **params) -> None:
        session.execute(text(sql.format(series=series, level=level)), {"b": base, **params})

    started = time.perf_counter()
    run("INSERT INTO centre (id, number, name, network) SELECT :b + i, "
        "CAST(:b + i AS VARCHAR(10)), 'CLB ' || i, 'go' FROM {series}", n=CENTRES)
    run("INSERT INTO school (id, number, name, level, centre_id, email) SELECT :b + i, "
        "CAST(:b + i AS VARCHAR(10)), 'School ' || i, {level}, :b + 1 + i % 40, "
        "'school' || i || '@example.org' FROM {series}", n=invitations)
    run("INSERT INTO invitation (id, round_id, school_id, centre_id, level, created_at) "
        "SELECT :b + i, :r, :b + i, :b + 1 + i % 40, {level}, CURRENT_TIMESTAMP "
        "FROM {series}", r=rid, n=invitations)
    # Responses 1..responses are submitted, the next `drafts` are drafts.
    run("INSERT INTO response (id, invitation_id, status, started_at, updated_at, "
        "submitted_at, saves) SELECT :b + i, :b + i, "
        "CASE WHEN i <= :s THEN 'submitted' ELSE 'draft' END, CURRENT_TIMESTAMP, "
        "CURRENT_TIMESTAMP, CASE WHEN i <= :s THEN CURRENT_TIMESTAMP END, 3 "
        "FROM {series}", s=responses, n=responses + drafts)
    # Codes 0-4 with a realistic spread (mostly agreement), shifted per CLB and statement
    # so that CLBs differ: a hash of (response, statement) picks a point on 0..999.
    for item in STATEMENTS:
        run("INSERT INTO answer (response_id, item, value) SELECT :b + i, :item, "
            "CASE WHEN h < 60 THEN 0 WHEN h < 110 + 20 * (i % 40 % 5) THEN 1 "
            "WHEN h < 260 + 30 * (i % 40 % 3) THEN 2 WHEN h < 650 THEN 3 ELSE 4 END "
            "FROM (SELECT i, (i * 2654435761 + :item * 40503) % 1000 AS h "
            "FROM {series}) AS t", item=item, n=responses)
    if drafts:
        for item in STATEMENTS[:8]:
            run("INSERT INTO answer (response_id, item, value) SELECT :b + :s + i, :item, "
                "(i + :item) % 5 FROM {series}", item=item, s=responses, n=drafts)
    if extra:
        run("INSERT INTO message_send (invitation_id, message_key, status, recipient, "
            "claimed_at, sent_at) SELECT :b + i, 'invitation', 'sent', "
            "'school' || i || '@example.org', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
            "FROM {series}", n=invitations)
        run("INSERT INTO message_send (invitation_id, message_key, status, recipient, "
            "claimed_at, sent_at) SELECT :b + i, 'reminder-1', 'sent', "
            "'school' || i || '@example.org', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
            "FROM {series} WHERE i > :s", n=invitations, s=responses)
    session.commit()
    session.execute(text("ANALYZE"))
    session.commit()
    answers = responses * len(STATEMENTS) + drafts * 8
    return Synthetic(rid, responses, invitations, answers, time.perf_counter() - started)


@contextlib.contextmanager
def scratch_database(url: str):
    """A PostgreSQL URL gets a fresh database beside it, dropped afterwards; SQLite URLs
    are used as they are."""
    if not url.startswith("postgresql"):
        yield url
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url).set(drivername="postgresql+psycopg")
    name = f"survey_bench_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
