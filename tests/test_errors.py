"""Error pages: Dutch, the right status, never a stack trace."""

from __future__ import annotations

import re

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


HUGE = "9" * 20                        # far past any database integer


def _client_for(endpoint: str, inspector_client, centre_client, client):
    if endpoint.startswith("admin."):
        return inspector_client
    if endpoint.startswith("portal."):
        return centre_client
    return client


def test_every_route_with_an_int_answers_404_to_a_huge_number(app, client, inspector_client,
                                                              centre_client, make_round):
    """Walks app.url_map: every rule with an int part, each of its methods, with a
    20-digit value (a real round id beside it where there are two). 404, never a 500."""
    from conftest import csrf_in

    round_id = make_round()
    token = csrf_in(inspector_client.get("/beheer/gebruikers").get_data(as_text=True))
    walked = 0
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items()
                if type(conv).__name__.lower().startswith(("integer", "bounded"))]
        if not ints:
            continue
        for huge in ints:
            values = {name: (HUGE if name == huge else round_id) for name in ints}
            values.update({name: "x" for name in rule.arguments if name not in values})
            # Written out from the rule: url_for itself refuses a number its converter
            # would never match.
            url = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>",
                         lambda part, values=values: str(values[part.group(1)]), rule.rule)
            user = _client_for(rule.endpoint, inspector_client, centre_client, client)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                data = {"csrf_token": token} if method == "POST" else None
                answer = user.open(url, method=method, data=data)
                assert answer.status_code == 404, (method, url, answer.status_code)
                walked += 1
    assert walked >= 20


@pytest.mark.parametrize("value", [HUGE, "-1", "0", "abc", "١٢", "2.5", ""])
def test_page_numbers_in_query_arguments_never_fail(inspector_client, value):
    answer = inspector_client.get(f"/beheer/logboek?pagina={value}")
    assert answer.status_code in (200, 404), answer.status_code
    if value != HUGE:
        assert answer.status_code == 200
