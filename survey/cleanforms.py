"""CleanForm: the base of every form that inspectors and CLB staff post (console, sign-in).

Its text fields are made clean as they are read, by the one rule of cleantext.py: a text
area keeps its lines (free_text), every other text field becomes one line (single_line).
Passwords are left exactly as typed, and hidden fields carry tokens, not text. Because the
cleaning sits in the base class (as field filters bound by the form's Meta), a new field
on a console form is clean without anyone remembering to make it so; tests/test_cleanforms.py
checks that every such form is a CleanForm.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField

from .cleantext import free_text, single_line


def _cleaned(clean):
    def run(value):
        return clean(value) if isinstance(value, str) else value
    return run


def filter_for(field_class: type) -> object | None:
    """The cleaning a field of this class gets, or None."""
    if issubclass(field_class, (PasswordField, HiddenField)):
        return None
    if issubclass(field_class, TextAreaField):
        return _cleaned(free_text)
    if issubclass(field_class, StringField):
        return _cleaned(single_line)
    return None


class CleanForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            clean = filter_for(unbound_field.field_class)
            if clean is not None:
                filters = unbound_field.kwargs.get("filters", ())
                options = {**options, "filters": (clean, *filters)}
            return unbound_field.bind(form=form, **options)
