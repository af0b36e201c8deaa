"""The counts cube of a round: one aggregate query, (CLB number, level, statement, answer
code) -> count, over submitted responses of invitations that were not withdrawn. This is
all the reports need from the database, whatever the number of responses."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Answer, Centre, Invitation, Response


def counts_cube(session: Session, round_id: int) -> dict[tuple[str, str, int, int], int]:
    rows = session.execute(
        select(Centre.number, Invitation.level, Answer.item, Answer.value, func.count())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Centre, Centre.id == Invitation.centre_id)
        .where(Invitation.round_id == round_id, Response.status == "submitted",
               Invitation.revoked_at.is_(None))
        .group_by(Centre.number, Invitation.level, Answer.item, Answer.value))
    return {(number, level, item, value): n for number, level, item, value, n in rows}
