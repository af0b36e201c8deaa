"""Forms of the inspectors' console."""

import re

from flask_babel import gettext, ngettext
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..cleanforms import CleanForm
from ..services import mail_texts
from ..translations import lazy_gettext as _l


def brussels_time(form, field) -> None:
    """A typed Brussels time that exists: the night the clock jumps to summer time has no
    02:00-03:00 (services/schedule_time.to_utc refuses it, with its Dutch message)."""
    from ..services.schedule_time import ScheduleError, to_utc

    if field.data is not None:
        try:
            to_utc(field.data)
        except ScheduleError as exc:
            raise ValidationError(str(exc)) from None


# What services/mailing.compose() replaces in a round's mail texts (a test checks that
# compose() replaces each of them).
PLACEHOLDERS = ("{school}", "{clb}", "{link}", "{deadline}", "{round}")
# Anything that looks like a placeholder: braces around a word without spaces ("{schol}",
# "{0}", "{link.__class__}", "{school!r}", "{deadline:%Y}"). A brace alone, or braces
# around words with spaces, is plain text that goes out as typed.
PLACEHOLDER_LIKE = re.compile(r"\{[^{}\s]*\}")


def known_placeholders(form, field) -> None:
    """Refuse a mail text with a placeholder compose() does not know: it would reach
    every school as typed."""
    unknown = sorted({token for token in PLACEHOLDER_LIKE.findall(field.data or "")
                      if token not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(" ".join((
            ngettext("Onbekende plaatshouder: %(unknown)s.",
                     "Onbekende plaatshouders: %(unknown)s.", len(unknown),
                     unknown=", ".join(unknown)),
            gettext("Bekende plaatshouders: %(known)s.", known=", ".join(PLACEHOLDERS)))))


def offered_choice(message):
    """A select whose posted value must be one of its choices (or empty: none)."""
    def check(form, field) -> None:
        values = field.data if isinstance(field.data, list) else [field.data]
        offered = {str(choice.value) for choice in field.choices or ()}
        if any(value and value not in offered for value in values):
            raise ValidationError(str(message))
    return check


def _mail_default(column: str):
    """A new round's mail text in the inspector's language, made when the form is."""
    return lambda: mail_texts.defaults()[column]


class UploadForm(CleanForm):
    file = FileField(_l("Bestand met CLB's en scholen (.xlsx of .csv)"),
                     validators=[FileRequired(_l("Kies een bestand."))])


class ConfirmImportForm(CleanForm):
    upload = HiddenField(validators=[DataRequired(), Length(min=32, max=32)])


class InviteUserForm(CleanForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Naam"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Rol"), choices=[SelectChoice("inspector", _l("Inspecteur")),
                                       SelectChoice("centre", _l("Medewerker van een CLB"))])
    centre = SelectField(_l("CLB (voor een CLB-medewerker)"), choices=[], validate_choice=False)


class AccountActionForm(CleanForm):
    """Deactivate, reactivate or send a new link to one account (CSRF only)."""




class QuestionnaireUploadForm(CleanForm):
    file = FileField(_l("Vragenlijst (.toml of .xlsx, hoogstens 2 MB)"),
                     validators=[FileRequired(_l("Kies een bestand."))])


class LibraryActionForm(CleanForm):
    """Publish or delete a questionnaire version (CSRF only)."""


class RoundForm(CleanForm):
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=200)])
    school_year = StringField(_l("Schooljaar"), validators=[
        DataRequired(),
        Regexp(r"^\d{4}-\d{4}$", message=_l("Schrijf het schooljaar als 2026-2027."))])
    # No version is chosen for the inspector: a round on the wrong questionnaire cannot
    # be changed once schools answer.
    questionnaire = SelectField(_l("Vragenlijst (een gepubliceerde versie uit de bibliotheek)"),
                                choices=[], validators=[
                                    DataRequired(
                                        message=_l("Kies de vragenlijst van de bevraging."))])
    opens_at = DateTimeLocalField(_l("Opent op (Brusselse tijd)"), format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired(message=_l("Kies een datum en uur.")),
                                              brussels_time])
    closes_at = DateTimeLocalField(_l("Sluit op (Brusselse tijd)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message=_l("Kies een datum en uur.")),
                                               brussels_time])
    min_group_size = IntegerField(_l("Kleinste groep die in rapporten getoond wordt"), default=5,
                                  validators=[NumberRange(min=1, max=100)])
    min_benchmark_centres = IntegerField(
        _l("Aantal andere CLB's dat een sectorcijfer minstens nodig heeft"), default=3,
        validators=[NumberRange(min=1, max=50)])
    without_benchmark = BooleanField(_l("Toch aanmaken, zonder sectorvergelijking"))
    audience = SelectField(_l("Wie antwoordt"), default="directors", choices=[
        SelectChoice("directors", _l("de directies van de scholen (persoonlijke link)")),
        SelectChoice("parents", _l("ouders")), SelectChoice("pupils", _l("leerlingen")),
        SelectChoice("staff", _l("personeelsleden"))])
    with_codes = BooleanField(_l("Met codes: anoniem, één code per persoon, per school "
                                 "aangemaakt"))
    reference_round = SelectField(_l("Referentiebevraging voor de sectorcijfers (optioneel)"),
                                  choices=[], validate_choice=False, validators=[
                                      offered_choice(_l("Kies een referentiebevraging uit "
                                                        "de lijst."))])
    centres = SelectMultipleField(_l("Alleen de scholen van deze CLB's (leeg: de hele sector)"),
                                  choices=[], validate_choice=False, validators=[
                                      offered_choice(_l("Dit CLB bestaat niet (meer): kies "
                                                        "een CLB uit de lijst."))])
    invitation_subject = StringField(_l("Onderwerp van de uitnodiging"),
                                     default=_mail_default("invitation_subject"),
                                     validators=[DataRequired(), Length(max=200),
                                                 known_placeholders])
    invitation_body = TextAreaField(_l("Tekst van de uitnodiging"),
                                    default=_mail_default("invitation_body"),
                                    validators=[DataRequired(), Length(max=5000),
                                                known_placeholders])
    reminder_subject = StringField(_l("Onderwerp van de herinnering"),
                                   default=_mail_default("reminder_subject"),
                                   validators=[DataRequired(), Length(max=200),
                                               known_placeholders])
    reminder_body = TextAreaField(_l("Tekst van de herinnering"),
                                  default=_mail_default("reminder_body"),
                                  validators=[DataRequired(), Length(max=5000),
                                              known_placeholders])

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(gettext("De sluitingsdatum moet na de openingsdatum liggen."))

    def validate_invitation_body(self, field):
        if "{link}" not in field.data:
            raise ValidationError(gettext("De tekst moet {link} bevatten: daar komt de "
                                          "persoonlijke link."))

    def validate_reminder_body(self, field):
        self.validate_invitation_body(field)


class MakeCodesForm(CleanForm):
    """N more codes for one school of a coded round, or per group ("3A: 25, 3B: 22")."""

    invitation = HiddenField(validators=[DataRequired()])
    count = IntegerField(_l("Aantal codes"), validators=[Optional(),
                                                         NumberRange(min=1, max=2000)])
    groups = StringField(_l("Of per groep (bijvoorbeeld 3A: 25, 3B: 22)"),
                         validators=[Optional(), Length(max=2000)])

    def validate_count(self, field):
        if not field.data and not (self.groups.data or "").strip():
            raise ValidationError(gettext("Geef een aantal codes of de groepen."))


class RoundStateForm(CleanForm):
    action = HiddenField(validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Nieuwe sluitingsdatum (Brusselse tijd)"),
                                   format="%Y-%m-%dT%H:%M",
                                   validators=[Optional(), brussels_time])


class InvitationForm(CleanForm):
    action = HiddenField(validators=[DataRequired()])


class AddSchoolForm(CleanForm):
    number = StringField(_l("Instellingsnummer van de school"),
                         validators=[DataRequired(), Length(max=10)])


class SendForm(CleanForm):
    message = SelectField(_l("Bericht"), choices=[
        SelectChoice("invitation", _l("Uitnodiging")),
        SelectChoice("reminder-1", _l("Herinnering 1")),
        SelectChoice("reminder-2", _l("Herinnering 2")),
        SelectChoice("reminder-3", _l("Herinnering 3"))])
    not_started = BooleanField(_l("Herinnering alleen aan scholen die nog niet begonnen"))


class UncertainForm(CleanForm):
    message = HiddenField(validators=[DataRequired()])


class BuildForm(CleanForm):
    """Build every sheet of a round (CSRF only)."""


class ReviewForm(CleanForm):
    action = SelectField(_l("Beslissing"), choices=[
        SelectChoice("approve", _l("Goedkeuren")),
        SelectChoice("redact", _l("Ingekort goedkeuren")),
        SelectChoice("hide", _l("Verbergen")),
        SelectChoice("reset", _l("Terug naar nog te beoordelen"))], validators=[DataRequired()])
    redacted = TextAreaField(_l("Tekst die het CLB te zien krijgt (bij ingekort goedkeuren)"),
                             validators=[Optional(), Length(max=4000)])


class BulkRemarksForm(CleanForm):
    """One action on the remarks ticked on the review page."""

    selected = SelectMultipleField(_l("Geselecteerde opmerkingen"), choices=[],
                                   validate_choice=False)
    operation = SelectField(_l("Wat met de geselecteerde opmerkingen?"), choices=[
        SelectChoice("tag", _l("Thema toekennen")),
        SelectChoice("untag", _l("Thema weghalen")),
        SelectChoice("accept", _l("De voorgestelde thema's aanvaarden")),
        SelectChoice("approve", _l("Goedkeuren (alleen wie nog te beoordelen is)"))],
        validators=[DataRequired()])
    theme = SelectField(_l("Thema (bij toekennen of weghalen)"), choices=[],
                        validate_choice=False)


class RemarkThemesForm(CleanForm):
    """The themes of one remark, exactly as ticked."""

    themes = SelectMultipleField(_l("Thema's"), choices=[], validate_choice=False)


class SuggestionForm(CleanForm):
    """Accept the themes proposed for one remark (CSRF only)."""


class PositionField(IntegerField):
    """A theme's place in the codebook: one message, naming the field, for anything but a
    whole number from 0 to 9999 (IntegerField and NumberRange would give two)."""

    message = _l("De volgorde is een geheel getal van 0 tot 9999.")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(self.message)) from exc

    def post_validate(self, form, validation_stopped):
        if not self.errors and self.data is not None and not 0 <= self.data <= 9999:
            self.errors.append(str(self.message))


class ThemeForm(CleanForm):
    # The service checks the name (given, not taken) and the rules, with its own messages;
    # the lengths' messages are the service's too (they name the field).
    name = StringField(_l("Naam"), validators=[Length(max=120, message=_l(
        "Een naam heeft hoogstens %(maximum)s tekens.", maximum=120))])
    description = TextAreaField(_l("Omschrijving"), validators=[Optional(), Length(
        max=2000, message=_l("Een omschrijving heeft hoogstens %(maximum)s tekens.",
                             maximum=2000))])
    keywords = TextAreaField(_l("Regels voor voorstellen (één per lijn)"),
                             validators=[Optional(), Length(max=8000, message=_l(
                                 "De regels hebben samen hoogstens %(maximum)s tekens.",
                                 maximum=8000))])
    position = PositionField(_l("Volgorde"), validators=[Optional()])


class ThemeDeleteForm(CleanForm):
    """Delete a theme: the first post asks, the second (confirmed) deletes."""

    confirmed = HiddenField()


class CopyCodebookForm(CleanForm):
    source = SelectField(_l("Thema's kopiëren van de bevraging"), choices=[],
                         validate_choice=False)


# --- The round's workflow (confirmations, a draft's settings, copies) -------------------


class ConfirmForm(CleanForm):
    """A confirmation page's button: the CSRF token is the form."""


class PublishForm(CleanForm):
    # Required only when the readiness list is not empty (the view decides).
    confirmed = BooleanField(_l("Ik heb de punten hierboven gelezen en publiceer toch"))


class ReopenForm(CleanForm):
    closes_at = DateTimeLocalField(_l("Nieuwe sluitingsdatum (Brusselse tijd)"),
                                   format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message=_l(
                                       "Kies een nieuwe sluitingsdatum.")), brussels_time])


class AddSchoolConfirmForm(AddSchoolForm):
    """The add-school form, and its second step: "yes, its CLB joins the round"."""

    with_centre = HiddenField()


class RoundEditForm(RoundForm):
    """A draft round's settings: the round form without what a draft keeps (its
    questionnaire and its CLBs, which are its invitations)."""

    questionnaire = None
    centres = None
    without_benchmark = None


class CopyRoundForm(CleanForm):
    name = StringField(_l("Naam van de nieuwe bevraging"),
                       validators=[DataRequired(), Length(max=200)])
    school_year = StringField(_l("Schooljaar"), validators=[
        DataRequired(),
        Regexp(r"^\d{4}-\d{4}$", message=_l("Schrijf het schooljaar als 2026-2027."))])
