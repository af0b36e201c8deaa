"""Brussels time for the schedule: what an inspector types (a Brussels wall-clock time)
as UTC, a stored moment back as Brussels text, and "n days before" counted in Brussels
calendar days, which across a change to or from summer time is not n * 24 hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import gettext

from ..formatting import BRUSSELS, local_datetime
from .rounds import RoundStateError

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class ScheduleError(RoundStateError):
    """A plan the schedule refuses; the message is Dutch and says what to do instead. A
    RoundStateError, so that a round form that changes dates (and catches those) shows it
    as it shows any other refusal."""


def to_utc(local: datetime) -> datetime:
    """A wall-clock time in Brussels (naive, as typed) as aware UTC.

    A time the clock skips (last Sunday of March, 02:00-03:00) is refused; one that it
    shows twice (last Sunday of October, 02:00-03:00) means its first pass, summer time."""
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    if not EARLIEST_YEAR <= local.year <= LATEST_YEAR:
        raise ScheduleError(gettext("Kies een datum tussen %(first)s en %(last)s.",
                                    first=EARLIEST_YEAR, last=LATEST_YEAR))
    moment = local.replace(tzinfo=BRUSSELS, fold=0).astimezone(UTC)
    if moment.astimezone(BRUSSELS).replace(tzinfo=None) != local.replace(fold=0):
        typed = local.strftime("%d-%m-%Y %H:%M")
        raise ScheduleError(gettext(
            "%(time)s bestaat niet in Brussel: die nacht springt de klok van 02:00 naar 03:00 "
            "(zomertijd). Kies een ander uur.", time=typed))
    return moment


def is_ambiguous(moment: datetime) -> bool:
    """Whether the Brussels clock shows this moment's time twice that night (October)."""
    wall = moment.astimezone(BRUSSELS).replace(tzinfo=None)
    return (wall.replace(fold=0, tzinfo=BRUSSELS).utcoffset()
            != wall.replace(fold=1, tzinfo=BRUSSELS).utcoffset())


def local_label(moment: datetime | None) -> str:
    """The moment in Brussels ("28 maart 2027 om 09:00"); a time the clock shows twice
    says which of the two it is."""
    if moment is None:
        return ""
    text = local_datetime(moment)
    if is_ambiguous(moment):
        summer = moment.astimezone(BRUSSELS).dst() != timedelta(0)
        text += " " + (gettext("(zomertijd, de eerste keer)") if summer
                       else gettext("(wintertijd, de tweede keer)"))
    return text


def form_value(moment: datetime | None) -> str:
    """The moment as a datetime-local input's value, in Brussels."""
    return "" if moment is None else f"{moment.astimezone(BRUSSELS):%Y-%m-%dT%H:%M}"


def local_days_before(moment: datetime, days: int) -> datetime:
    """The same Brussels clock time `days` calendar days earlier, in UTC. (Should that
    clock time not exist on that day, the clock's jump moves it an hour later.)"""
    wall = moment.astimezone(BRUSSELS).replace(tzinfo=None) - timedelta(days=days)
    return wall.replace(tzinfo=BRUSSELS, fold=0).astimezone(UTC)
