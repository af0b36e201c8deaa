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
