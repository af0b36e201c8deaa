"""Forms of the inspectors' console."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


class UploadForm(FlaskForm):
    file = FileField("Bestand met CLB's en scholen (.xlsx of .csv)",
                     validators=[FileRequired("Kies een bestand.")])


class ConfirmImportForm(FlaskForm):
    upload = HiddenField(validators=[DataRequired(), Length(min=32, max=32)])


class InviteUserForm(FlaskForm):
    email = EmailField("E-mailadres", validators=[DataRequired(), Length(max=254)])
    name = StringField("Naam", validators=[Optional(), Length(max=200)])
    role = SelectField("Rol", choices=[SelectChoice("inspector", "Inspecteur"),
                                       SelectChoice("centre", "Medewerker van een CLB")])
    centre = SelectField("CLB (voor een CLB-medewerker)", choices=[], validate_choice=False)
