"""The default texts of the mails to schools; a round keeps its own copy, editable.

The constants are the Dutch source texts (the catalogue's msgids, marked with N_ so that
extraction finds them); defaults() gives them in the current language, for a new round.
"""

from flask_babel import gettext


def N_(text: str) -> str:
    """Marks a text for the catalogue; it is translated where it is used."""
    return text


DEFAULT_INVITATION_SUBJECT = N_("Bevraging over de samenwerking met uw CLB")
DEFAULT_INVITATION_BODY = N_("""Beste directeur,

De onderwijsinspectie vraagt alle scholen hoe de samenwerking met hun CLB verloopt.
Met de persoonlijke link hieronder vult u de vragenlijst in voor {school}
(uw CLB: {clb}). U kunt bewaren en later verdergaan via dezelfde link.

{link}

Invullen kan tot {deadline}. Het CLB ziet nooit de antwoorden van één school.

Met vriendelijke groeten,
De onderwijsinspectie""")
DEFAULT_REMINDER_SUBJECT = N_("Herinnering: bevraging over de samenwerking met uw CLB")
DEFAULT_REMINDER_BODY = N_("""Beste directeur,

We ontvingen nog geen antwoorden van {school}. Invullen kan nog tot {deadline},
via uw persoonlijke link:

{link}

Met vriendelijke groeten,
De onderwijsinspectie""")

PLACEHOLDERS = ("{school}", "{clb}", "{link}", "{deadline}", "{round}")


def defaults() -> dict[str, str]:
    """A new round's mail texts in the current language (Dutch outside a request), keyed
    by the Round's columns."""
    return {"invitation_subject": gettext(DEFAULT_INVITATION_SUBJECT),
            "invitation_body": gettext(DEFAULT_INVITATION_BODY),
            "reminder_subject": gettext(DEFAULT_REMINDER_SUBJECT),
            "reminder_body": gettext(DEFAULT_REMINDER_BODY)}
