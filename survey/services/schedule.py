"""A round's schedule: its opening, closing and reminders taking effect by themselves.

Reserved for issue 13; the signatures below are the contract with the job queue and the
round form, filled in by that change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session


def plan_defaults(session: Session, rnd) -> None:
    """Plan a new round's steps (opening, closing, reminders) from its dates."""


def run_due(session: Session, now: datetime, *, transport, base_url: str,
            sender: str) -> list[str]:
    """Carry out every planned step whose time has come; what was done, in English."""
    return []
