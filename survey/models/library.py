"""The questionnaire library: every uploaded version of a questionnaire, a concept until an
inspector publishes it, immutable afterwards. A round is created on a published version and
keeps its own copy of the definition (round.definition); questionnaire_version_id says
which version that copy came from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .accounts import User
from .core import UTCDateTime, utcnow

VERSION_STATES = ("concept", "published")
SOURCE_FORMATS = ("toml", "xlsx")


class QuestionnaireVersion(db.Model):
    __tablename__ = "questionnaire_version"
    __table_args__ = (
        # one row per (questionnaire, version): what makes publishing race-safe
        UniqueConstraint("questionnaire_id", "version"),
        CheckConstraint(f"state IN {VERSION_STATES}", name="state"),
        CheckConstraint(f"source_format IN {SOURCE_FORMATS}", name="source_format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    # q.to_dict(storage=True): the slots are recorded, so a round copied from it never
    # depends on how a later loader assigns them
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    source_name: Mapped[str] = mapped_column(String(255))
    source_format: Mapped[str] = mapped_column(String(4))
    state: Mapped[str] = mapped_column(String(10), default="concept")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey(User.id))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[int | None] = mapped_column(ForeignKey(User.id))

    @property
    def published(self) -> bool:
        return self.state == "published"

