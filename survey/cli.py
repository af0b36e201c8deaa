"""The `survey` console script: Flask's CLI with the app's own commands added.

survey db upgrade                  create or upgrade the database (Flask-Migrate)
survey questionnaire check FILE    validate a questionnaire file (.toml or .xlsx)
survey questionnaire list          the library's versions
survey questionnaire publish FILE [--yes]   upload a file to the library and publish it
survey demo [--seed N] [--answered F] [--links-csv FILE] [--no-serve]
survey invitations send ROUND [--reminder N] [--no-wait] [--here]   a mail job; status ROUND
survey reports build ROUND [--out DIR] [--jobs N]
survey reports check ROUND [--repair]
survey worker [--workers N] [--type process|thread]   run background jobs
survey backup FILE                 online copy of the embedded SQLite database
survey users create|list|deactivate|reactivate|link   accounts of inspectors and CLB staff
"""

from __future__ import annotations

import csv
import os
import secrets
import signal
import sys
import time
from dataclasses import asdict
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, inspect, select, text

from . import create_app
from .cli_jobs import worker_command
from .cli_mail import invitations_cli
from .cli_questionnaire import questionnaire_cli
from .cli_users import users_cli
from .database import write_transaction
from .extensions import db
from .questionnaire import bundled
from .services import rounds as rounds_service


def main() -> None:
    FlaskGroup(create_app=lambda: create_app(), help="CLB survey platform").main()


def _reset_database(force: bool) -> None:
    """The demo always starts from an empty database. The embedded SQLite file is simply
    replaced; any other database is emptied only with --reset."""
    engine = db.engine
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        db.session.remove()
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)
        return
    tables = set(inspect(engine).get_table_names())
    has_data = any(db.session.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first()
                   for name in ("centre", "round") if name in tables)
    db.session.rollback()
    if has_data and not force:
        raise click.ClickException(
            f"{url.render_as_string(hide_password=True)} is not empty. The demo replaces "
            "everything in it: run again with --reset if that is what you want.")
    db.drop_all()
    with write_transaction(db.session):
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))


@click.command("demo")
@with_appcontext
@click.option("--seed", default=2026, show_default=True, help="Random seed: same seed, same data.")
@click.option("--answered", default=0.6, show_default=True, type=click.FloatRange(0, 1),
              help="Share of schools with simulated submitted answers (0 allowed).")
@click.option("--schools", default=3500, show_default=True, type=click.IntRange(100, 100000))
@click.option("--links-csv", type=click.Path(dir_okay=False, writable=True),
              help="Write every unanswered school's link to this CSV file.")
@click.option("--serve/--no-serve", default=True, help="Serve the app afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Allow emptying a non-embedded database.")
def demo(seed, answered, schools, links_csv, serve, host, port, reset):
    """Build a fictional sector with an open round in the database, then serve it."""
    from flask_migrate import upgrade

    from .demo import build

    app: Flask = current_app._get_current_object()
    _reset_database(reset)
    from .jobs import queue

    queue(app).flush()   # jobs of an earlier demo refer to rows that are gone
    upgrade(directory=app.extensions["migrate"].directory)
    base_url = app.config["SURVEY_BASE_URL"]
    if serve and base_url == "http://127.0.0.1:5000":
        # the default address: links (in mails, the links list, set-password links) use
        # the address this server is really on
        base_url = f"http://{host}:{port}"
        app.config["SURVEY_BASE_URL"] = base_url
    from .services import library

    library.ensure_bundled(db.session)
    click.echo("Building the demo sector ...")
    summary = build(db.session, bundled("clb-samenwerking-school"), seed=seed,
                    answered=answered, schools=schools, base_url=base_url,
                    example=bundled("voorbeeld-alle-vraagtypes"))
    click.echo(f"{summary.centres} CLBs, {summary.schools} schools; {summary.submitted} "
               f"submitted, {summary.drafts} started, in round {summary.round_id}.")
    click.echo(f"Example round {summary.example_round_id} (every question type and routing, "
               f"an example questionnaire): {len(summary.example_links)} schools still to "
               f"answer, e.g. {summary.example_links[0].link}" if summary.example_links else
               f"Example round {summary.example_round_id}: every school answered.")
    from .models import Centre
    from .services import accounts

    password = secrets.token_urlsafe(12)
    with write_transaction(db.session):
        inspector = accounts.create_user(db.session, "inspecteur@example.org", "inspector",
                                         name="Demo-inspecteur")
        accounts.set_password(inspector, password)
        first = db.session.scalar(select(Centre).order_by(Centre.number))
        clb_user = accounts.create_user(db.session, "clb@example.org", "centre",
                                        centre=first, name="Demo-CLB")
        accounts.set_password(clb_user, password)
    click.echo(f"Inspector console: {base_url}/account/aanmelden  as inspecteur@example.org, "
               f"password {password}")
    click.echo(f"CLB portal ({first.name}): the same page as clb@example.org, same password; "
               f"results appear once the inspector closes and publishes round "
               f"{summary.round_id}.")
    from .admin.outbox import outbox_folder

    folder = outbox_folder()
    if folder is not None:     # the demo's mails are real files: say where to read them
        click.echo(f"No mail server (SURVEY_SMTP_HOST is empty): mails are written as .eml "
                   f"files to {folder}; the console shows them under \"Uitgaande post\": "
                   f"{base_url}/beheer/uitgaande-post")
    if links_csv:
        with open(links_csv, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=["school_number", "school_name", "level",
                                                    "centre_number", "centre_name", "link"])
            writer.writeheader()
            writer.writerows(asdict(link) for link in summary.links)
        click.echo(f"Wrote {len(summary.links)} links of unanswered schools to {links_csv}.")
    click.echo("Links of schools that have not answered yet (open one in a browser):")
    for link in summary.links[:5]:
        click.echo(f"  {link.level:5} {link.school_name}  ({link.centre_name})\n    {link.link}")
    if serve:
        from werkzeug.serving import run_simple

        from .cli_jobs import start_worker_process

        # the background jobs (report builds, mail batches, the schedule) need a worker
        worker = start_worker_process(app, base_url)
        click.echo(f"Serving on http://{host}:{port}/  with a job worker (process "
                   f"{worker.pid}); Ctrl+C stops both")
        # a plain `kill` of the demo (SIGTERM) stops the worker too, through the finally
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            run_simple(host, port, app, threaded=True)
        finally:
            worker.terminate()
            try:
                worker.wait(10)
            except Exception:  # noqa: BLE001 - it had its chance to stop cleanly
                worker.kill()


def _print_plan(plan) -> None:
    read = "1 rij gelezen" if plan.rows == 1 else f"{plan.rows} rijen gelezen"
    click.echo(read + (f" (tekenset {plan.encoding})." if plan.encoding else "."))
    click.echo(f"CLB's:   {len(plan.centres_new)} nieuw, {len(plan.centres_changed)} gewijzigd, "
               f"{plan.centres_same} ongewijzigd")
    _print_changes("CLB", plan.centre_changes)
    click.echo(f"Scholen: {len(plan.schools_new)} nieuw, {len(plan.schools_changed)} gewijzigd, "
               f"{plan.schools_same} ongewijzigd")
    _print_changes("school", plan.school_changes)
    click.echo(f"Geweigerde rijen: {len(plan.rejected)}")
    for rejection in plan.rejected:
        # every fault of the row on a line of its own: all can be mended in one pass
        for fault in rejection.faults or (rejection.reason,):
            click.echo(f"  rij {rejection.row}: {fault}")


def _print_changes(what: str, changes: dict) -> None:
    """Each changed field of a known CLB or school, old and new (what the dry run is for)."""
    for number, fields in changes.items():
        for change in fields:
            click.echo(f"  {what} {number}, {change.label}: {change.old!r} -> {change.new!r}")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Only show what would change.")
@click.option("--yes", is_flag=True, help="Apply without asking.")
@with_appcontext
def import_sector(path, dry_run, yes):
    """Import CLBs and schools from an .xlsx or .csv file (a dry run first)."""
    from .services.sector_import import apply_import, plan_import
    from .tabular import TableError, read_table

    try:
        table = read_table(Path(path).read_bytes(), Path(path).name)
        plan = plan_import(db.session, table)
    except TableError as exc:
        raise click.ClickException(str(exc)) from exc
    _print_plan(plan)
    if dry_run or not plan.changes:
        click.echo("Niets geschreven." if plan.changes else "Niets te wijzigen.")
        return
    if not yes and not click.confirm("Deze wijzigingen toepassen?", default=False):
        click.echo("Niets geschreven.")
        return
    applied = apply_import(db.session, table)
    click.echo(f"Toegepast: {applied.changes} wijzigingen in één transactie.")


rounds_cli = click.Group("rounds", help="Survey rounds.")


def _round(round_id: int):
    from .models import Round

    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise click.ClickException(f"No round {round_id}.")
    return rnd


@rounds_cli.command("list")
@with_appcontext
def rounds_list():
    """List rounds with their state and response."""
    from .models import Invitation, Response, Round

    rows = db.session.execute(
        select(Round.id, Round.name, Round.state, Round.closes_at,
               func.count(Invitation.id), func.count(Response.id).filter(
                   Response.status == "submitted"))
        .outerjoin(Invitation, Invitation.round_id == Round.id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .group_by(Round.id).order_by(Round.id)).all()
    if not rows:
        click.echo("No rounds.")
    for rid, rname, state, closes, invited, submitted in rows:
        click.echo(f"{rid:4}  {state:9}  {submitted:5}/{invited:<5} submitted  "
                   f"closes {closes:%Y-%m-%d %H:%M} UTC  {rname}" if closes else
                   f"{rid:4}  {state:9}  {submitted:5}/{invited:<5} submitted  {rname}")


def _round_command(name: str, action, help_text: str):
    @rounds_cli.command(name, help=help_text)
    @click.argument("round_id", type=int)
    @with_appcontext
    def command(round_id):
        from .services import accounts
        from .services.rounds import RoundStateError

        try:
            with write_transaction(db.session):
                rnd = _round(round_id)
                action(db.session, rnd)
                accounts.audit(db.session, None, f"round {name} (command line)", rnd.name)
        except RoundStateError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Round {round_id} is now {rnd.state}.")

    return command


_round_command("open", rounds_service.open_round, "Open a draft round.")
_round_command("close", rounds_service.close_round, "Close an open round.")
_round_command("publish", rounds_service.publish_round, "Publish a closed round.")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(target):
    """Copy the embedded SQLite database to TARGET while the app runs (consistent)."""
    from .backup import BackupError, backup

    try:
        size = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written to {target} ({size / 1e6:.1f} MB).")


reports_cli = click.Group("reports", help="Feedback sheets and workbooks.")


@reports_cli.command("build")
@click.argument("round_id", type=int)
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder for the files (default: instance/reports/round-ROUND_ID).")
@click.option("--jobs", type=click.IntRange(1, 64), default=os.cpu_count() or 1,
              show_default=True, help="Processes building sheets in parallel.")
@with_appcontext
def reports_build(round_id, out_dir, jobs):
    """Build every CLB's sheet (PDF) and workbook (XLSX), the sector workbook and the sector
    report; a published round from its newest published version (what the CLBs see)."""
    from .services import report_versions, reports

    rnd = _round(round_id)
    out = Path(out_dir) if out_dir else reports.build_dir(current_app.instance_path, rnd.id)
    data = report_versions.build_data(db.session, rnd)
    count = len(data.inputs)
    started = time.perf_counter()
    with click.progressbar(length=count, label=f"Building {count} CLBs") as bar:
        files = reports.build_round(db.session, rnd, out, jobs=jobs, progress=bar.update,
                                    data=data)
    click.echo(f"{len(files)} files in {out} ({time.perf_counter() - started:.1f} s).")


@reports_cli.command("check")
@click.argument("round_id", type=int)
@click.option("--repair", is_flag=True, help="Recompute the kept counts if they differ.")
@with_appcontext
def reports_check(round_id, repair):
    """Compare a round's kept answer counts and response figures with a fresh count."""
    from .services import counts, tally

    rnd = _round(round_id)
    checks = [("answer counts", counts.cube, counts.recomputed, counts.rebuild),
              ("response figures", tally.kept, tally.recomputed, tally.rebuild)]
    broken = []
    for label, read_kept, recount, rebuild in checks:
        kept, fresh = read_kept(db.session, rnd.id), recount(db.session, rnd.id)
        if kept == fresh:
            click.echo(f"OK: {label}, {len(fresh)} rows agree with a fresh count.")
            continue
        differ = sorted(k for k in kept.keys() | fresh.keys() if kept.get(k) != fresh.get(k))
        click.echo(f"{label}: {len(differ)} rows differ.")
        for key in differ[:20]:
            click.echo(f"  {key}: kept {kept.get(key, 0)}, counted {fresh.get(key, 0)}")
        broken.append((label, differ, rebuild))
    if not broken:
        return
    if not repair:
        raise click.ClickException(
            f"{', '.join(label for label, _, _ in broken)} differ; run with --repair.")
    with write_transaction(db.session):
        for _label, _differ, rebuild in broken:
            rebuild(db.session, rnd.id)
    for label, differ, _rebuild in broken:
        click.echo(f"Repaired {len(differ)} rows of the {label}.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(reports_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(questionnaire_cli)
    app.cli.add_command(demo)
    app.cli.add_command(import_sector)
    app.cli.add_command(users_cli)
    app.cli.add_command(rounds_cli)
    app.cli.add_command(invitations_cli)
    app.cli.add_command(worker_command)


if __name__ == "__main__":
    main()
