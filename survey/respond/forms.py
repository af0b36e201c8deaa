"""WTForms classes built at runtime from a questionnaire: each item's type builds its own
fields (instrument.types), so this module knows no type by name."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import Form

from instrument.types.multi import MARKER as MULTI_MARKER

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
        for item in q.items:
            fields.update(item.kind.form_fields(item))
        cls = type("QuestionnaireForm", (_Base,), fields)
        if len(_CLASSES) > 64:
            _CLASSES.clear()
        _CLASSES[key] = cls
    return cls


def initial_data(q: Questionnaire, answers: dict[int, int], remarks: dict[str, str]) -> dict:
    data = {}
    for item in q.items:
        data.update(item.kind.initial(item, answers, remarks))
    return data


def collect(q: Questionnaire, formdata) -> tuple[dict[int, int | None], dict[str, str]]:
    """The answers posted for the questionnaire's fields, as the answer service takes them
    ({slot: code}, {remark key: text}). What each field means is its item type's business:
    a field not posted is not touched; a text posted empty clears it; other fields are
    ignored. Raises InvalidAnswers for a value that cannot be read at all: the service
    validates everything else, in one place, and the view then shows the WTForms form with
    its messages."""
    answers, remarks, problems = {}, {}, []
    for item in q.items:
        given, texts, faults = item.kind.collect(item, formdata, free_text)
        answers.update(given)
        remarks.update(texts)
        problems += faults
    if problems:
        raise InvalidAnswers(problems)
    return answers, remarks


def as_posted(q: Questionnaire, formdata, answers: dict[int, int],
              remarks: dict[str, str]) -> MultiDict:
    """A refused page's fields as posted, and the draft's values for the items the page
    did not post (hidden, disabled): shown again by the script, they keep their draft
    values instead of coming back empty (and being saved empty)."""
    data = MultiDict(formdata)
    for item in q.items:
        names = (item.field_name, item.field_name + "__anders",
                 item.field_name + MULTI_MARKER)
        if any(name in formdata for name in names):
            continue
        for name, value in item.kind.initial(item, answers, remarks).items():
            for one in value if isinstance(value, list) else [value]:
                data.add(name, one)
    return data


def readable(q: Questionnaire, formdata) -> dict[int, int | None]:
    """The answers of the items whose posted values can be read, the others left out: what
    a refused page (422) shows as chosen decides its routing, as far as it can."""
    answers = {}
    for item in q.items:
        given, _texts, faults = item.kind.collect(item, formdata, free_text)
        if not faults and all(item.kind.check(item, slot, value) is None
                              for slot, value in given.items() if value is not None):
            answers.update(given)
    return answers


def progress(q: Questionnaire, shown: set[str], answers: dict[int, int],
             remarks: dict[str, str]) -> dict:
    """The progress line: answered of the shown questions that take an answer (texts are
    not counted), and whether they all are statements (the pages then say "stellingen",
    else "vragen": each in its own sentences, for the catalogue)."""
    counted = [i for i in q.items if i.key in shown and i.kind.answerable]
    answered = sum(i.kind.answered(i, answers, remarks) for i in counted)
    statements = all(i.type == "likert" for i in q.items if i.kind.answerable)
    return {"answered": answered, "total": len(counted), "statements": statements}


def autosaved(item, posted) -> tuple[dict[int, int | None], dict[str, str], MultiDict]:
    """What one autosave of one item stores: respond.js posts the item's field name and
    its whole answer (`value`, repeated for a multi; `other` for an "anders" text). An
    empty value clears the answer. Returns the answers, the remarks, and the item's
    fields as posted (for its token)."""
    name = item.field_name
    values = posted.getlist("value")
    data = MultiDict([(name, v) for v in values if v != ""])
    data[name + MULTI_MARKER] = "1"
    if "other" in posted:
        data[name + "__anders"] = posted["other"]
    answers, remarks, problems = item.kind.collect(item, data, free_text)
    if problems:
        raise InvalidAnswers(problems)
    if not any(v != "" for v in values):
        answers.update(dict.fromkeys(item.slots))   # nothing chosen: cleared
        if item.type == "text":
            remarks[item.key] = ""
    return answers, remarks, data
