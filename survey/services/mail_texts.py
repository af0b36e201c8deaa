"""The default texts of the mails to schools; a round keeps its own copy, editable."""

DEFAULT_INVITATION_SUBJECT = "Bevraging over de samenwerking met uw CLB"
DEFAULT_INVITATION_BODY = """Beste directeur,

De onderwijsinspectie vraagt alle scholen hoe de samenwerking met hun CLB verloopt.
Met de persoonlijke link hieronder vult u de vragenlijst in voor {school}
(uw CLB: {clb}). U kunt bewaren en later verdergaan via dezelfde link.

{link}

Invullen kan tot {deadline}. Het CLB ziet nooit de antwoorden van één school.

Met vriendelijke groeten,
De onderwijsinspectie"""
DEFAULT_REMINDER_SUBJECT = "Herinnering: bevraging over de samenwerking met uw CLB"
DEFAULT_REMINDER_BODY = """Beste directeur,

We ontvingen nog geen antwoorden van {school}. Invullen kan nog tot {deadline},
via uw persoonlijke link:

{link}

Met vriendelijke groeten,
De onderwijsinspectie"""

PLACEHOLDERS = ("{school}", "{clb}", "{link}", "{deadline}", "{round}")
