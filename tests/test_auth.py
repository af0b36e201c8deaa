"""Sign-in of inspectors and CLB staff: passwords, rate limits, logout, session limits,
one-time set-password links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import PASSWORD, csrf_in, login
from sqlalchemy import select

from survey.extensions import db
from survey.models import User, utcnow
from survey.services import accounts


def _csrf(client, path="/account/aanmelden") -> str:
    html = client.get(path).get_data(as_text=True)
    return csrf_in(html)


def test_inspector_signs_in_and_reaches_the_console(client, make_user):
    response = login(client, make_user("inspector"))
    assert response.status_code == 302 and response.headers["Location"] == "/beheer/"
    assert client.get("/beheer/").status_code == 200


def test_wrong_password_and_unknown_address_look_the_same(client, make_user):
    email = make_user("inspector")
    wrong = login(client, email, "not the password")
    unknown = login(client, "nobody@example.org", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "E-mailadres of wachtwoord klopt niet." in response.get_data(as_text=True)


def test_passwords_are_stored_with_a_salted_kdf(app, make_user):
    email = make_user("inspector")
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).where(User.email == email))
    assert stored.startswith("scrypt:") and PASSWORD not in stored


def test_account_is_locked_for_a_while_after_five_failures(client, make_user):
    email = make_user("inspector")
    for _ in range(5):
        assert login(client, email, "fout wachtwoord").status_code == 401
    blocked = login(client, email)  # even the right password
    assert blocked.status_code == 429
    assert "Te veel mislukte pogingen" in blocked.get_data(as_text=True)


def test_one_address_trying_many_accounts_is_slowed(app, client, make_user):
    emails = [make_user("inspector") for _ in range(5)]
    for _ in range(4):
        for email in emails:
            login(client, email, "fout wachtwoord")
    assert login(client, make_user("inspector")).status_code == 429
    other_address = app.test_client()
    response = other_address.post("/account/aanmelden", environ_base={
        "REMOTE_ADDR": "10.9.8.7"}, data={"csrf_token": _csrf(other_address),
                                          "email": make_user("inspector"),
                                          "password": PASSWORD})
    assert response.status_code == 302, "another address is not affected"


def test_logout_really_ends_the_session(app, inspector_client):
    with inspector_client.session_transaction() as sess:
        stolen = dict(sess)
    token = _csrf(inspector_client, "/beheer/")
    response = inspector_client.post("/account/afmelden", data={"csrf_token": token})
    assert response.status_code == 302
    assert inspector_client.get("/beheer/").status_code == 302
    replay = app.test_client()
    with replay.session_transaction() as sess:
        sess.update(stolen)  # a copy of the cookie taken before logout
    assert replay.get("/beheer/").status_code == 302


@pytest.mark.parametrize(("key", "age"), [("staff_seen", 31 * 60), ("staff_since", 13 * 3600)])
def test_idle_and_absolute_session_limits(inspector_client, key, age):
    with inspector_client.session_transaction() as sess:
        sess[key] = sess[key] - age
    response = inspector_client.get("/beheer/")
    assert response.status_code == 302 and "/account/aanmelden" in response.headers["Location"]


def test_set_password_link_is_one_time_and_expires(app, client):
    with app.app_context():
        user = accounts.create_user(db.session, "nieuw@example.org", "inspector")
        old = accounts.issue_invite(db.session, user, now=utcnow() - timedelta(hours=1))
        token = accounts.issue_invite(db.session, user)  # a new link replaces the old one
        db.session.commit()
        expired_user = accounts.create_user(db.session, "laat@example.org", "inspector")
        expired = accounts.issue_invite(db.session, expired_user,
                                        now=utcnow() - timedelta(hours=73))
        db.session.commit()
    assert client.get(f"/account/wachtwoord/{expired}").status_code == 410
    path = f"/account/wachtwoord/{token}"
    short = client.post(path, data={"csrf_token": _csrf(client, path), "password": "kort",
                                    "repeat": "kort"})
    assert "minstens 12 tekens" in short.get_data(as_text=True)
    done = client.post(path, data={"csrf_token": _csrf(client, path), "password": PASSWORD,
                                   "repeat": PASSWORD})
    assert done.status_code == 302
    assert client.get(path).status_code == 410, "a used link does not work again"
    assert client.get(f"/account/wachtwoord/{old}").status_code == 410
    assert login(app.test_client(), "nieuw@example.org").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_next_never_leaves_the_site(client, make_user, target):
    email = make_user("inspector")
    token = _csrf(client)
    response = client.post(f"/account/aanmelden?next={target}",
                           data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.headers["Location"] == "/beheer/"


def test_login_without_csrf_token_is_refused(client, make_user):
    response = client.post("/account/aanmelden", data={"email": make_user(),
                                                       "password": PASSWORD})
    assert response.status_code == 400
