"""WTForms classes built at runtime from a questionnaire: one radio group per statement,
one text area per free-text item."""

from __future__ import annotations

from wtforms import Form, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ..cleantext import free_text
from ..questionnaire import Questionnaire
from ..services.answers import InvalidAnswers

_CLASSES: dict[tuple[str, str, int], type[Form]] = {}


class _Base(Form):
    # A plain WTForms form: the blueprint checks CSRF itself (Flask-WTF's token, or the form
    # ticket after an expired session), see access.authenticate_post().
    class Meta:
        locales = ["nl_BE", "nl"]


def form_class(q: Questionnaire) -> type[Form]:
    key = (q.id, q.version, id(q))
    cls = _CLASSES.get(key)
    if cls is None:
        fields = {}
        choices = [SelectChoice(str(o.code), o.label) for o in q.scale]
        for item in q.items:
            if item.type == "statement":
                fields[item.field_name] = RadioField(
                    f"{item.number}. {item.text}", choices=choices, validators=[Optional()],
                    coerce=str)
            else:
                fields[item.field_name] = TextAreaField(
                    item.label, validators=[Optional(), Length(max=item.max_length)])
        cls = type("QuestionnaireForm", (_Base,), fields)
        if len(_CLASSES) > 64:
            _CLASSES.clear()
        _CLASSES[key] = cls
    return cls


def initial_data(q: Questionnaire, answers: dict[int, int], remarks: dict[str, str]) -> dict:
    data = {}
    for item in q.items:
        if item.type == "statement" and item.number in answers:
            data[item.field_name] = str(answers[item.number])
        elif item.type == "text" and item.key in remarks:
            data[item.field_name] = remarks[item.key]
    return data


def collect(q: Questionnaire, formdata) -> tuple[dict[int, int], dict[str, str]]:
    """The answers posted for the questionnaire's fields, as the answer service takes them.
    A statement left blank is not touched; a text area posted empty clears its remark, one
    not posted is not touched; other fields are ignored. Raises InvalidAnswers for a value
    that is not a number: the service validates everything else, in one place, and the
    view then shows the WTForms form with its messages."""
    answers, remarks, problems = {}, {}, []
    for item in q.items:
        value = formdata.get(item.field_name)
        if value is None:
            continue
        if item.type == "text":
            remarks[item.key] = free_text(value)   # a NUL is dropped, not a lost page
        elif value != "":
            try:
                answers[item.number] = int(value)
            except ValueError:
                problems.append(f"Stelling {item.number}: {value[:20]!r} is geen antwoord.")
    if problems:
        raise InvalidAnswers(problems)
    return answers, remarks
