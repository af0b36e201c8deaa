"""The audit log's actions in words: stored as short English strings (accounts.audit, so
that the log can be searched and its keys never change with a translation), shown in the
reader's language here, in one place. An action not listed is shown as it is stored.

A new action: add it to ACTIONS (or, for a family such as "round <step>", to the pattern
it belongs to).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask_babel import gettext

from instrument.domain import AUDIENCE_NAMES

from ..formatting import local_datetime
from ..services import mailing
from ..translations import lazy_gettext as _l

ACTIONS = {
    "login": _l("aangemeld"),
    "logout": _l("afgemeld"),
    "password set": _l("wachtwoord ingesteld"),
    "user invited": _l("gebruiker uitgenodigd"),
    "user created": _l("gebruiker aangemaakt"),
    "user deactivated": _l("gebruiker gedeactiveerd"),
    "user reactivated": _l("gebruiker opnieuw geactiveerd"),
    "set-password link sent": _l("wachtwoordlink gemaakt"),
    "import dry run": _l("voorbeeld van een import"),
    "import applied": _l("CLB's en scholen ingelezen"),
    "round created": _l("bevraging aangemaakt"),
    "round edited": _l("bevraging gewijzigd"),
    "round deleted": _l("bevraging verwijderd"),
    "round copied": _l("bevraging gekopieerd"),
    "round open": _l("bevraging geopend"),
    "round close": _l("bevraging afgesloten"),
    "round reopen": _l("bevraging heropend"),
    "round publish": _l("bevraging gepubliceerd"),
    "round test mail": _l("testmail verstuurd"),
    "school added": _l("school toegevoegd aan een bevraging"),
    "invitation withdraw": _l("uitnodiging ingetrokken"),
    "invitation reinstate": _l("school opnieuw uitgenodigd"),
    "invitation resent": _l("uitnodiging opnieuw verstuurd"),
    "school e-mail changed": _l("e-mailadres van een school verbeterd"),
    "link renewed": _l("link van een school vernieuwd"),
    "link made": _l("extra link voor een school gemaakt"),
    "links downloaded": _l("links gedownload"),
    "uncertain mails released": _l("onzekere mails vrijgegeven"),
    "response figures downloaded": _l("responscijfers gedownload"),
    "schedule planned": _l("planning gemaakt"),
    "schedule step moved": _l("geplande stap verplaatst"),
    "schedule step cancelled": _l("geplande stap geschrapt"),
    "reminder planned": _l("herinnering gepland"),
    "reports built": _l("rapporten opgebouwd"),
    "results downloaded": _l("resultaten gedownload"),
    "report version published": _l("nieuwe rapportversie gepubliceerd"),
    "remarks approved": _l("opmerkingen goedgekeurd"),
    "remark approve": _l("opmerking goedgekeurd"),
    "remark redact": _l("opmerking ingekort goedgekeurd"),
    "remark hide": _l("opmerking verborgen"),
    "remark reset": _l("opmerking terug te beoordelen"),
    "remarks tagged": _l("thema aan opmerkingen gegeven"),
    "remarks untagged": _l("thema van opmerkingen gehaald"),
    "remark themes set": _l("thema's van een opmerking ingesteld"),
    "suggestions accepted": _l("themasuggesties aanvaard"),
    "theme added": _l("thema toegevoegd"),
    "theme changed": _l("thema gewijzigd"),
    "theme deleted": _l("thema verwijderd"),
    "codebook copied": _l("codeboek gekopieerd"),
    "questionnaire uploaded": _l("vragenlijst opgeladen"),
    "questionnaire concept replaced": _l("concept van een vragenlijst vervangen"),
    "questionnaire concept deleted": _l("concept van een vragenlijst verwijderd"),
    "questionnaire published": _l("vragenlijst gepubliceerd"),
    "questionnaire downloaded": _l("vragenlijst gedownload"),
    "follow-up submitted": _l("antwoord van een CLB ingediend"),
    "access codes made": _l("codes gemaakt"),
}
# "<message> sent": a batch of invitations or reminders (message keys of services/mailing)
_SENT = re.compile(r"^(invitation|reminder-([1-9]))s? sent$")
_COMMAND_LINE = " (command line)"
_SCHEDULE = " (schedule)"       # a step of a round's planning (services/schedule_run.py)


def action_label(action: str) -> str:
    """The action in words; as stored when it is not known."""
    if action.endswith(_COMMAND_LINE):
        label = action_label(action.removesuffix(_COMMAND_LINE))
        return gettext("%(action)s (opdrachtregel)", action=label)
    if action.endswith(_SCHEDULE):
        label = action_label(action.removesuffix(_SCHEDULE))
        return gettext("%(action)s (planning)", action=label)
    if action in ACTIONS:
        return str(ACTIONS[action])
    if match := _SENT.match(action):
        if match.group(2):
            return gettext("herinnering %(number)s verstuurd", number=match.group(2))
        return gettext("uitnodigingen verstuurd")
    return action


DETAILS = {
    "round": _l("bevraging"), "rows": _l("rijen"), "rejected": _l("geweigerd"),
    "changes": _l("wijzigingen"), "sent": _l("verstuurd"), "failed": _l("mislukt"),
    "schools": _l("scholen"), "questionnaire": _l("vragenlijst"), "version": _l("versie"),
    "role": _l("rol"), "links": _l("links"), "count": _l("aantal"), "message": _l("bericht"),
    "theme": _l("thema"), "old": _l("oud"), "new": _l("nieuw"), "number": _l("nummer"),
    "address": _l("adres"),
    "changed": _l("gewijzigd"), "source": _l("bron"), "to": _l("aan"),
    "centre_added": _l("CLB toegevoegd"), "centre": _l("CLB"), "kind": _l("soort"),
    "remarks": _l("opmerkingen"), "step": _l("stap"), "due_at": _l("tijdstip"),
    "job": _l("taak"), "summary": _l("samenvatting"), "steps": _l("stappen"),
    "source_round": _l("bronbevraging"), "remark": _l("opmerking"), "tags": _l("thema's"),
    "tags_removed": _l("thema's weggehaald"), "removed": _l("weggehaald"),
    "response": _l("antwoord"), "file": _l("bestand"), "filename": _l("bestandsnaam"),
    "format": _l("formaat"),
    "school": _l("school"), "codes": _l("codes"),
}


def detail_label(key: str) -> str:
    """A detail's key in words (as stored when it is not known)."""
    return str(DETAILS[key]) if key in DETAILS else key


# Internal codes stored as detail values, in words. The kinds of results file
# (survey/results.py), reminder audiences (instrument/domain.py), and the names of a
# round's settings as round_drafts.update_draft reports what changed.
def _codes() -> dict[str, str]:
    from .. import results

    return {
        results.SHEET: _l("resultatenblad"), results.WORKBOOK: _l("werkboek"),
        results.SECTOR_WORKBOOK: _l("sectorwerkboek"),
        results.SECTOR_REPORT: _l("sectorrapport"),
        results.SECTOR_REPORT_DATA: _l("gegevens van het sectorrapport"),
        results.ANSWERS_CSV: _l("alle antwoorden (csv)"),
        results.ANSWERS_XLSX: _l("alle antwoorden (xlsx)"),
        results.ZIP: _l("alle rapporten (zip)"),
        results.ANSWERS_SAV: _l("alle antwoorden (sav)"),
        results.ANALYSIS_CSV: _l("analysebestand (csv)"),
        results.CODEBOOK: _l("codeboek (csv)"),
        **{str(audience): _l(name) for audience, name in AUDIENCE_NAMES.items()},
        "name": _l("naam"), "school_year": _l("schooljaar"), "opens_at": _l("opent op"),
        "closes_at": _l("sluit op"), "min_group_size": _l("kleinste groep"),
        "min_benchmark_centres": _l("aantal andere CLB's voor een sectorcijfer"),
        "reference_round_id": _l("referentiebevraging"),
        "audience": _l("wie antwoordt"), "access": _l("met codes of persoonlijke links"),
        "invitation_subject": _l("onderwerp van de uitnodiging"),
        "invitation_body": _l("tekst van de uitnodiging"),
        "reminder_subject": _l("onderwerp van de herinnering"),
        "reminder_body": _l("tekst van de herinnering"),
    }


# An ISO time as datetime.isoformat() writes it (models store UTC; a naive one is UTC too)
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                       r"(Z|[+-]\d{2}:\d{2})?$", re.ASCII)


def detail_value(value: object) -> str:
    """A detail's value as the log shows it, in one place: lists joined with ", " (empty:
    "—"), None "—", booleans ja/nee, ISO times in Brussels time, known codes (results
    files, mail messages, audiences, settings) in words, anything else as stored."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("ja") if value else gettext("nee")
    if isinstance(value, list | tuple):
        return ", ".join(detail_value(v) for v in value) or "—"
    if not isinstance(value, str):
        return str(value)
    if _ISO_TIME.match(value):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return local_datetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    if value == mailing.INVITATION:
        return gettext("uitnodiging")
    if match := mailing.REMINDER_KEY.match(value):
        return gettext("herinnering %(number)s", number=match.group(1))
    if match := mailing.RESEND_KEY.match(value):
        return gettext("uitnodiging opnieuw verstuurd (%(number)s)", number=match.group(1))
    codes = _codes()
    return str(codes[value]) if value in codes else value


def choices(actions: list[str]) -> list[tuple[str, str]]:
    """The stored actions as (value, label) for the log's filter, by label."""
    return sorted(((a, action_label(a)) for a in actions), key=lambda pair: pair[1].lower())
