"""The shared words of the domain, as enums in one place: education levels, the states of a
round and of a response, the verdicts the reports give, and the states of a CLB's answer to
its results and of its actions. StrEnum members compare equal
to the strings stored in the database and in snapshots, so code and data share one
spelling."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from .i18n import N_

# (CLB number, level, slot, code) -> number of submitted answers: the counts cube that the
# app keeps (services/counts.py) and the reports read (reports/feedback.py, questions.py).
Cube = Mapping[tuple[str, str, int, int], int]


class Level(StrEnum):
    """The four education levels a school belongs to (seed 001)."""

    BAO = "bao"       # basisonderwijs
    SO = "so"         # secundair onderwijs
    BUBAO = "bubao"   # buitengewoon basisonderwijs
    BUSO = "buso"     # buitengewoon secundair onderwijs

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS = {
    Level.BAO: "basisonderwijs",
    Level.SO: "secundair onderwijs",
    Level.BUBAO: "buitengewoon basisonderwijs",
    Level.BUSO: "buitengewoon secundair onderwijs",
}
LEVELS = tuple(Level)
LEVEL_CODES = tuple(level.value for level in Level)   # the plain strings, in this order


class RoundState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class ResponseState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Verdict(StrEnum):
    """How a CLB's figure stands beside the sector's (docs/statistics.md); the values are
    the words the sheet prints."""

    ABOVE = "hoger"
    BELOW = "lager"
    NO_CLEAR_DIFFERENCE = "geen duidelijk verschil"


class ReactionState(StrEnum):
    """A CLB's answer to its results: a draft until it is submitted."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class ActionState(StrEnum):
    """How far a CLB's action is: gepland, bezig, afgerond."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


# What each state is called (Dutch msgids: translated where shown); the one list of them.
ACTION_STATE_NAMES = {ActionState.PLANNED: N_("gepland"), ActionState.IN_PROGRESS: N_("bezig"),
                      ActionState.DONE: N_("afgerond")}


class JobState(StrEnum):
    """A background job's life (survey/jobs): queued, running, then done or failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


# --- A round's schedule (issue 13: survey/models/schedule.py, survey/services/schedule.py)

class StepKind(StrEnum):
    """What a planned step of a round does when its time comes."""

    OPEN = "open"
    CLOSE = "close"
    REMINDER = "reminder"


class StepState(StrEnum):
    """Where a planned step is: planned, claimed by a worker (running), or finished as
    done, cancelled (by an inspector), failed (with the reason) or skipped (nothing to do,
    for instance a reminder after the round closed)."""

    PLANNED = "planned"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"
    SKIPPED = "skipped"


class ReminderAudience(StrEnum):
    """Whom a planned reminder goes to."""

    NOT_SUBMITTED = "not_submitted"
    NOT_STARTED = "not_started"


STEP_KIND_NAMES = {StepKind.OPEN: N_("openen en uitnodigen"), StepKind.CLOSE: N_("afsluiten"),
                   StepKind.REMINDER: N_("herinnering")}
STEP_STATE_NAMES = {StepState.PLANNED: N_("gepland"), StepState.RUNNING: N_("bezig"),
                    StepState.DONE: N_("uitgevoerd"), StepState.CANCELLED: N_("geannuleerd"),
                    StepState.FAILED: N_("mislukt"), StepState.SKIPPED: N_("overgeslagen")}
AUDIENCE_NAMES = {ReminderAudience.NOT_SUBMITTED: N_("scholen die nog niet indienden"),
                  ReminderAudience.NOT_STARTED: N_("scholen die nog niet begonnen")}


# --- Audiences and anonymous access (issue 14: survey/models/access.py,
# survey/services/access_codes.py)

class Audience(StrEnum):
    """Who answers a round: the schools' directors (one personal link per school), or
    people attached to a school who answer anonymously."""

    DIRECTORS = "directors"
    PARENTS = "parents"
    PUPILS = "pupils"
    STAFF = "staff"


class RoundAccess(StrEnum):
    """How a round is answered: each school's personal link (one response per school), or
    single-use codes handed out per school (one anonymous response per code)."""

    LINK = "link"
    CODES = "codes"


class CodeState(StrEnum):
    """A single-use code's life: unused, in use (it holds a draft), spent (submitted)."""

    UNUSED = "unused"
    IN_USE = "in_use"
    SPENT = "spent"


# Dutch plural nouns, as the console and the slips name an audience.
AUDIENCE_PLURALS = {Audience.DIRECTORS: N_("directies"), Audience.PARENTS: N_("ouders"),
                    Audience.PUPILS: N_("leerlingen"), Audience.STAFF: N_("personeelsleden")}
CODE_STATE_NAMES = {CodeState.UNUSED: N_("ongebruikt"), CodeState.IN_USE: N_("in gebruik"),
                    CodeState.SPENT: N_("gebruikt")}
