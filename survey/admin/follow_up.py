"""Console routes: every CLB's answer to its results, per CLB and across the sector, as
.xlsx; and the doorlichting view of one CLB (its survey figures per quality aspect, the
trend, the themes of its remarks, its answers and actions across its rounds)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext

from instrument.domain import RoundState
from reports.content import SUPPRESSED_TEXT

from ..extensions import db
from ..models import Centre, Round
from ..results import XLSX_TYPE, download, feedback_or_404
from ..services import follow_up_overview as overview
from ..services.follow_up import REACTION_NAMES, STATE_NAMES
from . import bp
from .rounds import round_or_404

FOLLOW_UP_WORKBOOK = "follow-up workbook"    # the audit log's kind of results file


def _centre_or_404(number: str) -> Centre:
    centre = overview.centre_by_number(db.session, number)
    if centre is None:
        abort(404)
    return centre


@bp.get("/rondes/<int:round_id>/terugkoppeling")
def follow_up_sector(round_id: int):
    rnd = round_or_404(round_id)
    return render_template("admin/follow_up.html", rnd=rnd,
                           table=overview.sector(db.session, rnd),
                           reaction_names=REACTION_NAMES, states=STATE_NAMES)


@bp.get("/rondes/<int:round_id>/terugkoppeling.xlsx")
def follow_up_xlsx(round_id: int):
    rnd = round_or_404(round_id)
    return download(lambda: overview.workbook(db.session, rnd), XLSX_TYPE,
                    f"terugkoppeling-{rnd.id}.xlsx", kind=FOLLOW_UP_WORKBOOK,
                    round_id=rnd.id, round_name=rnd.name)


@bp.get("/rondes/<int:round_id>/terugkoppeling/<number>")
def follow_up_centre(round_id: int, number: str):
    rnd = round_or_404(round_id)
    centre = _centre_or_404(number)
    if not overview.took_part(db.session, rnd.id, centre.id):
        abort(404)
    reaction = overview.submitted_reaction(db.session, rnd.id, centre.id)
    state = overview.reaction_state(db.session, rnd.id, centre.id)
    # while schools still answer the figures are partial: no attention points yet
    reported = rnd.state in (RoundState.CLOSED, RoundState.PUBLISHED)
    fb = feedback_or_404(rnd, centre.number) if reported else None
    answered = {action.statement for action in reaction.actions} if reaction else set()
    return render_template("admin/follow_up_centre.html", rnd=rnd, centre=centre, fb=fb,
                           reaction=reaction, state=state, answered=answered,
                           titles=overview.statement_titles(rnd),
                           reaction_names=REACTION_NAMES, states=STATE_NAMES)


@bp.get("/doorlichting")
def centre_files():
    return render_template("admin/centre_files.html",
                           centres=overview.centres_with_rounds(db.session))


@bp.get("/doorlichting/<number>")
def centre_file(number: str):
    """One CLB ahead of its doorlichting. The figures are those of one round (the newest
    published one, or ?ronde=ID of its rounds); the answers are those of every round."""
    centre = _centre_or_404(number)
    answers = overview.centre_rounds(db.session, centre)
    chosen = answers[0].round if answers else None
    wanted = request.args.get("ronde", "")
    for answer in answers:
        if wanted == str(answer.round.id):
            chosen = answer.round
    context = {}
    if chosen is not None:
        # not the results page's context: its charts are drawn for nothing here
        context = {"fb": feedback_or_404(chosen, centre.number),
                   "suppressed_text": gettext(SUPPRESSED_TEXT),
                   "themes": overview.remark_themes(db.session, chosen, centre.number),
                   "inferred": _inferred_codes(chosen)}
    return render_template("admin/centre_file.html", centre=centre, answers=answers,
                           chosen=chosen, reaction_names=REACTION_NAMES, states=STATE_NAMES,
                           **context)


def _inferred_codes(rnd: Round) -> set[str]:
    """Aspect ids whose code is inferred from the order in the reports, not read in the
    sources (the questionnaire marks them code_inferred; DOMAIN.md asks to say so)."""
    return {aspect.get("id") for aspect in (rnd.definition or {}).get("aspects", [])
            if isinstance(aspect, dict) and aspect.get("code_inferred")}
