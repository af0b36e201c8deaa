"""The school's journey: personal link, questionnaire, save, submit, confirmation, copy."""

from flask import Blueprint

bp = Blueprint("respond", __name__)

from . import codes, views  # noqa: E402,F401  (registers the routes on bp)
