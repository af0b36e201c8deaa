"""Guessing links: a flood of wrong tokens from one address is slowed down (429), across
workers, while schools elsewhere keep answering."""

from __future__ import annotations

import pytest

from survey import create_app
from survey.services import throttle
from survey.tokens import new_token


def _open(client, token: str, address: str):
    return client.get(f"/s/{token}", environ_base={"REMOTE_ADDR": address})


def test_a_flood_of_wrong_links_is_slowed_and_real_schools_go_on(app, client, make_invited,
                                                                 database_url):
    schools = [make_invited() for _ in range(2)]
    for _ in range(throttle.LINK_FAILS_PER_ADDRESS):
        assert _open(client, new_token(), "203.0.113.9").status_code == 404
    blocked = _open(client, new_token(), "203.0.113.9")
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == str(int(throttle.LINK_WINDOW.total_seconds()))
    assert "te veel links" in blocked.get_data(as_text=True)
    # another worker (another app on the same database) knows the address too
    other = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                        "SQLALCHEMY_DATABASE_URI": database_url})
    assert _open(other.test_client(), new_token(), "203.0.113.9").status_code == 429
    # a school from elsewhere is not slowed, nor is a typo there
    elsewhere = app.test_client()
    assert _open(elsewhere, schools[0].token, "198.51.100.7").status_code == 303
    assert _open(app.test_client(), "x" * 32, "198.51.100.8").status_code == 404
    assert _open(app.test_client(), schools[1].token, "198.51.100.8").status_code == 303
    from survey.extensions import db
    with other.app_context():
        db.engine.dispose()


def test_failures_older_than_the_window_are_forgotten(app):
    from datetime import timedelta

    from survey.extensions import db
    from survey.models import utcnow

    long_ago = utcnow() - throttle.LINK_WINDOW - timedelta(minutes=1)
    with app.app_context():
        for _ in range(throttle.LINK_FAILS_PER_ADDRESS):
            throttle.link_failed(db.session, "192.0.2.1", now=long_ago)
        db.session.commit()
        assert not throttle.link_blocked(db.session, "192.0.2.1")
        throttle.link_failed(db.session, "192.0.2.1")
        db.session.commit()
        from sqlalchemy import func, select

        from survey.models import LoginAttempt
        left = db.session.scalar(select(func.count()).select_from(LoginAttempt))
    assert left == 1, "old failures of the address are deleted"


@pytest.mark.parametrize("token", ["a", "../../etc/passwd", "%00", "x" * 500])
def test_odd_tokens_are_just_unknown(client, token):
    assert _open(client, token, "192.0.2.50").status_code == 404


def _proxied_app(database_url: str, proxies: int):
    """Another worker on the same database, configured for `proxies` trusted proxies."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                       "SQLALCHEMY_DATABASE_URI": database_url,
                       "SURVEY_TRUSTED_PROXIES": proxies})


def _dispose(app) -> None:
    from survey.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


PROXY = "10.0.0.2"


def _through_proxy(client, token: str, forwarded_for: str):
    return client.get(f"/s/{token}", environ_base={"REMOTE_ADDR": PROXY},
                      headers={"X-Forwarded-For": forwarded_for})


def test_behind_one_proxy_each_forwarded_client_has_its_own_bucket(app, make_invited,
                                                                  database_url):
    school = make_invited()
    proxied = _proxied_app(database_url, 1)
    try:
        guesser = proxied.test_client()
        for _ in range(throttle.LINK_FAILS_PER_ADDRESS):
            assert _through_proxy(guesser, new_token(), "203.0.113.9").status_code == 404
        assert _through_proxy(guesser, new_token(), "203.0.113.9").status_code == 429
        # The client may prepend addresses of its own: only the proxy's last hop counts.
        assert _through_proxy(guesser, new_token(), "198.51.100.7, 203.0.113.9"
                              ).status_code == 429
        elsewhere = proxied.test_client()
        assert _through_proxy(elsewhere, school.token, "198.51.100.7").status_code == 303
        assert _through_proxy(proxied.test_client(), new_token(), "198.51.100.8"
                              ).status_code == 404
    finally:
        _dispose(proxied)


def test_without_trusted_proxies_a_forged_forwarded_for_is_ignored(app, client):
    for n in range(throttle.LINK_FAILS_PER_ADDRESS):
        forged = f"192.0.2.{n + 1}"
        response = client.get(f"/s/{new_token()}", environ_base={"REMOTE_ADDR": "203.0.113.9"},
                              headers={"X-Forwarded-For": forged})
        assert response.status_code == 404
    blocked = client.get(f"/s/{new_token()}", environ_base={"REMOTE_ADDR": "203.0.113.9"},
                         headers={"X-Forwarded-For": "198.51.100.99"})
    assert blocked.status_code == 429


def test_simultaneous_wrong_links_are_counted_and_decided_in_one_step(app):
    from helpers import in_threads

    total = 2 * throttle.LINK_FAILS_PER_ADDRESS
    clients = [app.test_client() for _ in range(total)]
    jobs = [lambda c=c: _open(c, new_token(), "203.0.113.77").status_code for c in clients]
    statuses = in_threads(app, jobs)
    assert statuses.count(404) == throttle.LINK_FAILS_PER_ADDRESS, statuses
    assert statuses.count(429) == total - throttle.LINK_FAILS_PER_ADDRESS, statuses
