"""The remarks review at scale: a synthetic round (bench/synthetic.py) whose responses each
left one remark (10,000 by default), the seed report's codebook, a third of the remarks
tagged by hand; then the review page over HTTP (first page, a far page, each filter), one
bulk tag of a page, the suggestion quality, theme_counts and the coded remarks' .xlsx.

    python bench/remarks.py [--database-url sqlite:////tmp/remarks.sqlite3 |
                             postgresql://postgres@127.0.0.1:5432/test] [--remarks 10000]

A PostgreSQL URL gets a scratch database beside it (dropped afterwards); without a URL a
temporary SQLite file is used. Each figure is the median of five runs after a warm-up.
Prints figures only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import synthetic  # noqa: E402
from scale import signed_in_client  # noqa: E402
from sqlalchemy import text  # noqa: E402

from survey.extensions import db  # noqa: E402

TEXTS = [
    "De samenwerking hangt sterk af van de persoon die ons CLB-team vormt.",
    "Door personeelswissels moesten we dit jaar vaak opnieuw beginnen.",
    "We begrijpen dat het CLB meer vragen krijgt dan het aankan, maar de wachttijd is lang.",
    "Onze vaste CLB-medewerker is zeer bereikbaar en denkt goed mee.",
    "Meer aanwezigheid op het multidisciplinair overleg zou helpen.",
    "Bij afwezigheden wordt snel gereageerd, daar zijn we tevreden over.",
    "Het zou fijn zijn als het CLB vaker op school aanwezig is.",
]
KEYS = ["opmerking-algemeen", "opmerking-leerlinggericht", "opmerking-schoolgericht",
        "opmerking-multidisciplinair"]


def median_of(work, repeat: int = 5) -> float:
    work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def load_remarks(round_id: int, base: int, count: int) -> None:
    """One remark per submitted response (text and key by the response's number), then the
    seed codebook and a third of the remarks tagged by hand with their first rule match."""
    from survey.models import Round
    from survey.services import themes

    case = " ".join(f"WHEN {i} THEN '{t}'" for i, t in enumerate(TEXTS))
    keys = " ".join(f"WHEN {i} THEN '{k}'" for i, k in enumerate(KEYS))
    series = ("generate_series(1, :n) AS s(i)"
              if db.session.get_bind().dialect.name == "postgresql" else
              "(WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c "
              "WHERE i < :n) SELECT i FROM c) AS s")
    db.session.execute(text(
        f"INSERT INTO remark (response_id, key, text) SELECT :b + i, "
        f"CASE i % {len(KEYS)} {keys} END, CASE i % {len(TEXTS)} {case} END || ' (' || i || ')' "
        f"FROM {series}"), {"b": base, "n": count})
    db.session.commit()
    codebook = themes.seed_codebook(db.session, db.session.get(Round, round_id))
    # texts 0 and 3: persons, 1: staff, 2: limits; every third response is tagged
    for theme, numbers in ((codebook[0], (0, 3)), (codebook[1], (1,)), (codebook[2], (2,))):
        db.session.execute(text(
            "INSERT INTO remark_theme (response_id, key, theme_id, source, tagged_at) "
            f"SELECT :b + i, CASE i % {len(KEYS)} {keys} END, :t, 'hand', CURRENT_TIMESTAMP "
            f"FROM {series} WHERE i % 3 = 0 AND i % {len(TEXTS)} IN "
            f"({', '.join(str(n) for n in numbers)})"), {"b": base, "n": count, "t": theme.id})
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def run(url: str, count: int, tmp: Path) -> None:
    from survey.models import Round
    from survey.services import remark_export, remarks, tagging, themes

    app = synthetic.make_app(url, tmp / "instance")
    with app.app_context():
        loaded = synthetic.load(db.session, count)
        base = 10_000_000 * loaded.round_id
        started = time.perf_counter()
        load_remarks(loaded.round_id, base, count)
        print(f"{count} remarks loaded and a third tagged in "
              f"{time.perf_counter() - started:.1f} s")
        round_ = db.session.get(Round, loaded.round_id)
        round_.state = "closed"                # a draft has no review page
        db.session.commit()
        theme_id = themes.codebook(db.session, round_)[0].id
    client = signed_in_client(app)
    page = f"/beheer/rondes/{loaded.round_id}/opmerkingen"
    for label, query in [("first page (pending)", ""),
                         ("page 100 of all", "?status=alle&pagina=100"),
                         ("one CLB", f"?clb={base + 7}"), ("one level", "?niveau=so"),
                         ("one section", "?deel=schoolgericht"),
                         ("one theme", f"?status=alle&thema={theme_id}"),
                         ("untagged", "?thema=geen")]:
        answer = client.get(page + query)
        assert answer.status_code == 200, answer.status_code
        shown = answer.get_data(as_text=True).count('<article class="remark"')
        took = median_of(lambda query=query: client.get(page + query).close())
        print(f"  review page, {label}: {took * 1000:.0f} ms ({shown} remarks shown)")
    html = client.get(page).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    selected = re.findall(r'name="selected" value="([^"]+)"', html)
    started = time.perf_counter()
    client.post(f"{page}/selectie", data={"csrf_token": token, "operation": "tag",
                                           "theme": str(theme_id), "selected": selected})
    print(f"  bulk tag of {len(selected)} remarks: "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")
    with app.app_context():
        round_ = db.session.get(Round, loaded.round_id)
        for label, work in [
                ("suggestion quality", lambda: tagging.suggestion_quality(db.session, round_)),
                ("theme_counts", lambda: themes.theme_counts(db.session, round_)),
                ("review counts", lambda: remarks.counts(db.session, round_)),
                ("coded remarks .xlsx", lambda: remark_export.coded_remarks(db.session,
                                                                            round_))]:
            print(f"  {label}: {median_of(work, 3) * 1000:.0f} ms")
        measured = tagging.suggestion_quality(db.session, round_)
        print(f"  suggestions over {measured.remarks} hand-tagged remarks: precision "
              f"{measured.overall.precision:.2f}, recall {measured.overall.recall:.2f}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--remarks", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        url = args.database_url or f"sqlite:///{tmp / 'remarks.sqlite3'}"
        with synthetic.scratch_database(url) as scratch:
            print(f"{scratch.split('@')[-1]}:")
            run(scratch, args.remarks, tmp)


if __name__ == "__main__":
    main()
