"""The database tables. core: the sector, rounds, invitations and answers; accounts: users,
set-password links, login attempts and the audit log; messages: mails sent to schools."""

from . import access, follow_up, jobs, schedule, themes, versions  # noqa: F401  (their tables)
from .accounts import ROLES, AuditEvent, LoginAttempt, User, UserInvite
from .core import (
    LEVEL_NAMES,
    LEVELS,
    NETWORKS,
    ROUND_STATES,
    Answer,
    AnswerCount,
    Centre,
    Invitation,
    InvitationLink,
    InvitationTally,
    Remark,
    Response,
    Round,
    School,
    UTCDateTime,
    round_phase,
    utcnow,
)
from .library import QuestionnaireVersion
from .messages import MessageSend

__all__ = [
    "LEVELS", "LEVEL_NAMES", "NETWORKS", "ROLES", "ROUND_STATES", "Answer", "AnswerCount",
    "AuditEvent",
    "Centre", "Invitation", "InvitationLink", "InvitationTally", "LoginAttempt",
    "MessageSend", "QuestionnaireVersion", "Remark", "Response", "Round",
    "School", "UTCDateTime", "User", "UserInvite", "round_phase", "utcnow",
]
