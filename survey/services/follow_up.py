"""The CLB's answer to its results (terugkoppelen): save a draft, submit it, move its
actions' states on; and the answers as plain data for the sheet of the next round.

The rules, decided here:
- a CLB answers a published round it took part in: an overall reaction and actions, each
  on a statement (an attention point of its sheet or any other) or on none (general);
- a draft may be incomplete; what is typed must still be valid (a real date, a statement
  of the round); a submit needs the reaction and, for every action, what and by when;
- after the submit the texts are fixed (they are what the inspectorate reads); only the
  state of each action moves on (gepland, bezig, afgerond);
- a page carries the revision it was made from: a save from a page older than a
  colleague's save is refused (FollowUpError.conflict) and nothing is written, so the
  view can show the typed text again instead of overwriting the colleague's;
- the inspectorate sees submitted answers only: a draft is the CLB's own until it submits.

Every function that writes runs its own write transaction; every read is by round and
CLB id, which the caller takes from the signed-in user (portal) or the URL (console).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from instrument.domain import ACTION_STATE_NAMES, ReactionState

from ..database import write_transaction
from ..models import Centre, Invitation, Round, User, utcnow
from ..models.follow_up import ACTION_STATES, CentreAction, CentreReaction
from ..translations import lazy_gettext
from . import accounts

STATE_NAMES = {state: lazy_gettext(name) for state, name in ACTION_STATE_NAMES.items()}
REACTION_NAMES = {None: lazy_gettext("nog niet begonnen"),
                  ReactionState.DRAFT: lazy_gettext("concept, nog niet ingediend"),
                  ReactionState.SUBMITTED: lazy_gettext("ingediend")}
MAX_ACTIONS = 50
MAX_REACTION = 10_000           # characters of the overall reaction
MAX_ACTION_TEXT = 2_000
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$", re.ASCII)
# only the form a date field posts: fromisoformat alone also reads 20270301 and 2027-W05
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)


@dataclass(frozen=True)
class ActionInput:
    """One action row as posted: `id` of the stored action it was shown from (None for a
    new row), the statement's slot (None: general), the texts as typed."""

    row: int                    # its index on the page, for the messages
    id: int | None
    statement: str
    text: str
    due: str
    state: str
    remove: bool = False


@dataclass
class FollowUpError(ValueError):
    """What is wrong with a posted answer, in Dutch: general messages, the reaction's, and
    per row and field. `conflict`: a colleague saved in between (nothing was written)."""

    general: list[str] = field(default_factory=list)
    reaction: list[str] = field(default_factory=list)
    rows: dict[int, dict[str, str]] = field(default_factory=dict)
    conflict: bool = False

    def __bool__(self) -> bool:
        return bool(self.general or self.reaction or self.rows or self.conflict)

    def __str__(self) -> str:
        return " ".join(self.general + self.reaction
                        + [m for row in self.rows.values() for m in row.values()])


def parse_due(typed: str) -> date | None:
    """A typed date: 2027-03-31 (what a date field posts) or 31-03-2027 (31/3/2027,
    31.3.2027); None for nothing typed. ValueError with a Dutch message otherwise."""
    typed = typed.strip()
    if not typed:
        return None
    try:
        if found := _DUTCH_DATE.match(typed):
            day, month, year = (int(part) for part in found.groups())
        elif found := _ISO_DATE.match(typed):
            year, month, day = (int(part) for part in found.groups())
        else:
            raise ValueError
        value = date(year, month, day)
    except ValueError:
        raise ValueError(gettext("Geef een bestaande datum, bv. 31-03-2027.")) from None
    if not EARLIEST <= value <= LATEST:
        raise ValueError(gettext("Geef een datum tussen 2000 en 2100."))
    return value


def reaction_of(session: Session, round_id: int, centre_id: int) -> CentreReaction | None:
    return session.scalar(select(CentreReaction)
                          .where(CentreReaction.round_id == round_id,
                                 CentreReaction.centre_id == centre_id)
                          .options(selectinload(CentreReaction.actions)))


@dataclass(frozen=True)
class _Checked:
    id: int | None
    statement: int | None
    text: str
    due: date | None
    state: str


def _check(text: str, actions: Sequence[ActionInput],
           statements: Collection[int]) -> tuple[FollowUpError, list[_Checked]]:
    """What a draft may hold; the rows worth keeping (an empty row, or one marked to be
    removed, is none)."""
    problems, kept = FollowUpError(), []
    if len(text) > MAX_REACTION:
        problems.reaction.append(gettext("Uw reactie is te lang (hoogstens %(n)s tekens).",
                                         n=MAX_REACTION))
    for given in actions:
        if given.remove or not (given.text.strip() or given.due.strip()):
            continue
        errors: dict[str, str] = {}
        statement = None
        if given.statement:
            try:
                statement = int(given.statement)
            except ValueError:
                statement = -1
            if statement not in statements:
                errors["statement"] = gettext("Kies een stelling uit de lijst.")
        if not given.text.strip():
            errors["text"] = gettext("Beschrijf wat uw CLB zal doen, of maak de datum leeg.")
        elif len(given.text) > MAX_ACTION_TEXT:
            errors["text"] = gettext("Deze actie is te lang (hoogstens %(n)s tekens).",
                                     n=MAX_ACTION_TEXT)
        try:
            due = parse_due(given.due)
        except ValueError as exc:
            errors["due"], due = str(exc), None
        if given.state not in ACTION_STATES:
            errors["state"] = gettext("Kies de stand van de actie.")
        if errors:
            problems.rows[given.row] = errors
        else:
            kept.append(_Checked(given.id, statement, given.text.strip(), due, given.state))
    if len(kept) > MAX_ACTIONS:
        problems.general.append(gettext("Hoogstens %(n)s acties per bevraging.",
                                        n=MAX_ACTIONS))
    return problems, kept


def ready_problems(reaction: CentreReaction | None) -> FollowUpError:
    """What a stored draft still lacks before it can be submitted."""
    problems = FollowUpError()
    if reaction is None or not reaction.text.strip():
        problems.reaction.append(gettext("Schrijf eerst uw algemene reactie op de "
                                         "resultaten."))
    for index, action in enumerate(reaction.actions if reaction else []):
        if action.due_on is None:
            problems.rows[index] = {"due": gettext("Geef aan tegen wanneer.")}
    return problems


def _locked_reaction(session: Session, round_id: int, centre_id: int) -> CentreReaction | None:
    return session.scalar(select(CentreReaction)
                          .where(CentreReaction.round_id == round_id,
                                 CentreReaction.centre_id == centre_id)
                          .with_for_update())


def save_draft(session: Session, rnd: Round, centre_id: int, user: User, revision: int,
               text: str, actions: Sequence[ActionInput], statements: Collection[int],
               attention: Collection[int]) -> CentreReaction:
    """Store the draft as posted (replacing its actions) when it is valid and the page was
    made from the stored revision (0: no draft yet). Raises FollowUpError, writing
    nothing, otherwise. `statements`: the round's statement slots; `attention`: those the
    sheet calls attention points."""
    problems, kept = _check(text, actions, statements)
    if problems:
        raise problems
    try:
        with write_transaction(session):
            reaction = _locked_reaction(session, rnd.id, centre_id)
            # Submitted first: a page from before the submit is older too, and "already
            # submitted" is what its user needs to hear.
            if reaction is not None and reaction.submitted:
                raise FollowUpError([gettext("Dit antwoord is al ingediend; alleen de stand "
                                             "van de acties kan nog veranderen.")])
            if (reaction.revision if reaction else 0) != revision:
                raise FollowUpError(conflict=True)
            if reaction is None:
                reaction = CentreReaction(round_id=rnd.id, centre_id=centre_id, revision=0)
                session.add(reaction)
            now = utcnow()
            reaction.text = text.strip()
            reaction.revision += 1
            reaction.updated_at, reaction.updated_by = now, user.id
            _replace_actions(reaction, kept, set(attention), now)
            session.flush()
    except IntegrityError:      # a colleague's first save of the same draft came first
        raise FollowUpError(conflict=True) from None
    return reaction


def _replace_actions(reaction: CentreReaction, kept: list[_Checked], attention: set[int],
                     now: datetime) -> None:
    """The reaction's actions become `kept`, in that order. A row shown from a stored
    action updates it; a row whose action is gone (a colleague removed it) is new."""
    stored = {action.id: action for action in reaction.actions}
    actions = []
    for position, given in enumerate(kept):
        action = stored.pop(given.id, None) if given.id is not None else None
        action = action or CentreAction(state=given.state, updated_at=now)
        values = {"statement": given.statement, "text": given.text, "due_on": given.due,
                  "state": given.state,
                  "attention": given.statement is not None and given.statement in attention}
        if any(getattr(action, name) != value for name, value in values.items()):
            action.updated_at = now
        for name, value in values.items():
            setattr(action, name, value)
        action.position = position
        actions.append(action)
    reaction.actions = actions       # the rest is deleted (delete-orphan)


def submit(session: Session, rnd: Round, centre: Centre, user: User,
           revision: int) -> CentreReaction:
    """Submit the stored draft the confirmation page showed (its revision). Raises
    FollowUpError when it is gone, changed, already submitted or not complete."""
    with write_transaction(session):
        reaction = _locked_reaction(session, rnd.id, centre.id)
        if reaction is not None and reaction.submitted:
            raise FollowUpError([gettext("Dit antwoord is al ingediend.")])
        if reaction is None or reaction.revision != revision:
            raise FollowUpError(conflict=True)
        problems = ready_problems(reaction)
        if problems:
            raise problems
        now = utcnow()
        reaction.state = ReactionState.SUBMITTED.value
        reaction.submitted_at, reaction.submitted_by = now, user.id
        reaction.updated_at, reaction.updated_by = now, user.id
        reaction.revision += 1
        accounts.audit(session, user, "follow-up submitted", rnd.name, round=rnd.id,
                       centre=centre.number, actions=len(reaction.actions))
    return reaction


@dataclass(frozen=True)
class Overtaken:
    """An action whose state a colleague changed after the page was made: its text and
    the state it has now (the user's choice for it was not written)."""

    text: str
    state: str


@dataclass(frozen=True)
class StatesUpdate:
    changed: int                        # actions written
    overtaken: list[Overtaken]          # actions left as a colleague set them


def update_states(session: Session, rnd: Round, centre_id: int, user: User,
                  changes: Mapping[int, tuple[str, str]]) -> StatesUpdate:
    """Move actions of the CLB's submitted answer on: action id -> (state the page showed,
    state chosen). Only those the user changed are written, and only where the stored
    state is still the one the page showed: a colleague's change in between stays (and
    is named in `overtaken`) instead of the last writer winning silently."""
    if any(chosen not in ACTION_STATES for _shown, chosen in changes.values()):
        raise FollowUpError([gettext("Kies de stand van elke actie.")])
    with write_transaction(session):
        reaction = _locked_reaction(session, rnd.id, centre_id)
        if reaction is None or not reaction.submitted:
            raise FollowUpError([gettext("Dien uw antwoord eerst in.")])
        now, changed, overtaken = utcnow(), 0, []
        for action in reaction.actions:
            shown, chosen = changes.get(action.id, (action.state, action.state))
            if chosen == shown or chosen == action.state:
                continue                # not moved by this page, or already so
            if action.state != shown:
                overtaken.append(Overtaken(action.text, action.state))
                continue
            action.state, action.updated_at = chosen, now
            changed += 1
        if changed:
            reaction.updated_at, reaction.updated_by = now, user.id
    return StatesUpdate(changed, overtaken)


# --- Plain data: the answer beside the next round's trend ------------------------------

@dataclass(frozen=True)
class ActionData:
    statement: int | None       # its slot; None: a general action
    attention: bool             # an attention point of that round's sheet
    text: str
    due_on: date | None
    state: str                  # an ActionState value


@dataclass(frozen=True)
class PreviousActions:
    """A CLB's submitted answer to an earlier round: picklable, for the reports."""

    round_id: int
    round_name: str
    school_year: str
    reaction: str
    actions: tuple[ActionData, ...]


def previous_actions(session: Session, centre_id: int, rnd: Round) -> PreviousActions | None:
    """What the CLB answered to the previous published round of the same questionnaire in
    which it took part; None when it submitted no answer there (or there is none)."""
    found = previous_actions_by_centre(session, rnd, only=centre_id)
    return next(iter(found.values()), None)


def previous_actions_by_centre(session: Session, rnd: Round, *,
                               only: int | None = None) -> dict[str, PreviousActions]:
    """previous_actions for every CLB of the round at once (a few queries whatever the
    number of CLBs), by CLB number as the reports key their inputs (round_data)."""
    earlier = session.execute(
        select(Round.id, Round.name, Round.school_year)
        .where(Round.state == "published", Round.id != rnd.id,
               Round.questionnaire_id == rnd.questionnaire_id,
               Round.created_at < rnd.created_at)
        .order_by(Round.created_at.desc(), Round.id.desc())).all()
    if not earlier:
        return {}
    order = {round_id: index for index, (round_id, *_rest) in enumerate(earlier)}
    taken = select(Invitation.centre_id, Invitation.round_id).distinct().where(
        Invitation.round_id.in_(order),
        Invitation.centre_id.in_(select(Invitation.centre_id)
                                 .where(Invitation.round_id == rnd.id)))
    if only is not None:
        taken = taken.where(Invitation.centre_id == only)
    newest: dict[int, int] = {}
    for centre_id, round_id in session.execute(taken):
        if centre_id not in newest or order[round_id] < order[newest[centre_id]]:
            newest[centre_id] = round_id
    if not newest:
        return {}
    reactions = session.scalars(
        select(CentreReaction)
        .where(CentreReaction.round_id.in_(set(newest.values())),
               CentreReaction.centre_id.in_(newest),
               CentreReaction.state == ReactionState.SUBMITTED.value)
        .options(selectinload(CentreReaction.actions))).all()
    names = {round_id: (name, year) for round_id, name, year in earlier}
    numbers = dict(session.execute(select(Centre.id, Centre.number)
                                   .where(Centre.id.in_(newest))).all())
    out = {}
    for reaction in reactions:
        if newest[reaction.centre_id] != reaction.round_id:
            continue
        name, year = names[reaction.round_id]
        out[numbers[reaction.centre_id]] = PreviousActions(
            reaction.round_id, name, year, reaction.text,
            tuple(plain_actions(reaction)))
    return out


def plain_actions(reaction: CentreReaction) -> list[ActionData]:
    return [ActionData(a.statement, a.attention, a.text, a.due_on, a.state)
            for a in reaction.actions]
