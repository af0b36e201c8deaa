"""Error pages: Dutch, the right status, never a stack trace."""

from __future__ import annotations

import pytest


@pytest.fixture
def failing_app(app):
    @app.get("/_boom")
    def boom():
        raise RuntimeError("secret internals")

    return app


def test_an_unexpected_error_is_a_dutch_500_without_details(failing_app):
    response = failing_app.test_client().get("/_boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in body and "secret internals" not in body
    assert "Traceback" not in body


@pytest.mark.parametrize(("method", "path", "status", "text"), [
    ("get", "/nergens", 404, "Pagina niet gevonden"),
    ("delete", "/vragenlijst", 405, "op deze manier worden opgevraagd"),
    ("get", "/vragenlijst/autosave", 405, "op deze manier worden opgevraagd"),
])
def test_http_errors(client, method, path, status, text):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)


def test_oversize_post_is_refused(client, form_page):
    response = form_page.post({4: 4}, **{"t_opmerking-algemeen": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
