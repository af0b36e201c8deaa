"""Error pages in Dutch for every HTTP error, and never a stack trace for a user."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .translations import lazy_gettext

# Lazy: made text in the language of the request that shows them.
MESSAGES = {
    400: (lazy_gettext("Ongeldige aanvraag"),
          lazy_gettext("Uw browser stuurde iets wat we niet konden verwerken.")),
    403: (lazy_gettext("Geen toegang"), lazy_gettext("U hebt geen toegang tot deze pagina.")),
    404: (lazy_gettext("Pagina niet gevonden"), lazy_gettext("Deze pagina bestaat niet (meer).")),
    405: (lazy_gettext("Niet toegestaan"),
          lazy_gettext("Deze pagina kan niet op deze manier worden opgevraagd.")),
    409: (lazy_gettext("Niet mogelijk"), lazy_gettext("Deze actie kan nu niet worden uitgevoerd.")),
    413: (lazy_gettext("Te groot"), lazy_gettext("Wat u verstuurde is te groot.")),
    429: (lazy_gettext("Te veel aanvragen"),
          lazy_gettext("Even geduld: probeer het over een minuut opnieuw.")),
    500: (lazy_gettext("Er ging iets mis"),
          lazy_gettext("Er ging bij ons iets mis. Uw eerder bewaarde antwoorden zijn niet "
                       "verloren. Probeer het later opnieuw.")),
}


def _render(code: int, detail: str | None = None):
    title, text = (str(message) for message in
                   MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400]))
    if request.accept_mimetypes.best == "application/json" or request.path.endswith("/autosave"):
        return jsonify(status="error", message=detail or text), code
    return render_template("errors/error.html", code=code, title=title,
                           text=detail or text), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_exc):
        return _render(400, gettext("Dit formulier is verlopen. Laad de pagina opnieuw en "
                                    "probeer het nog eens."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return _render(exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _render(InternalServerError.code)
