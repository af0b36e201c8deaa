"""The CLB's answer to its results (terugkoppelen): its reaction and its actions.

One reaction per CLB and published round: an overall text and the actions the CLB plans,
each on an attention point of its sheet, on any other statement, or on none (general).
A reaction is a draft until the CLB submits it; after that its texts are fixed and only
the state of each action moves on (services/follow_up.py).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from instrument.domain import ActionState, ReactionState

from ..extensions import db
from .core import UTCDateTime, utcnow

# the states as the database's check constraints spell them (the enums: instrument/domain.py)
REACTION_STATES = tuple(state.value for state in ReactionState)
ACTION_STATES = tuple(state.value for state in ActionState)


class CentreReaction(db.Model):
    """A CLB's answer to its results of one round."""

    __tablename__ = "centre_reaction"
    __table_args__ = (
        UniqueConstraint("round_id", "centre_id"),
        CheckConstraint(f"state IN {REACTION_STATES}", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    state: Mapped[str] = mapped_column(String(10), default=ReactionState.DRAFT.value,
                                       server_default=ReactionState.DRAFT.value)
    # Raised at every save: a page carries the revision it was made from, so a save from
    # a page older than a colleague's save is refused instead of overwriting it.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    actions: Mapped[list[CentreAction]] = relationship(
        back_populates="reaction", order_by="CentreAction.position",
        cascade="all, delete-orphan")

    @property
    def submitted(self) -> bool:
        return self.state == ReactionState.SUBMITTED


class CentreAction(db.Model):
    """One thing the CLB will do: on a statement (its slot; None: a general action), what,
    by when, and how far it is."""

    __tablename__ = "centre_action"
    __table_args__ = (CheckConstraint(f"state IN {ACTION_STATES}", name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reaction_id: Mapped[int] = mapped_column(
        ForeignKey("centre_reaction.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    statement: Mapped[int | None] = mapped_column(Integer)
    # Whether the statement was one of the sheet's attention points when the action was
    # written: kept, so that later rounds and the sector table need not rebuild the sheet.
    attention: Mapped[bool] = mapped_column(default=False, server_default=false())
    text: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date)    # a draft may leave it open
    state: Mapped[str] = mapped_column(String(12), default=ActionState.PLANNED.value,
                                       server_default=ActionState.PLANNED.value)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reaction: Mapped[CentreReaction] = relationship(back_populates="actions")
