"""What the inspectorate reads of the CLBs' answers to their results: the sector table of
a round (every CLB: submitted or not, its actions per state), one CLB's answers across its
rounds (the doorlichting view), the round's answers as an .xlsx. Submitted answers only:
a draft shows as a draft, never its content (services/follow_up.py says why)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from instrument.domain import ActionState, ReactionState
from reports import xlsx
from reports.layout import from_snapshot

from ..formatting import BRUSSELS
from ..models import Centre, Invitation, Round
from ..models.follow_up import CentreAction, CentreReaction
from .follow_up import REACTION_NAMES, STATE_NAMES


@dataclass
class SectorRow:
    """One CLB of a round and how far its answer is (counts of a submitted answer only)."""

    centre_id: int
    number: str
    name: str
    state: str | None = None               # None: not begun; a ReactionState value
    submitted_at: datetime | None = None
    states: Counter = field(default_factory=Counter)   # ActionState value -> actions
    attention: int = 0                     # actions on an attention point

    @property
    def actions(self) -> int:
        return sum(self.states.values())

    @property
    def submitted(self) -> bool:
        return self.state == ReactionState.SUBMITTED


@dataclass(frozen=True)
class Sector:
    rows: list[SectorRow]

    @property
    def submitted(self) -> int:
        return sum(row.submitted for row in self.rows)

    @property
    def drafts(self) -> int:
        return sum(row.state == ReactionState.DRAFT for row in self.rows)

    @property
    def states(self) -> Counter:
        return sum((row.states for row in self.rows), Counter())


def sector(session: Session, rnd: Round) -> Sector:
    """Every CLB invited to the round (withdrawn invitations aside), by CLB number."""
    rows = {centre_id: SectorRow(centre_id, number, name) for centre_id, number, name in
            session.execute(
                select(Centre.id, Centre.number, Centre.name).distinct()
                .join(Invitation, Invitation.centre_id == Centre.id)
                .where(Invitation.round_id == rnd.id, Invitation.revoked_at.is_(None))
                .order_by(Centre.number))}
    for centre_id, state, submitted_at in session.execute(
            select(CentreReaction.centre_id, CentreReaction.state,
                   CentreReaction.submitted_at)
            .where(CentreReaction.round_id == rnd.id)):
        if centre_id in rows:
            rows[centre_id].state, rows[centre_id].submitted_at = state, submitted_at
    for centre_id, state, attention, count in session.execute(
            select(CentreReaction.centre_id, CentreAction.state, CentreAction.attention,
                   func.count())
            .join(CentreAction, CentreAction.reaction_id == CentreReaction.id)
            .where(CentreReaction.round_id == rnd.id,
                   CentreReaction.state == ReactionState.SUBMITTED.value)
            .group_by(CentreReaction.centre_id, CentreAction.state,
                      CentreAction.attention)):
        if centre_id in rows:
            rows[centre_id].states[state] += count
            rows[centre_id].attention += count if attention else 0
    return Sector(list(rows.values()))


def centre_by_number(session: Session, number: str) -> Centre | None:
    return session.scalar(select(Centre).where(Centre.number == number))


def took_part(session: Session, round_id: int, centre_id: int) -> bool:
    """Whether the CLB had schools in the round (withdrawn ones too)."""
    return session.scalar(select(Invitation.id).where(
        Invitation.round_id == round_id, Invitation.centre_id == centre_id).limit(1)) \
        is not None


def reaction_state(session: Session, round_id: int, centre_id: int) -> str | None:
    """None (not begun), 'draft' or 'submitted'."""
    return session.scalar(select(CentreReaction.state).where(
        CentreReaction.round_id == round_id, CentreReaction.centre_id == centre_id))


def submitted_reaction(session: Session, round_id: int,
                       centre_id: int) -> CentreReaction | None:
    return session.scalar(select(CentreReaction)
                          .where(CentreReaction.round_id == round_id,
                                 CentreReaction.centre_id == centre_id,
                                 CentreReaction.state == ReactionState.SUBMITTED.value)
                          .options(selectinload(CentreReaction.actions)))


def statement_titles(rnd: Round) -> dict[int, str]:
    """The statements' titles as the round's own snapshot names them."""
    layout = from_snapshot(rnd.definition)
    return {number: layout.statements[number].title for number in layout.numbers}


@dataclass(frozen=True)
class RoundAnswer:
    """A published round the CLB took part in, with its answer (state and, once
    submitted, the reaction itself)."""

    round: Round
    state: str | None
    reaction: CentreReaction | None        # only when submitted
    titles: dict[int, str]


def centre_rounds(session: Session, centre: Centre) -> list[RoundAnswer]:
    """Every published round in which the CLB had schools, newest first."""
    rounds = session.scalars(
        select(Round).where(Round.state == "published",
                            Round.invitations.any(Invitation.centre_id == centre.id))
        .order_by(Round.created_at.desc(), Round.id.desc())).all()
    reactions = {r.round_id: r for r in session.scalars(
        select(CentreReaction).where(CentreReaction.centre_id == centre.id)
        .options(selectinload(CentreReaction.actions)))}
    out = []
    for rnd in rounds:
        reaction = reactions.get(rnd.id)
        shown = reaction if reaction is not None and reaction.submitted else None
        out.append(RoundAnswer(rnd, reaction.state if reaction else None, shown,
                               statement_titles(rnd)))
    return out


def centres_with_rounds(session: Session) -> list[tuple[Centre, int, int]]:
    """Every CLB with (published rounds it took part in, answers it submitted), by
    number: the list the doorlichting views start from."""
    published = (select(Invitation.centre_id, func.count(func.distinct(Invitation.round_id))
                        .label("rounds"))
                 .join(Round, Round.id == Invitation.round_id)
                 .where(Round.state == "published")
                 .group_by(Invitation.centre_id).subquery())
    answered = (select(CentreReaction.centre_id, func.count().label("answers"))
                .where(CentreReaction.state == ReactionState.SUBMITTED.value)
                .group_by(CentreReaction.centre_id).subquery())
    rows = session.execute(
        select(Centre, func.coalesce(published.c.rounds, 0),
               func.coalesce(answered.c.answers, 0))
        .outerjoin(published, published.c.centre_id == Centre.id)
        .outerjoin(answered, answered.c.centre_id == Centre.id)
        .order_by(Centre.number)).all()
    return [(centre, rounds, answers) for centre, rounds, answers in rows]


@dataclass(frozen=True)
class ThemeLine:
    """One theme of the round's codebook in one CLB's approved remarks, beside the sector."""

    name: str
    description: str
    count: int                  # the CLB's remarks tagged with it
    share: float | None         # of the CLB's approved remarks, in %
    sector_share: float | None  # of every CLB's approved remarks, in %


def _share(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def remark_themes(session: Session, rnd: Round, centre_number: str) -> list[ThemeLine] | None:
    """The themes of the CLB's approved remarks in the round, most frequent first ([]: the
    round has no codebook yet), or None while the themes service (services/themes.py,
    built beside this one) is not there. Inspectors see every reviewed remark anyway, so
    the counts are not suppressed here."""
    try:
        from .themes import theme_counts
    except ImportError:
        return None
    counts = theme_counts(session, rnd)
    own = sum(n for (number, _level), n in counts.remarks.items() if number == centre_number)
    everyone = sum(counts.remarks.values())
    lines = []
    for theme in counts.themes:
        count = sum(n for (number, _level), n in theme.counts.items()
                    if number == centre_number)
        lines.append(ThemeLine(theme.name, theme.description, count, _share(count, own),
                               _share(sum(theme.counts.values()), everyone)))
    return sorted(lines, key=lambda line: -line.count)


def _local(moment: datetime | None):
    """An aware moment as Brussels wall time without zone (what openpyxl can write)."""
    return None if moment is None else moment.astimezone(BRUSSELS).replace(tzinfo=None)


def workbook(session: Session, rnd: Round) -> bytes:
    """The round's answers: one row per CLB, the submitted reactions, their actions."""
    table = sector(session, rnd)
    titles = statement_titles(rnd)
    overview = [[row.number, row.name, str(REACTION_NAMES[row.state]),
                 _local(row.submitted_at), row.actions,
                 *(row.states[state] for state in ActionState), row.attention]
                for row in table.rows]
    reactions, actions = [], []
    names = {row.centre_id: (row.number, row.name) for row in table.rows}
    for reaction in session.scalars(
            select(CentreReaction)
            .where(CentreReaction.round_id == rnd.id,
                   CentreReaction.state == ReactionState.SUBMITTED.value)
            .options(selectinload(CentreReaction.actions))):
        number, name = names.get(reaction.centre_id, ("", ""))
        reactions.append([number, name, _local(reaction.submitted_at), reaction.text])
        for action in reaction.actions:
            actions.append([
                number, name, action.statement,
                titles.get(action.statement, "") if action.statement is not None
                else gettext("algemeen"),
                gettext("ja") if action.attention else gettext("nee"), action.text,
                action.due_on, str(STATE_NAMES[action.state]), _local(action.updated_at)])
    reactions.sort(key=lambda row: row[0])
    actions.sort(key=lambda row: row[0])
    return xlsx.workbook([
        (gettext("Overzicht"),
         [gettext("CLB-nummer"), gettext("CLB"), gettext("Antwoord"),
          gettext("Ingediend op"), gettext("Acties"),
          *(str(STATE_NAMES[state]) for state in ActionState),
          gettext("Bij aandachtspunten")], overview),
        (gettext("Reacties"),
         [gettext("CLB-nummer"), gettext("CLB"), gettext("Ingediend op"),
          gettext("Reactie")], reactions),
        (gettext("Acties"),
         [gettext("CLB-nummer"), gettext("CLB"), gettext("Stelling"),
          gettext("Stelling (tekst)"), gettext("Aandachtspunt"), gettext("Actie"),
          gettext("Tegen"), gettext("Stand"), gettext("Bijgewerkt op")], actions),
    ])
