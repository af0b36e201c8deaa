"""The survey's tables: the sector (Centre, School), rounds, invitations and answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from instrument.domain import (
    LEVEL_CODES,
    LEVEL_LABELS,
    Audience,
    ResponseState,
    RoundAccess,
    RoundState,
)

from ..extensions import db

# The domain's words (instrument/domain.py) as the plain strings the columns hold; the
# tuples' repr is the SQL of the check constraints below.
LEVELS = LEVEL_CODES
LEVEL_NAMES = {level.value: label for level, label in LEVEL_LABELS.items()}
NETWORKS = {"vclb": "Vrij CLB", "go": "GO!", "ovsg": "OVSG", "pov": "POV"}
ROUND_STATES = tuple(state.value for state in RoundState)
RESPONSE_STATES = tuple(state.value for state in ResponseState)
AUDIENCES = tuple(audience.value for audience in Audience)
ROUND_ACCESSES = tuple(way.value for way in RoundAccess)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC (SQLite has no time zones) and always hands back aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def round_phase(state: str, opens_at: datetime | None, closes_at: datetime | None,
                now: datetime | None = None) -> str:
    """'not_yet', 'open' or 'closed': whether a round takes answers now."""
    now = now or utcnow()
    if state == "draft":
        return "not_yet"
    if state in ("closed", "published"):
        return "closed"
    if opens_at and now < opens_at:
        return "not_yet"
    if closes_at and now >= closes_at:
        return "closed"
    return "open"


class Centre(db.Model):
    __tablename__ = "centre"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    network: Mapped[str] = mapped_column(String(10))

    schools: Mapped[list[School]] = relationship(back_populates="centre")

    @property
    def network_name(self) -> str:
        return NETWORKS.get(self.network, self.network)


class School(db.Model):
    __tablename__ = "school"
    __table_args__ = (CheckConstraint(f"level IN {LEVELS}", name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(5))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    municipality: Mapped[str | None] = mapped_column(String(100))

    centre: Mapped[Centre] = relationship(back_populates="schools")


class Round(db.Model):
    __tablename__ = "round"
    __table_args__ = (
        CheckConstraint(f"state IN {ROUND_STATES}", name="state"),
        CheckConstraint("min_group_size >= 1", name="min_group_size"),
        CheckConstraint("min_benchmark_centres >= 1", name="min_benchmark_centres"),
        CheckConstraint(f"audience IN {AUDIENCES}", name="audience"),
        CheckConstraint(f"access IN {ROUND_ACCESSES}", name="access"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    school_year: Mapped[str] = mapped_column(String(9))
    questionnaire_id: Mapped[str] = mapped_column(String(80))
    questionnaire_version: Mapped[str] = mapped_column(String(40))
    # The questionnaire as it was when the round was created or opened: the meaning of
    # stored answers never depends on the file on disk.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    state: Mapped[str] = mapped_column(String(10), default="draft")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    min_group_size: Mapped[int] = mapped_column(default=5)
    # A sector benchmark needs answers from at least this many CLBs other than the one
    # it is shown to (per statement and level): with fewer, it is another CLB's own figure.
    min_benchmark_centres: Mapped[int] = mapped_column(default=3, server_default="3")
    # The library version the round was created on (models/library.py); rounds made from
    # bundled files before the library existed keep NULL and their own snapshot.
    questionnaire_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("questionnaire_version.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A round of only some CLBs (ahead of a doorlichting) takes its sector figures from
    # an earlier sector-wide round on the same statements.
    reference_round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"))
    invitation_subject: Mapped[str] = mapped_column(String(200), default="", server_default="")
    invitation_body: Mapped[str] = mapped_column(Text, default="", server_default="")
    reminder_subject: Mapped[str] = mapped_column(String(200), default="", server_default="")
    reminder_body: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Who answers (the schools' directors, or parents, pupils, staff of each school) and
    # how: the school's personal link, or single-use codes (models/access.py).
    audience: Mapped[str] = mapped_column(String(10), default=Audience.DIRECTORS.value,
                                          server_default=Audience.DIRECTORS.value)
    access: Mapped[str] = mapped_column(String(10), default=RoundAccess.LINK.value,
                                        server_default=RoundAccess.LINK.value)

    invitations: Mapped[list[Invitation]] = relationship(back_populates="round")
    reference_round: Mapped[Round | None] = relationship(remote_side=[id])

    @property
    def uses_codes(self) -> bool:
        """Answered with single-use codes: nobody to mail, no personal links."""
        return self.access == RoundAccess.CODES

    def accepts_answers(self, now: datetime | None = None) -> bool:
        return self.phase(now) == "open"

    def phase(self, now: datetime | None = None) -> str:
        return round_phase(self.state, self.opens_at, self.closes_at, now)


class Invitation(db.Model):
    """One school in one round. Centre and level are copied at invitation time: schools
    change CLB between years and a round's reports must not move with them."""

    __tablename__ = "invitation"
    __table_args__ = (
        UniqueConstraint("round_id", "school_id"),
        CheckConstraint(f"level IN {LEVELS}", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    level: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship(back_populates="invitations")
    school: Mapped[School] = relationship()
    centre: Mapped[Centre] = relationship()
    # The school's own response; anonymous ones (a coded round's) are not one of it.
    response: Mapped[Response | None] = relationship(
        primaryjoin="and_(Invitation.id == Response.invitation_id, "
                    "Response.anonymous == false())", viewonly=True, uselist=False)
    links: Mapped[list[InvitationLink]] = relationship(back_populates="invitation")


class InvitationLink(db.Model):
    """A personal link to an invitation's form. The token is random and shown once, when
    the link is made (for a mail, a mail merge or the demo); only its hash is kept. An
    invitation can have several valid links, so that a reminder's link does not break the
    first mail's; renewing the link revokes them all."""

    __tablename__ = "invitation_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invitation: Mapped[Invitation] = relationship(back_populates="links")


class Response(db.Model):
    """A school's own response: at most one per invitation, enforced by the partial unique
    index uq_response_school. An anonymous response (a code's, models/access.py) belongs to
    its school's invitation too, for its CLB and level, and a school has many of them."""

    __tablename__ = "response"
    __table_args__ = (CheckConstraint(f"status IN {RESPONSE_STATES}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"), index=True)
    # True for a respondent who came with a code: never more than the school it answers for.
    anonymous: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(10), default="draft")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many times the school saved: 1 means this save created the row, which is how the
    # save that starts a response is told apart in one statement (services/tally.py).
    saves: Mapped[int] = mapped_column(default=1, server_default="1")

    invitation: Mapped[Invitation] = relationship()


class Answer(db.Model):
    """One stored answer: the code (or whole number) in one of the questionnaire's slots
    (see the round's snapshot: a likert item's slot is its number)."""

    __tablename__ = "answer"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    # Set at submit for the answers of items that routing hid: kept, never counted.
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())


class Remark(db.Model):
    """A free-text answer, keyed by the questionnaire's text item key."""

    __tablename__ = "remark"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    # An inspector reviews every remark before a CLB may see it: approved (possibly with
    # a redacted text, shown instead of the original, which is kept) or hidden.
    review: Mapped[str] = mapped_column(String(10), default="pending",
                                        server_default="pending")
    redacted_text: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Set at submit when routing hid the question: kept, never reviewed or reported.
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (
        CheckConstraint("review IN ('pending', 'approved', 'hidden')", name="review"),
    )

    @property
    def shown_text(self) -> str:
        return self.text if self.redacted_text is None else self.redacted_text


Index("ix_response_status", Response.status)
# The school's one response: the claim in services/answers.py is an upsert on it
# (ON CONFLICT (invitation_id) WHERE anonymous = false), the same predicate as here.
SCHOOL_RESPONSE = Response.anonymous == false()
Index("uq_response_school", Response.invitation_id, unique=True,
      sqlite_where=SCHOOL_RESPONSE, postgresql_where=SCHOOL_RESPONSE)


class AnswerCount(db.Model):
    """The counts cube kept up to date: submitted answers of invitations not withdrawn,
    per round, CLB, level, statement and code. Changed in the transaction that submits,
    withdraws or reinstates; services/counts.py recomputes it from the answers to check."""

    __tablename__ = "answer_count"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), primary_key=True)
    level: Mapped[str] = mapped_column(String(5), primary_key=True)
    item: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class InvitationTally(db.Model):
    """The response figures kept up to date, per round, CLB and level: invitations not
    withdrawn, and of those how many were started (a response exists) and submitted.
    Changed in the transactions that invite, withdraw, reinstate, first save and submit;
    services/tally.py recomputes them from the invitations to check."""

    __tablename__ = "invitation_tally"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), primary_key=True)
    level: Mapped[str] = mapped_column(String(5), primary_key=True)
    invited: Mapped[int] = mapped_column(default=0)
    started: Mapped[int] = mapped_column(default=0)
    submitted: Mapped[int] = mapped_column(default=0)
