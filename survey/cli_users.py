"""The `survey users` commands: create an account (a password now or a one-time link),
list them, deactivate, reactivate, or print a new set-password link."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .database import write_transaction
from .extensions import db

users_cli = click.Group("users", help="Accounts of inspectors and CLB staff.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["inspector", "centre"]), required=True)
@click.option("--centre", "centre_number", help="The CLB's number (for --role centre).")
@click.option("--name", default="")
@click.option("--link", is_flag=True,
              help="Print a one-time set-password link instead of asking for a password.")
@with_appcontext
def users_create(email, role, centre_number, name, link):
    """Create an account; set its password now or print a one-time link."""
    from flask import url_for

    from .models import Centre
    from .services import accounts

    centre = None
    if centre_number:
        centre = db.session.scalar(select(Centre).where(Centre.number == centre_number))
        if centre is None:
            raise click.ClickException(f"No CLB with number {centre_number}.")
    # Asked before the write transaction: nobody types while the database is locked.
    password = None if link else click.prompt(
        "Password (at least 12 characters)", hide_input=True, confirmation_prompt=True)
    try:
        with write_transaction(db.session):
            user = accounts.create_user(db.session, email, role, centre=centre, name=name)
            if link:
                token = accounts.issue_invite(db.session, user)
            else:
                accounts.set_password(user, password)
            accounts.audit(db.session, None, "user created (command line)", user.email,
                           role=role)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {role} account {user.email}.")
    if link:
        with current_app.test_request_context():
            path = url_for("auth.set_password", token=token)
        click.echo(f"One-time link to set the password (valid 72 hours):\n  "
                   f"{current_app.config['SURVEY_BASE_URL']}{path}")


def _user_command(name: str, help_text: str):
    """A `survey users NAME EMAIL` command that finds the account and hands it on."""

    def wrap(action):
        @users_cli.command(name, help=help_text)
        @click.argument("email")
        @with_appcontext
        def command(email):
            from .services import accounts

            try:
                action(accounts, accounts.find_user(db.session, email))
            except accounts.AccountError as exc:
                db.session.rollback()
                raise click.ClickException(str(exc)) from exc

        return command

    return wrap


@_user_command("deactivate", "End the account's sessions at once; its password stops working.")
def users_deactivate(accounts, user):
    accounts.deactivate(db.session, None, user)
    click.echo(f"Deactivated {user.email}.")


@_user_command("reactivate", "Let a deactivated account sign in again.")
def users_reactivate(accounts, user):
    accounts.reactivate(db.session, None, user)
    click.echo(f"Reactivated {user.email}.")


@_user_command("link", "Print a new one-time set-password link (earlier links stop working).")
def users_link(accounts, user):
    from flask import url_for

    token = accounts.send_new_link(db.session, None, user)
    with current_app.test_request_context():
        path = url_for("auth.set_password", token=token)
    click.echo(f"One-time link to set the password of {user.email} (valid 72 hours):\n  "
               f"{current_app.config['SURVEY_BASE_URL']}{path}")


@users_cli.command("list")
@with_appcontext
def users_list():
    """Every account with its role and state."""
    from .services import accounts

    for user, state in accounts.users_with_state(db.session):
        role = "inspector" if user.is_inspector else f"centre {user.centre.number}"
        click.echo(f"{user.email:40} {role:16} {state}")
