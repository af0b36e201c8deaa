"""Headers on every page and the session cookie's flags."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/", "/vragenlijst", "/s/" + "A" * 32, "/bestaat-niet"])
def test_every_page_gets_the_protective_headers(client, path):
    h = client.get(path).headers
    assert h["Referrer-Policy"] == "no-referrer"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert "script-src 'self';" in h["Content-Security-Policy"]
    assert "unsafe-inline" not in h["Content-Security-Policy"]
    assert h["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite(client, invited):
    cookie = client.get(invited.path).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie, "a permanent session survives closing the browser"


def test_static_files_are_cacheable(client):
    response = client.get("/static/survey.css")
    assert response.status_code == 200 and response.headers.get("Cache-Control") != "no-store"


@pytest.mark.parametrize(("base_url", "secure"), [
    ("https://bevraging.example.be", True), ("http://127.0.0.1:5000", False)])
def test_session_cookie_is_secure_when_served_over_https(database_url, tmp_path,
                                                         monkeypatch, make_invited,
                                                         base_url, secure):
    from survey import create_app

    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path / "other"))
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": database_url, "SURVEY_BASE_URL": base_url})
    invited = make_invited()
    cookie = app.test_client().get(invited.path, base_url=base_url).headers["Set-Cookie"]
    assert ("; Secure" in cookie) is secure
