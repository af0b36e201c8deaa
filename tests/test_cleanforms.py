"""Every form that inspectors and CLB staff post cleans its text as it is read."""

from __future__ import annotations

import inspect
import re

import pytest
from conftest import csrf_in
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField

from survey.admin import forms as admin_forms
from survey.auth import forms as auth_forms
from survey.cleanforms import CleanForm, filter_for
from survey.extensions import db
from survey.models import Round


@pytest.mark.parametrize("module", [admin_forms, auth_forms])
def test_every_console_and_sign_in_form_is_a_clean_form(module):
    forms = [cls for _, cls in inspect.getmembers(module, inspect.isclass)
             if issubclass(cls, FlaskForm) and cls.__module__ == module.__name__]
    assert forms
    assert [cls.__name__ for cls in forms if not issubclass(cls, CleanForm)] == []


@pytest.mark.parametrize(("field_class", "raw", "read"), [
    (StringField, " Ronde\x0b 2026\r\nVoorjaar\x00 ", "Ronde 2026 Voorjaar"),
    (TextAreaField, "Beste directeur,\r\n\r\nKlik\x1b hier:\x00 {link}\u2028",
     "Beste directeur,\n\nKlik hier: {link}"),
])
def test_text_fields_are_cleaned_by_the_one_rule(field_class, raw, read):
    assert filter_for(field_class)(raw) == read


@pytest.mark.parametrize("field_class", [PasswordField, HiddenField])
def test_passwords_and_tokens_are_left_as_typed(field_class):
    assert filter_for(field_class) is None


def test_a_round_name_and_mail_text_are_stored_clean(app, inspector_client, make_invited):
    make_invited(centre_number="100001")
    page = inspector_client.get("/beheer/rondes/nieuw").get_data(as_text=True)
    form = {"csrf_token": csrf_in(page), "name": "Bevraging\r\n2027\x0b\x00",
            "school_year": "2026-2027", "questionnaire": re.search(
                r'<option value="(\d+)">[^<]*\(clb-samenwerking-school, versie 2026\.1\)',
                page).group(1),
            "opens_at": "2036-01-05T08:00", "closes_at": "2036-01-31T18:00",
            "min_group_size": "5", "min_benchmark_centres": "1", "without_benchmark": "y",
            "invitation_subject": "Uitnodiging\r\nBcc: iemand@example.org",
            "invitation_body": "Beste,\r\n\r\nKlik\x00 {link}",
            "reminder_subject": "Herinnering", "reminder_body": "Nog even: {link}"}
    created = inspector_client.post("/beheer/rondes/nieuw", data=form)
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    with app.app_context():
        rnd = db.session.scalars(db.select(Round).order_by(Round.id.desc())).first()
        assert rnd.name == "Bevraging 2027"
        assert rnd.invitation_subject == "Uitnodiging Bcc: iemand@example.org"
        assert rnd.invitation_body == "Beste,\n\nKlik {link}"
