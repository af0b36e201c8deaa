"""What a frozen version of a round's reports costs: its size, freezing, loading, one
CLB's page from it, and the console's comparison of the live data with it.

    python bench/report_versions.py

Builds the demo sector (40 CLBs, about 3,500 schools, 60 % answered) in a temporary SQLite
database, approves its remarks, publishes its round and freezes version 1, then approves
nothing more but withdraws one school's answer, and times the steps. Prints figures only.
"""

from __future__ import annotations

import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from synthetic import make_app  # noqa: E402

from survey.extensions import db  # noqa: E402


def timed(label: str, work, repeat: int = 1):
    started = time.perf_counter()
    for _ in range(repeat):
        out = work()
    print(f"{label}: {(time.perf_counter() - started) / repeat * 1000:.0f} ms")
    return out


def main() -> None:
    from survey.database import write_transaction
    from survey.demo import build
    from survey.models import Invitation, Remark, Response, Round
    from survey.questionnaire import bundled
    from survey.services import report_versions, reports, rounds

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        app = make_app(f"sqlite:///{tmp / 'demo.sqlite3'}", tmp / "instance")
        with app.app_context(), app.test_request_context():
            summary = build(db.session, bundled("clb-samenwerking-school"), seed=2026,
                            base_url="http://127.0.0.1:5000")
            rnd = db.session.get(Round, summary.round_id)
            with write_transaction(db.session):
                db.session.execute(db.update(Remark).values(review="approved"))
                rnd.state = "published"
            approved = db.session.scalar(db.select(db.func.count()).select_from(Remark))
            print(f"demo sector: {summary.centres} CLBs, {summary.schools} schools, "
                  f"{summary.submitted} submitted, {approved} remarks approved")
            with write_transaction(db.session):
                version = timed("freeze (round inputs + encode + insert)",
                                lambda: report_versions.freeze(db.session, rnd))
            data = reports.round_data(db.session, rnd)
            raw = len(zlib.decompress(version.data))
            print(f"version 1: {version.size / 1024:.0f} KiB stored "
                  f"({raw / 1024:.0f} KiB of JSON before zlib)")
            timed("decode (JSON -> RoundData)", lambda: report_versions.decode(version.data),
                  repeat=5)
            assert report_versions.decode(version.data) == data
            number = next(iter(data.inputs))
            timed("one CLB's feedback from the version (cached decode)",
                  lambda: report_versions.centre_feedback(db.session, rnd, number, version),
                  repeat=5)
            timed("one CLB's feedback live", lambda: reports.feedback(db.session, rnd, number),
                  repeat=5)
            inv = db.session.scalar(db.select(Invitation).join(Response).where(
                Invitation.round_id == rnd.id, Response.status == "submitted"))
            with write_transaction(db.session):
                rounds.revoke(db.session, inv)
            pending = timed("console: live data against version 1, every CLB",
                            lambda: report_versions.pending(db.session, rnd))
            print(f"  {len(pending.changes.centres)} CLB(s) changed: "
                  + ", ".join(f"{c.number} ({len(c.statements)} statements)"
                              for c in pending.changes.centres[:5]))


if __name__ == "__main__":
    main()
