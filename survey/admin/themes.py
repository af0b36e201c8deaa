"""Console routes for a round's codebook: list the themes with how often each is used and
how well its suggestions match the inspectors' tags, add, change (name, description,
rules, order), delete after a confirmation that names what goes, copy from another round.
Registered by admin/remarks.py; the services (themes, tagging) do the work."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from ..extensions import db
from ..models import Round
from ..routing import DATABASE_INT_MAX
from ..services import tagging, themes
from ..services.suggestions import RULE_HELP
from . import bp
from .forms import CopyCodebookForm, ThemeDeleteForm, ThemeForm
from .rounds import posted, round_or_404

FIELDS = ("name", "description", "keywords", "position")


@dataclass(frozen=True)
class Refused:
    """A theme form the page shows again as it was posted: which theme (None: the new
    one), the values typed and each field's messages."""

    theme_id: int | None
    values: dict[str, str]
    errors: dict[str, list[str]]

    @property
    def focus(self) -> str | None:
        """The first field with a message: it gets the focus, the page is long."""
        return next((name for name in FIELDS if self.errors.get(name)), None)


def _to_page(round_: Round):
    return redirect(url_for(".themes_page", round_id=round_.id), 303)


def _posted(form: ThemeForm) -> ThemeForm | None:
    """The posted theme form when it is valid; CSRF wrong -> 400; else None (form.errors
    says why)."""
    if form.validate_on_submit():
        return form
    if "csrf_token" in form.errors or not form.is_submitted():
        abort(400)
    return None


def _refused(round_: Round, form: ThemeForm, theme_id: int | None,
             error: themes.ThemeError | None = None):
    """The themes page again (422) with the refused form as typed, its messages beside
    the fields; a message about no field is flashed at the top. Nothing was stored."""
    errors = {name: [str(message) for message in messages]
              for name, messages in form.errors.items() if name in FIELDS}
    if error is not None and error.field in FIELDS:
        errors.setdefault(error.field, []).append(str(error))
    elif error is not None:
        flash(str(error), "error")
    values = {name: (form[name].raw_data or [""])[0] for name in FIELDS}
    return _page(round_, Refused(theme_id, values, errors)), 422


def _page(round_: Round, refused: Refused | None = None) -> str:
    codebook = themes.codebook(db.session, round_)
    copy_form = CopyCodebookForm()
    copy_form.source.choices = [
        (str(source_id), ngettext("%(name)s (%(year)s, %(num)d thema)",
                                  "%(name)s (%(year)s, %(num)d thema's)", count,
                                  name=name, year=year))
        for source_id, name, year, count in themes.source_rounds(db.session, round_)]
    return render_template(
        "admin/themes.html", round_=round_, codebook=codebook,
        usage=themes.usage(db.session, round_),
        quality=tagging.suggestion_quality(db.session, round_), form=ThemeForm(),
        delete_form=ThemeDeleteForm(), copy_form=copy_form, rule_help=RULE_HELP,
        refused=refused)


@bp.get("/rondes/<int:round_id>/themas")
def themes_page(round_id: int):
    return _page(round_or_404(round_id))


@bp.post("/rondes/<int:round_id>/themas")
def theme_add(round_id: int):
    round_ = round_or_404(round_id)
    form = ThemeForm()
    if _posted(form) is None:
        return _refused(round_, form, None)
    try:
        theme = themes.add_theme(db.session, round_, current_user, form.name.data,
                                 form.description.data, form.keywords.data)
    except themes.ThemeError as exc:
        return _refused(round_, form, None, exc)
    flash(gettext("Thema %(name)s toegevoegd.", name=theme.name), "success")
    return _to_page(round_)


@bp.post("/rondes/<int:round_id>/themas/<int:theme_id>")
def theme_update(round_id: int, theme_id: int):
    round_ = round_or_404(round_id)
    form = ThemeForm()
    if themes.theme_of(db.session, round_, theme_id) is None:
        _posted(form)                                  # CSRF first, then the message
        flash(gettext("Dit thema bestaat niet (meer) in deze bevraging."), "error")
        return _to_page(round_)
    if _posted(form) is None:
        return _refused(round_, form, theme_id)
    try:
        theme = themes.update_theme(
            db.session, round_, theme_id, current_user, name=form.name.data,
            description=form.description.data, keywords=form.keywords.data,
            position=form.position.data)
    except themes.ThemeError as exc:
        return _refused(round_, form, theme_id, exc)
    flash(gettext("Thema %(name)s bewaard.", name=theme.name), "success")
    return redirect(url_for(".themes_page", round_id=round_.id) + f"#thema-{theme_id}", 303)


@bp.post("/rondes/<int:round_id>/themas/<int:theme_id>/verwijderen")
def theme_delete(round_id: int, theme_id: int):
    """The first post shows what deleting removes; only the confirmed one deletes."""
    round_ = round_or_404(round_id)
    form = posted(ThemeDeleteForm())
    theme = themes.theme_of(db.session, round_, theme_id)
    if theme is None:
        flash(gettext("Dit thema bestaat niet (meer) in deze bevraging."), "error")
        return _to_page(round_)
    if form.confirmed.data != "ja":
        return render_template("admin/themes_delete.html", round_=round_, theme=theme,
                               used=themes.usage(db.session, round_).get(theme.id, 0),
                               form=form)
    try:
        name, removed = themes.delete_theme(db.session, round_, theme_id, current_user)
    except themes.ThemeError as exc:
        flash(str(exc), "error")
    else:
        flash(ngettext("Thema %(name)s verwijderd, met zijn %(num)d markering.",
                       "Thema %(name)s verwijderd, met zijn %(num)d markeringen.",
                       removed, name=name), "success")
    return _to_page(round_)


@bp.post("/rondes/<int:round_id>/themas/kopie")
def codebook_copy(round_id: int):
    round_ = round_or_404(round_id)
    form = posted(CopyCodebookForm())
    source = form.source.data or ""
    try:
        if not (source.isascii() and source.isdigit() and len(source) <= 10
                and int(source) <= DATABASE_INT_MAX):
            raise themes.ThemeError(gettext("Kies een andere bevraging om van te kopiëren."))
        copied, left_out = themes.copy_codebook(db.session, round_, int(source),
                                                current_user)
    except themes.ThemeError as exc:
        flash(str(exc), "error")
    else:
        message = ngettext("%(num)d thema gekopieerd.", "%(num)d thema's gekopieerd.", copied)
        if left_out:
            message += " " + ngettext(
                "%(num)d thema bestond hier al en is overgeslagen.",
                "%(num)d thema's bestonden hier al en zijn overgeslagen.", left_out)
        flash(message, "success")
    return _to_page(round_)
