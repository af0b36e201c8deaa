"""Sign-in of inspectors and CLB staff: passwords, rate limits, logout, session limits,
one-time set-password links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import PASSWORD, csrf_in, login
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import LoginAttempt, User, utcnow
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


def _login_from(app, email: str, password: str, address: str, forwarded_for: str = ""):
    """A sign-in from its own browser (test client) at `address`."""
    browser = app.test_client()
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    token = csrf_in(browser.get("/account/aanmelden", environ_base={"REMOTE_ADDR": address},
                                headers=headers).get_data(as_text=True))
    return browser.post("/account/aanmelden", environ_base={"REMOTE_ADDR": address},
                        headers=headers,
                        data={"csrf_token": token, "email": email, "password": password})


def test_a_guesser_does_not_lock_the_owner_out(app, make_user):
    email = make_user("centre")
    for _ in range(accounts.MAX_FAILS_PER_ACCOUNT):
        assert _login_from(app, email, "fout wachtwoord", "203.0.113.5").status_code == 401
    # The guessing address is stopped, even with the right password ...
    assert _login_from(app, email, PASSWORD, "203.0.113.5").status_code == 429
    assert _login_from(app, email, "nog een gok", "203.0.113.5").status_code == 429
    # ... the owner, from an address that is not guessing, signs in.
    assert _login_from(app, email, PASSWORD, "198.51.100.20").status_code == 302


def test_a_guesser_over_many_addresses_gets_one_try_per_address(app, make_user):
    email = make_user("inspector")
    for _ in range(accounts.MAX_FAILS_PER_ACCOUNT):
        _login_from(app, email, "fout wachtwoord", "203.0.113.5")
    for n in range(1, 6):  # past the account's limit: each new address one guess, no more
        address = f"192.0.2.{n}"
        assert _login_from(app, email, "fout wachtwoord", address).status_code == 401
        assert _login_from(app, email, "fout wachtwoord", address).status_code == 429
        assert _login_from(app, email, PASSWORD, address).status_code == 429
    with app.app_context():
        tried = db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.key == f"account:{email}"))
    assert tried == accounts.MAX_FAILS_PER_ACCOUNT + 5


def test_behind_one_proxy_sign_in_limits_are_per_forwarded_client(app, make_user,
                                                                 database_url):
    from survey import create_app

    proxied = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                          "SQLALCHEMY_DATABASE_URI": database_url,
                          "SURVEY_TRUSTED_PROXIES": 1})
    try:
        emails = [make_user("inspector") for _ in range(accounts.MAX_FAILS_PER_ADDRESS)]
        for email in emails:
            assert _login_from(proxied, email, "fout", "10.0.0.2", "203.0.113.9"
                               ).status_code == 401
        assert _login_from(proxied, make_user("inspector"), PASSWORD, "10.0.0.2",
                           "203.0.113.9").status_code == 429
        for email in emails:  # every other client behind the same proxy signs in
            assert _login_from(proxied, email, PASSWORD, "10.0.0.2", "198.51.100.7"
                               ).status_code == 302
    finally:
        with proxied.app_context():
            db.session.remove()
            db.engine.dispose()


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_help(app, make_user):
    email = make_user("inspector")
    for n in range(accounts.MAX_FAILS_PER_ACCOUNT):
        _login_from(app, email, "fout", "203.0.113.5", f"192.0.2.{n + 1}")
    assert _login_from(app, email, PASSWORD, "203.0.113.5", "198.51.100.99"
                       ).status_code == 429


def test_simultaneous_wrong_passwords_check_at_most_five(app, make_user):
    from helpers import in_threads

    email = make_user("inspector")
    browsers = []
    for _ in range(40):
        browser = app.test_client()
        browsers.append((browser, _csrf(browser)))

    def guess(browser, token):
        return browser.post("/account/aanmelden", data={
            "csrf_token": token, "email": email, "password": "fout wachtwoord"}).status_code

    statuses = in_threads(app, [lambda b=b, t=t: guess(b, t) for b, t in browsers])
    assert statuses.count(401) == accounts.MAX_FAILS_PER_ACCOUNT, statuses
    assert statuses.count(429) == 40 - accounts.MAX_FAILS_PER_ACCOUNT, statuses


HOSTILE_NEXT = [
    "https://evil.example/", "http://evil.example", "//evil.example/x", "///evil.example",
    "////evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example",
    "/\t/evil.example", "/%09/evil.example", "%2F%2Fevil.example", "/%5Cevil.example",
    "\t//evil.example", " //evil.example", "/\n/evil.example", "/\r\n/evil.example",
    "/%0d%0aSet-Cookie:x=1", "%0d%0a//evil.example", "javascript:alert(1)",
    "JaVaScRiPt:alert(1)", "java%0ascript:alert(1)", "data:text/html,x", "evil.example",
    "https:evil.example", "/beheer/\r\nX-Injected: 1", "%2f%5cevil.example", "\x00//evil",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_a_hostile_next_is_never_followed(client, make_user, target):
    from urllib.parse import quote

    email = make_user("inspector")
    token = _csrf(client)
    response = client.post(f"/account/aanmelden?next={quote(target, safe='%')}",
                           data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/beheer/"


@pytest.mark.parametrize("target", ["/beheer/rondes/1", "/clb/", "/beheer/?pagina=2",
                                    "/beheer/logboek?pagina=2#boven"])
def test_a_next_on_this_site_is_followed(client, make_user, target):
    from urllib.parse import quote

    email = make_user("inspector")
    token = _csrf(client)
    response = client.post(f"/account/aanmelden?next={quote(target)}",
                           data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.headers["Location"] == target
