"""Published versions of a round's reports: what CLBs see, frozen.

Publishing a round freezes its report inputs (services/reports.RoundData of every CLB,
as compressed JSON: reports/frozen.py) as version 1. A later change (a remark approved,
an answer withdrawn) changes only the live data; an inspector publishes it as version
N+1 when asked (services/report_versions.py). Rows are never changed once published and
never deleted while their round exists, so a CLB can always open an earlier version.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .core import UTCDateTime, utcnow


class ReportVersion(db.Model):
    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("round_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    number: Mapped[int] = mapped_column(Integer)          # 1, 2, ... within the round
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The frozen RoundData (zlib-compressed JSON); loaded only when asked for, so a list
    # of versions never reads the blobs.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # len(data)
    # What changed against the version before, in a sentence (Dutch, as the console wrote it).
    summary: Mapped[str] = mapped_column(String(500), default="", server_default="")

    @property
    def published(self) -> bool:
        return self.published_at is not None
