"""Themes in the remarks: a round's codebook of themes and the remarks tagged with them.

A theme belongs to one round (a codebook is copied to a later round, never shared), so a
renamed or deleted theme never changes what an earlier round's reports said. A tag is one
row per (remark, theme); `source` says whether an inspector set it by hand or accepted the
console's suggestion, so that the suggestions can be measured against the hand-made tags
only (services/suggestions.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .core import UTCDateTime, utcnow

TAG_SOURCES = ("hand", "suggestion")


class Theme(db.Model):
    """One theme of a round's codebook; `keywords` holds its suggestion rules, one a line
    (the syntax: services/suggestions.py)."""

    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("round_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    keywords: Mapped[str] = mapped_column(Text, default="", server_default="")
    position: Mapped[int] = mapped_column(default=0, server_default="0")


class RemarkTheme(db.Model):
    """A remark tagged with a theme. Gone with its remark (ON DELETE CASCADE)."""

    __tablename__ = "remark_theme"
    __table_args__ = (
        ForeignKeyConstraint(["response_id", "key"], ["remark.response_id", "remark.key"],
                             ondelete="CASCADE"),
        CheckConstraint(f"source IN {TAG_SOURCES}", name="source"),
        # the filter "remarks with theme X" and the counts per theme start from the theme
        Index("ix_remark_theme_theme_id", "theme_id"),
    )

    response_id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"),
                                          primary_key=True)
    source: Mapped[str] = mapped_column(String(10), default="hand", server_default="hand")
    tagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    tagged_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
