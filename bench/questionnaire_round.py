"""Open a round on a questionnaire file for every school of a demo database and write
its links (bench/submit.py --questionnaire runs this in the benchmark's instance).

    python bench/questionnaire_round.py FILE LINKS_CSV
"""

from __future__ import annotations

import csv
import sys

from sqlalchemy import select

from instrument.loader import load
from survey import create_app
from survey.database import write_transaction
from survey.extensions import db
from survey.models import School
from survey.services import rounds


def main(path: str, links_csv: str) -> None:
    app = create_app()
    questionnaire = load(path)
    with app.app_context(), write_transaction(db.session):
        rnd = rounds.create_round(db.session, name=f"Benchmark: {questionnaire.title}",
                                  school_year="2026-2027", questionnaire=questionnaire)
        rounds.open_round(db.session, rnd)
        schools = list(db.session.scalars(select(School).order_by(School.id)))
        issued = rounds.invite(db.session, rnd, schools)
        base = app.config["SURVEY_BASE_URL"]
        rows = [(school.level, rounds.link(base, item.token))
                for school, item in zip(schools, issued, strict=True)]
    with open(links_csv, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["level", "link"])
        writer.writerows(rows)


if __name__ == "__main__":
    main(*sys.argv[1:3])
