"""Forms of the inspectors' console."""

from flask_babel import lazy_gettext
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
from ..services.mail_texts import (
    DEFAULT_INVITATION_BODY,
    DEFAULT_INVITATION_SUBJECT,
    DEFAULT_REMINDER_BODY,
    DEFAULT_REMINDER_SUBJECT,
)


class UploadForm(CleanForm):
    file = FileField("Bestand met CLB's en scholen (.xlsx of .csv)",
                     validators=[FileRequired("Kies een bestand.")])


class ConfirmImportForm(CleanForm):
    upload = HiddenField(validators=[DataRequired(), Length(min=32, max=32)])


class InviteUserForm(CleanForm):
    email = EmailField("E-mailadres", validators=[DataRequired(), Length(max=254)])
    name = StringField("Naam", validators=[Optional(), Length(max=200)])
    role = SelectField("Rol", choices=[SelectChoice("inspector", "Inspecteur"),
                                       SelectChoice("centre", "Medewerker van een CLB")])
    centre = SelectField("CLB (voor een CLB-medewerker)", choices=[], validate_choice=False)


class AccountActionForm(CleanForm):
    """Deactivate, reactivate or send a new link to one account (CSRF only)."""




class QuestionnaireUploadForm(CleanForm):
    file = FileField(lazy_gettext("Vragenlijst (.toml of .xlsx, hoogstens 2 MB)"),
                     validators=[FileRequired(lazy_gettext("Kies een bestand."))])


class LibraryActionForm(CleanForm):
    """Publish or delete a questionnaire version (CSRF only)."""


class RoundForm(CleanForm):
    name = StringField("Naam", validators=[DataRequired(), Length(max=200)])
    school_year = StringField("Schooljaar", validators=[
        DataRequired(), Regexp(r"^\d{4}-\d{4}$", message="Schrijf het schooljaar als 2026-2027.")])
    # No version is chosen for the inspector: a round on the wrong questionnaire cannot
    # be changed once schools answer.
    questionnaire = SelectField("Vragenlijst (een gepubliceerde versie uit de bibliotheek)",
                                choices=[], validators=[
                                    DataRequired(message="Kies de vragenlijst van de bevraging.")])
    opens_at = DateTimeLocalField("Opent op (Brusselse tijd)", format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired(message="Kies een datum en uur.")])
    closes_at = DateTimeLocalField("Sluit op (Brusselse tijd)", format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message="Kies een datum en uur.")])
    min_group_size = IntegerField("Kleinste groep die in rapporten getoond wordt", default=5,
                                  validators=[NumberRange(min=1, max=100)])
    min_benchmark_centres = IntegerField(
        "Aantal andere CLB's dat een sectorcijfer minstens nodig heeft", default=3,
        validators=[NumberRange(min=1, max=50)])
    without_benchmark = BooleanField("Toch aanmaken, zonder sectorvergelijking")
    reference_round = SelectField("Referentiebevraging voor de sectorcijfers (optioneel)",
                                  choices=[], validate_choice=False)
    centres = SelectMultipleField("Alleen de scholen van deze CLB's (leeg: de hele sector)",
                                  choices=[], validate_choice=False)
    invitation_subject = StringField("Onderwerp van de uitnodiging",
                                     default=DEFAULT_INVITATION_SUBJECT,
                                     validators=[DataRequired(), Length(max=200)])
    invitation_body = TextAreaField("Tekst van de uitnodiging", default=DEFAULT_INVITATION_BODY,
                                    validators=[DataRequired(), Length(max=5000)])
    reminder_subject = StringField("Onderwerp van de herinnering",
                                   default=DEFAULT_REMINDER_SUBJECT,
                                   validators=[DataRequired(), Length(max=200)])
    reminder_body = TextAreaField("Tekst van de herinnering", default=DEFAULT_REMINDER_BODY,
                                  validators=[DataRequired(), Length(max=5000)])

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError("De sluitingsdatum moet na de openingsdatum liggen.")

    def validate_invitation_body(self, field):
        if "{link}" not in field.data:
            raise ValidationError("De tekst moet {link} bevatten: daar komt de persoonlijke link.")

    def validate_reminder_body(self, field):
        self.validate_invitation_body(field)


class RoundStateForm(CleanForm):
    action = HiddenField(validators=[DataRequired()])
    closes_at = DateTimeLocalField("Nieuwe sluitingsdatum (Brusselse tijd)",
                                   format="%Y-%m-%dT%H:%M", validators=[Optional()])


class InvitationForm(CleanForm):
    action = HiddenField(validators=[DataRequired()])


class AddSchoolForm(CleanForm):
    number = StringField("Instellingsnummer van de school",
                         validators=[DataRequired(), Length(max=10)])


class SendForm(CleanForm):
    message = SelectField("Bericht", choices=[
        SelectChoice("invitation", "Uitnodiging"),
        SelectChoice("reminder-1", "Herinnering 1"),
        SelectChoice("reminder-2", "Herinnering 2"),
        SelectChoice("reminder-3", "Herinnering 3")])
    not_started = BooleanField("Herinnering alleen aan scholen die nog niet begonnen")


class UncertainForm(CleanForm):
    message = HiddenField(validators=[DataRequired()])


class BuildForm(CleanForm):
    """Build every sheet of a round (CSRF only)."""


class ReviewForm(CleanForm):
    action = SelectField("Beslissing", choices=[
        SelectChoice("approve", "Goedkeuren"), SelectChoice("redact", "Ingekort goedkeuren"),
        SelectChoice("hide", "Verbergen"),
        SelectChoice("reset", "Terug naar nog te beoordelen")], validators=[DataRequired()])
    redacted = TextAreaField("Tekst die het CLB te zien krijgt (bij ingekort goedkeuren)",
                             validators=[Optional(), Length(max=4000)])
