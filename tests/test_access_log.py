"""gunicorn's access log (survey/gunicorn_config.py, on with SURVEY_ACCESS_LOG) never
holds a school's link (/s/<token>) or a code (/c/<code>): the shipped logger class
writes "…" for them in every field of the line, as gunicorn itself writes it."""

from __future__ import annotations

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

TOKEN, CODE = "Zk3pQ9x-secret-token", "K7QMX-4XPA9-93TDR"


def _logged(tmp_path, monkeypatch, path: str, referer: str = "-",
            format_: str | None = None) -> str:
    """One request through the shipped configuration's logger; the access log's text."""
    import survey.gunicorn_config as shipped

    log = tmp_path / "access.log"
    monkeypatch.setenv("SURVEY_ACCESS_LOG", str(log))
    config = Config()
    for key, value in vars(importlib.reload(shipped)).items():
        if key in config.settings:
            config.set(key, value)
    if format_:
        config.set("access_log_format", format_)
    logger = config.logger_class(config)
    raw, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": raw,
               "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "192.0.2.7", "HTTP_REFERER": referer,
               "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64)"}
    request = SimpleNamespace(headers=[("REFERER", referer), ("HOST", "survey.test")])
    response = SimpleNamespace(status="303 SEE OTHER", sent=0,
                               headers=[("Location", "/c")])
    logger.access(response, request, environ, timedelta(milliseconds=3))
    for handler in logger.access_log.handlers:
        handler.flush()
    text = log.read_text(encoding="utf-8")
    for handler in list(logger.access_log.handlers):
        handler.close()
        logger.access_log.removeHandler(handler)
    return text


@pytest.mark.parametrize("path, shown", [
    (f"/s/{TOKEN}", '"GET /s/… HTTP/1.1" 303'),
    (f"/c/{CODE}", '"GET /c/… HTTP/1.1" 303'),
    (f"/%73/{TOKEN}", '"GET /%73/… HTTP/1.1"'),        # percent-encoded: routed all the same
    (f"/s%2F{TOKEN}", '"GET /s%2F… HTTP/1.1"'),
    (f"/C/{CODE.lower()}?x=1", '"GET /C/…?x=1 HTTP/1.1"'),
])
def test_links_and_codes_are_masked_in_the_request_line(tmp_path, monkeypatch, path, shown):
    text = _logged(tmp_path, monkeypatch, path)
    assert shown in text, text
    assert TOKEN not in text and CODE not in text and CODE.lower() not in text
    assert text.startswith("192.0.2.7 - - [")      # the rest of the line as gunicorn's


def test_every_field_is_masked_whatever_the_format(tmp_path, monkeypatch):
    text = _logged(tmp_path, monkeypatch, f"/s/{TOKEN}",
                   referer=f"https://survey.test/c/{CODE}",
                   format_='%(r)s|%(U)s|%(f)s|%({referer}i)s|%({raw_uri}e)s|%({path_info}e)s')
    assert text.strip() == ("GET /s/… HTTP/1.1|/s/…|https://survey.test/c/…|"
                            "https://survey.test/c/…|/s/…|/s/…")


@pytest.mark.parametrize("path", ["/c", "/c/vragenlijst", "/c/vragenlijst/autosave",
                                  "/c/bedankt", "/vragenlijst", "/static/app.css",
                                  "/beheer/rondes/3/codes"])
def test_the_pages_without_secrets_stay_as_they_are(tmp_path, monkeypatch, path):
    assert f'"GET {path} HTTP/1.1"' in _logged(tmp_path, monkeypatch, path)
