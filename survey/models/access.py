"""Anonymous access to a round: the single-use codes handed out per school (only their
hashes stored) and the drafts they hold while a respondent answers.

A code belongs to one school's invitation in a coded round (its CLB and level are the
invitation's). Its primary key is its keyed hash (services/access_codes.py): no sequence
number that could order codes against responses. While a respondent answers, the code
holds its draft (response_id); the submit spends the code and drops that reference in the
same transaction, and the row keeps no time of use, so nothing joins a submitted response
back to the code that made it.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from instrument.domain import CodeState

from ..extensions import db

CODE_STATES = tuple(state.value for state in CodeState)


class AccessCode(db.Model):
    __tablename__ = "access_code"
    __table_args__ = (
        CheckConstraint(f"state IN {CODE_STATES}", name="state"),
        # a draft is held exactly while the code is in use
        CheckConstraint("(state = 'in_use') = (response_id IS NOT NULL)", name="held_draft"),
        # the console's per-school figures
        Index("ix_access_code_invitation_id_state", "invitation_id", "state"),
    )

    # HMAC-SHA256 of the normalised code, hex: looked up by equality, never reversible
    # without the key (derived from SECRET_KEY), so a copy of the database alone cannot be
    # searched for codes.
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"))
    # the class (or any group) the school handed the code out to, for its own sorting
    group_label: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(10), default=CodeState.UNUSED.value,
                                       server_default=CodeState.UNUSED.value)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL"), unique=True)
