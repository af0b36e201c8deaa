"""The `survey questionnaire` commands: check a file, list the library, publish a file
(the changes shown first). Each calls the engine's loader or the library service."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from .extensions import db
from .questionnaire import QuestionnaireError, load

questionnaire_cli = click.Group("questionnaire", help="Questionnaire definition files.")


@questionnaire_cli.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def questionnaire_check(files):
    """Validate questionnaire FILES (.toml or .xlsx); print every fault with its place."""
    failed = False
    for path in files:
        try:
            q = load(path)
        except QuestionnaireError as exc:
            failed = True
            click.echo(f"{path}: INVALID ({len(exc.problems)} problem(s))", err=True)
            for problem in exc.problems:
                click.echo(f"  - {problem}", err=True)
            continue
        click.echo(f"{path}: OK  {q.id} version {q.version}: {len(q.items)} items "
                   f"({len(q.statements)} statements, {len(q.text_items)} free-text), "
                   f"{len(q.sections)} sections")
    sys.exit(1 if failed else 0)


@questionnaire_cli.command("list")
@with_appcontext
def questionnaire_list():
    """The library's versions (the bundled files published on first use)."""
    from .services import library

    library.ensure_bundled(db.session)
    used = library.rounds_using(db.session)
    click.echo(f"{'id':>4}  {'questionnaire':30} {'version':12} {'state':10} rounds  title")
    for version in library.versions(db.session):
        click.echo(f"{version.id:>4}  {version.questionnaire_id:30} {version.version:12} "
                   f"{version.state:10} {used.get(version.id, 0):>6}  {version.title}")


@questionnaire_cli.command("publish")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Publish without asking.")
@with_appcontext
def questionnaire_publish(path, yes):
    """Upload FILE (.toml or .xlsx) to the library and publish it, after showing what
    changed against the newest published version of the same questionnaire."""
    from .services import library

    library.ensure_bundled(db.session)
    try:
        version = library.upload(db.session, None, Path(path).read_bytes(), Path(path).name)
    except QuestionnaireError as exc:
        click.echo(f"{path}: INVALID ({len(exc.problems)} problem(s)); nothing stored",
                   err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    except library.LibraryError as exc:
        raise click.ClickException(str(exc)) from exc
    before, changes = library.changes(db.session, version)
    name = f"{version.questionnaire_id} version {version.version}"
    if before is None:
        click.echo(f"{name}: the first version of this questionnaire.")
    else:
        click.echo(f"{name} against version {before.version}: {len(changes)} change(s)")
        for change in changes:
            click.echo(f"  - {change.description}")
    if not yes and not click.confirm(f"Publish {name}? It cannot be changed afterwards"):
        click.echo(f"Kept as a concept (library id {version.id}).")
        return
    library.publish(db.session, None, version.id)
    click.echo(f"Published {name} (library id {version.id}).")
