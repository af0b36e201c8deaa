"""Account lifecycle: deactivate (sessions end at once), reactivate, a new set-password
link (the old one dies), an expired invitation re-issued; in the console and the service."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from conftest import PASSWORD, csrf_in, login
from sqlalchemy import select

from survey.extensions import db
from survey.models import AuditEvent, User, utcnow
from survey.services import accounts


def _user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def _post(client, path: str, page: str = "/beheer/gebruikers"):
    token = csrf_in(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token})


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_deactivated_centre_user_loses_access_at_once(app, make_user, inspector_client):
    email = make_user("centre")
    staff = app.test_client()
    assert login(staff, email).status_code == 302
    assert staff.get("/clb/").status_code == 200
    user_id = _user_id(app, email)
    confirm = inspector_client.get(f"/beheer/gebruikers/{user_id}/deactiveren")
    assert confirm.status_code == 200 and email in confirm.get_data(as_text=True)
    done = _post(inspector_client, f"/beheer/gebruikers/{user_id}/deactiveren",
                 f"/beheer/gebruikers/{user_id}/deactiveren")
    assert done.status_code == 302
    page = staff.get("/clb/")  # the session made before gets no page
    assert page.status_code == 302 and "/account/aanmelden" in page.headers["Location"]
    assert login(app.test_client(), email).status_code == 401, "the password no longer works"
    listing = inspector_client.get("/beheer/gebruikers").get_data(as_text=True)
    assert re.search(re.escape(email) + r".*?gedeactiveerd", listing, re.S)
    assert "user deactivated" in _actions(app)
    _post(inspector_client, f"/beheer/gebruikers/{user_id}/heractiveren")
    assert login(app.test_client(), email).status_code == 302
    assert "user reactivated" in _actions(app)


def test_a_deactivation_without_csrf_is_refused(app, make_user, inspector_client):
    user_id = _user_id(app, make_user("centre"))
    response = inspector_client.post(f"/beheer/gebruikers/{user_id}/deactiveren")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, user_id).active


def test_an_inspector_cannot_deactivate_themselves_nor_the_last_inspector(app, make_user):
    with app.app_context():
        first = accounts.create_user(db.session, "eerste@example.org", "inspector")
        accounts.set_password(first, PASSWORD)
        db.session.commit()
        with pytest.raises(accounts.AccountError, match="eigen account"):
            accounts.deactivate(db.session, first, first)
        with pytest.raises(accounts.AccountError, match="laatste"):
            accounts.deactivate(db.session, None, first)  # the command line
        assert db.session.get(User, first.id).active
    client = app.test_client()
    assert login(client, "eerste@example.org").status_code == 302
    own = _post(client, f"/beheer/gebruikers/{first.id}/deactiveren")
    assert own.status_code == 200 and "eigen account" in own.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, first.id).active


def test_a_new_link_kills_the_old_one(app, inspector_client):
    with app.app_context():
        user = accounts.create_user(db.session, "nieuw@example.org", "inspector")
        old = accounts.issue_invite(db.session, user)
        db.session.commit()
        user_id = user.id
    sent = _post(inspector_client, f"/beheer/gebruikers/{user_id}/link")
    html = sent.get_data(as_text=True)
    assert sent.status_code == 200
    new = re.search(r"/account/wachtwoord/([\w-]+)", html).group(1)
    client = app.test_client()
    assert client.get(f"/account/wachtwoord/{old}").status_code == 410
    assert client.get(f"/account/wachtwoord/{new}").status_code == 200
    assert "set-password link sent" in _actions(app)


def test_an_expired_invitation_reissued_works(app, inspector_client):
    with app.app_context():
        user = accounts.create_user(db.session, "laat@example.org", "centre",
                                    centre=_centre())
        accounts.issue_invite(db.session, user, now=utcnow() - timedelta(hours=80))
        db.session.commit()
        user_id = user.id
    listing = inspector_client.get("/beheer/gebruikers").get_data(as_text=True)
    assert re.search(r"laat@example.org.*?uitnodiging verlopen", listing, re.S)
    html = _post(inspector_client, f"/beheer/gebruikers/{user_id}/link").get_data(as_text=True)
    token = re.search(r"/account/wachtwoord/([\w-]+)", html).group(1)
    path = f"/account/wachtwoord/{token}"
    client = app.test_client()
    done = client.post(path, data={"csrf_token": csrf_in(client.get(path).get_data(
        as_text=True)), "password": PASSWORD, "repeat": PASSWORD})
    assert done.status_code == 302
    assert login(app.test_client(), "laat@example.org").status_code == 302


def _centre():
    from survey.models import Centre

    centre = Centre(number="100009", name="CLB Laat", network="go")
    db.session.add(centre)
    db.session.flush()
    return centre


def test_states_of_accounts(app):
    now = utcnow()
    with app.app_context():
        active = accounts.create_user(db.session, "a@example.org", "inspector")
        accounts.set_password(active, PASSWORD)
        pending = accounts.create_user(db.session, "p@example.org", "inspector")
        accounts.issue_invite(db.session, pending)
        expired = accounts.create_user(db.session, "e@example.org", "inspector")
        accounts.issue_invite(db.session, expired, now=now - timedelta(hours=73))
        gone = accounts.create_user(db.session, "g@example.org", "inspector")
        accounts.set_password(gone, PASSWORD)
        db.session.commit()
        accounts.deactivate(db.session, active, gone)
        states = {user.email: state for user, state in accounts.users_with_state(db.session)}
    assert states == {"a@example.org": "active", "p@example.org": "invitation pending",
                      "e@example.org": "invitation expired", "g@example.org": "deactivated"}
