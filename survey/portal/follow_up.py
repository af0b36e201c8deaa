"""Portal routes: the CLB writes its answer to its results (reaction and actions).

GET the page: the draft's form, or the submitted answer with its actions' states.
POST it: save the draft ("Opslaan als concept") or save and go on to the confirmation
("Indienen"); POST the confirmation to submit; POST the states of a submitted answer.
Every read is of the signed-in user's own CLB (views._published_round, _own_centre);
nothing typed is lost: a refused post shows the page again with what was typed."""

from __future__ import annotations

from textwrap import shorten

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from reports.layout import from_snapshot

from ..extensions import db
from ..models import Round
from ..results import feedback_or_404
from ..services import follow_up, report_versions
from ..services.follow_up import FollowUpError
from . import bp
from .forms import (
    ReactionForm,
    StatesForm,
    SubmitForm,
    action_inputs,
    action_states,
    reaction_form,
    revision_of,
    show_problems,
    typed_answer,
)
from .views import _own_centre, _published_round

ACTION_NAME_WIDTH = 80          # characters of an action's text that name it in a message


def _statements(rnd: Round) -> list[tuple[int, str]]:
    layout = from_snapshot(rnd.definition)
    return [(number, layout.statements[number].title) for number in layout.numbers]


def _read_feedback(rnd: Round, number: str):
    """The feedback of the version the CLB reads (the newest published one; live for a
    round published before versions existed), so that the attention points it answers
    are those on its sheet, not figures changed since."""
    shown = report_versions.shown(db.session, rnd, number)
    return feedback_or_404(rnd, number, shown.version if shown else None)


def _page(rnd: Round, form: ReactionForm | None = None, problems: FollowUpError | None = None,
          status: int = 200):
    """The draft's form, or the submitted answer; a posted form that meets a submitted
    answer is shown read-only beside it (nothing typed lost, nothing to post again)."""
    centre = _own_centre()
    fb = _read_feedback(rnd, centre.number)
    reaction = follow_up.reaction_of(db.session, rnd.id, centre.id)
    statements = _statements(rnd)
    attention = [line.statement.number for line in fb.attention]
    if reaction is not None and reaction.submitted:
        unsaved = typed_answer(form) if form is not None else None
        return render_template("portal/follow_up_done.html", rnd=rnd, fb=fb,
                               reaction=reaction, titles=dict(statements),
                               states=follow_up.STATE_NAMES, form=StatesForm(),
                               unsaved=unsaved), status
    if form is None:
        form = reaction_form(reaction, statements, attention)
    if problems is not None:
        show_problems(form, problems)
    return render_template("portal/follow_up.html", rnd=rnd, fb=fb, form=form,
                           reaction=reaction, problems=problems,
                           titles=dict(statements)), status


def _back(rnd: Round, message: str, category: str = "error", endpoint=".follow_up_page"):
    flash(message, category)
    return redirect(url_for(endpoint, round_id=rnd.id), 303)


@bp.get("/rondes/<int:round_id>/antwoord")
def follow_up_page(round_id: int):
    return _page(_published_round(round_id))


@bp.post("/rondes/<int:round_id>/antwoord")
def follow_up_save(round_id: int):
    rnd = _published_round(round_id)
    centre = _own_centre()
    statements = _statements(rnd)
    form = reaction_form(None, statements, [], formdata=request.form)
    if not form.validate():               # only the CSRF token can fail here
        flash(gettext("De pagina was verlopen; bewaar opnieuw."), "error")
        return _page(rnd, form, status=400)
    fb = _read_feedback(rnd, centre.number)
    try:
        follow_up.save_draft(db.session, rnd, centre.id, current_user, revision_of(form),
                             form.text.data or "", action_inputs(form),
                             {number for number, _title in statements},
                             [line.statement.number for line in fb.attention])
    except FollowUpError as problems:
        current = follow_up.reaction_of(db.session, rnd.id, centre.id)
        if current is not None and current.submitted:
            # A tab from before the submit: its texts are shown to copy, not stored.
            return _page(rnd, form, status=409)
        if problems.conflict:
            # Show what was typed with the stored revision, so that saving again is a
            # deliberate choice to replace the colleague's version.
            form.revision.data = str(current.revision if current else 0)
        return _page(rnd, form, problems, status=409 if problems.conflict else 400)
    if request.form.get("intent") == "submit":
        stored = follow_up.reaction_of(db.session, rnd.id, centre.id)
        problems = follow_up.ready_problems(stored)
        if problems:
            flash(gettext("Uw concept is bewaard, maar nog niet klaar om in te dienen."),
                  "error")
            return _page(rnd, problems=problems, status=400)
        return redirect(url_for(".follow_up_confirm", round_id=rnd.id), 303)
    return _back(rnd, gettext("Uw concept is bewaard. De inspectie ziet het pas wanneer u "
                              "het indient."), "success")


@bp.get("/rondes/<int:round_id>/antwoord/indienen")
def follow_up_confirm(round_id: int):
    rnd = _published_round(round_id)
    centre = _own_centre()
    reaction = follow_up.reaction_of(db.session, rnd.id, centre.id)
    if reaction is None or reaction.submitted or follow_up.ready_problems(reaction):
        return redirect(url_for(".follow_up_page", round_id=rnd.id), 303)
    fb = _read_feedback(rnd, centre.number)
    answered = {action.statement for action in reaction.actions}
    open_points = [line for line in fb.attention if line.statement.number not in answered]
    form = SubmitForm(formdata=None, data={"revision": str(reaction.revision)})
    return render_template("portal/follow_up_confirm.html", rnd=rnd, fb=fb,
                           reaction=reaction, titles=dict(_statements(rnd)),
                           states=follow_up.STATE_NAMES, open_points=open_points, form=form)


@bp.post("/rondes/<int:round_id>/antwoord/indienen")
def follow_up_submit(round_id: int):
    rnd = _published_round(round_id)
    form = SubmitForm()
    if not form.validate():
        return _back(rnd, gettext("De pagina was verlopen; probeer opnieuw."),
                     endpoint=".follow_up_confirm")
    try:
        follow_up.submit(db.session, rnd, _own_centre(), current_user, revision_of(form))
    except FollowUpError as problems:
        return _back(rnd, gettext("Het concept veranderde intussen (een collega bewaarde "
                                  "het). Bekijk het opnieuw voor u het indient.")
                     if problems.conflict else str(problems))
    return _back(rnd, gettext("Uw antwoord is ingediend. U kunt de stand van de acties "
                              "blijven bijwerken."), "success")


@bp.post("/rondes/<int:round_id>/antwoord/stand")
def follow_up_states(round_id: int):
    rnd = _published_round(round_id)
    if not StatesForm().validate():
        return _back(rnd, gettext("De pagina was verlopen; probeer opnieuw."))
    try:
        update = follow_up.update_states(db.session, rnd, _own_centre().id, current_user,
                                         action_states(request.form))
    except FollowUpError as problems:
        return _back(rnd, str(problems))
    for action in update.overtaken:
        flash(gettext("Een collega zette de actie ‘%(action)s’ intussen op ‘%(state)s’; "
                      "uw keuze voor die actie is niet bewaard. Kies opnieuw als dat "
                      "nodig is.", action=shorten(action.text, ACTION_NAME_WIDTH,
                                                  placeholder="…"),
                      state=follow_up.STATE_NAMES[action.state]), "error")
    if update.overtaken:
        return _back(rnd, gettext("De stand van de andere acties is bijgewerkt.")
                     if update.changed else gettext("Er veranderde niets anders."), "success")
    return _back(rnd, gettext("De stand van de acties is bijgewerkt.") if update.changed
                 else gettext("Er veranderde niets."), "success")
