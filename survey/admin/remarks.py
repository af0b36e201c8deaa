"""Console routes: the remarks of a round, their review and their themes.

The review page lists one page of remarks (filters: CLB, level, section, theme, review
state) with a form per remark (decision, themes, accept the proposed themes) and one bulk
form whose checkboxes sit on every remark (HTML's form= attribute: forms cannot nest).
Everything works with Tab, Space and Enter; static/remarks.js only adds "select the whole
page" and the j/k keys. The codebook's own pages are in themes.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from reports.content import LEVEL_NAMES

from ..database import write_transaction
from ..extensions import db
from ..models import LEVELS, Round
from ..results import XLSX_TYPE, download
from ..routing import DATABASE_INT_MAX, page_number
from ..services import accounts, remark_export, remarks, tagging, themes
from . import bp
from .forms import BulkRemarksForm, RemarkThemesForm, ReviewForm, SuggestionForm
from .rounds import posted, round_or_404

FILTER_ARGS = ("status", "clb", "niveau", "deel", "thema", "pagina")


def reviewable_round(round_id: int) -> Round:
    """A round whose remarks can be reviewed: any but a draft (which has none)."""
    round_ = round_or_404(round_id)
    if round_.state == "draft":
        abort(404)
    return round_


def _filters(round_: Round, sections, codebook) -> tuple[remarks.Filters, int, dict]:
    """The filters and page asked for, and the same as URL arguments (what is not one of
    the choices is left out)."""
    args = request.args
    review = args.get("status", "pending")
    review = review if review in remarks.REVIEWS else None
    centre = args.get("clb", "")
    centre = centre if centre.isascii() and centre.isdigit() and len(centre) <= 10 else None
    level = args.get("niveau") if args.get("niveau") in LEVELS else None
    section = args.get("deel") if args.get("deel") in {s.key for s in sections} else None
    theme_arg = args.get("thema", "")
    theme = int(theme_arg) if theme_arg in {str(t.id) for t in codebook} else None
    untagged = theme_arg == "geen"
    page = page_number(args)
    kept = {"status": review or "alle", "clb": centre, "niveau": level, "deel": section,
            "thema": theme if theme is not None else ("geen" if untagged else None),
            "pagina": page if page > 1 else None}
    filters = remarks.Filters(review, centre, level, section, theme, untagged)
    return filters, page, {key: value for key, value in kept.items() if value is not None}


def _back(round_: Round, anchor: str = ""):
    """Back to the review page with the filters the form was posted from."""
    kept = {key: request.args[key][:40] for key in FILTER_ARGS if request.args.get(key)}
    return redirect(url_for(".remarks_review", round_id=round_.id, **kept) + anchor)


@bp.get("/rondes/<int:round_id>/opmerkingen")
def remarks_review(round_id: int):
    round_ = reviewable_round(round_id)
    sections = remarks.remark_sections(db.session, round_)
    codebook = themes.codebook(db.session, round_)
    filters, page, kept = _filters(round_, sections, codebook)
    listed = remarks.review_page(db.session, round_, filters, page)
    if listed.page != page:
        # past the last page: go to the last one, so the URL the forms post back to and
        # return to says the page shown
        kept = {key: value for key, value in kept.items() if key != "pagina"}
        if listed.page > 1:
            kept["pagina"] = listed.page
        return redirect(url_for(".remarks_review", round_id=round_.id, **kept))
    bulk = BulkRemarksForm()
    bulk.theme.choices = [(str(t.id), t.name) for t in codebook]
    return render_template(
        "admin/remarks.html", round_=round_, listed=listed, filters=filters, kept=kept,
        counts=remarks.counts(db.session, round_, filters), sections=sections,
        centres=remarks.centres(db.session, round_), levels=LEVELS,
        level_names={level: gettext(name) for level, name in LEVEL_NAMES.items()},
        codebook=codebook, theme_names={t.id: t.name for t in codebook},
        suggested=tagging.suggestions(tagging.round_rules(db.session, round_), listed.items),
        form=ReviewForm(), bulk=bulk, themes_form=RemarkThemesForm(),
        suggestion_form=SuggestionForm(), names=remarks.REVIEW_NAMES)


@bp.post("/rondes/<int:round_id>/opmerkingen/<int:response_id>/<key>")
def remark_decide(round_id: int, response_id: int, key: str):
    round_ = reviewable_round(round_id)
    form = posted(ReviewForm())
    try:
        with write_transaction(db.session):
            remarks.review(db.session, round_, response_id, key, form.action.data,
                           current_user.id, form.redacted.data)
            accounts.audit(db.session, current_user, f"remark {form.action.data}",
                           round_.name, response=response_id, key=key)
    except remarks.ReviewError as exc:
        flash(str(exc), "error")
    else:
        flash(gettext("Beslissing bewaard."), "success")
    return _back(round_, f"#r{response_id}-{key}")


def _theme_ids(values) -> list[int]:
    """Theme ids as posted; one that is not a number is no theme of this round either."""
    return [int(v) if v.isascii() and v.isdigit() and len(v) <= 10
            and int(v) <= DATABASE_INT_MAX else -1 for v in values or []]


@bp.post("/rondes/<int:round_id>/opmerkingen/<int:response_id>/<key>/themas")
def remark_themes(round_id: int, response_id: int, key: str):
    round_ = reviewable_round(round_id)
    form = posted(RemarkThemesForm())
    try:
        added, removed = tagging.set_themes(db.session, round_, (response_id, key),
                                            _theme_ids(form.themes.data), current_user)
    except themes.ThemeError as exc:
        flash(str(exc), "error")
    else:
        flash(gettext("Thema's bewaard.") if added or removed
              else gettext("De thema's waren al zo."), "success")
    return _back(round_, f"#r{response_id}-{key}")


@bp.post("/rondes/<int:round_id>/opmerkingen/<int:response_id>/<key>/voorstel")
def remark_accept(round_id: int, response_id: int, key: str):
    round_ = reviewable_round(round_id)
    posted(SuggestionForm())
    accepted, _ = tagging.accept_suggestions(db.session, round_, [(response_id, key)],
                                             current_user)
    if accepted:
        flash(gettext("Voorstel aanvaard."), "success")
    else:
        flash(gettext("Er is geen voorstel (meer) voor deze opmerking."), "error")
    return _back(round_, f"#r{response_id}-{key}")


@bp.post("/rondes/<int:round_id>/opmerkingen/selectie")
def remarks_bulk(round_id: int):
    round_ = reviewable_round(round_id)
    form = posted(BulkRemarksForm())
    try:
        refs = remarks.parse_refs(form.selected.data)
        if not refs:
            flash(gettext("Kies eerst een of meer opmerkingen."), "error")
            return _back(round_)
        flash(_bulk(round_, form, refs), "success")
    except (remarks.ReviewError, themes.ThemeError) as exc:
        flash(str(exc), "error")
    return _back(round_)


def _bulk(round_: Round, form: BulkRemarksForm, refs) -> str:
    operation = form.operation.data
    theme = (_theme_ids([form.theme.data or ""]) or [None])[0]
    if operation == "approve":
        approved, left = remarks.approve_pending(db.session, round_, refs, current_user)
        message = ngettext("%(num)d opmerking goedgekeurd.",
                           "%(num)d opmerkingen goedgekeurd.", approved)
        if left:
            message += " " + ngettext(
                "%(num)d was al beoordeeld (of bestaat niet meer) en bleef zoals ze was.",
                "%(num)d waren al beoordeeld (of bestaan niet meer) en bleven zoals ze waren.",
                left)
        return message
    if operation == "tag":
        added = tagging.tag(db.session, round_, refs, theme, current_user)
        return ngettext("%(num)d opmerking kreeg het thema.",
                        "%(num)d opmerkingen kregen het thema.", added)
    if operation == "untag":
        removed = tagging.untag(db.session, round_, refs, theme, current_user)
        return ngettext("Bij %(num)d opmerking is het thema weggehaald.",
                        "Bij %(num)d opmerkingen is het thema weggehaald.", removed)
    accepted, _ = tagging.accept_suggestions(db.session, round_, refs, current_user)
    return ngettext("Voorstellen aanvaard voor %(num)d opmerking.",
                    "Voorstellen aanvaard voor %(num)d opmerkingen.", accepted)


@bp.get("/rondes/<int:round_id>/opmerkingen.xlsx")
def remarks_xlsx(round_id: int):
    """Every remark that is not hidden, with its review state and themes."""
    round_ = reviewable_round(round_id)
    round_id, name = round_.id, round_.name
    return download(lambda: remark_export.coded_remarks(db.session, round_), XLSX_TYPE,
                    f"opmerkingen-{round_id}.xlsx", kind=remark_export.KIND,
                    round_id=round_id, round_name=name)
