"""Forms of the sign-in pages (Flask-WTF: every one carries a CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField("E-mailadres", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Wachtwoord", validators=[DataRequired(), Length(max=200)])


class SetPasswordForm(FlaskForm):
    password = PasswordField("Nieuw wachtwoord (minstens 12 tekens)",
                             validators=[DataRequired(), Length(max=200)])
    repeat = PasswordField("Herhaal het wachtwoord", validators=[
        DataRequired(), EqualTo("password", message="De twee wachtwoorden verschillen.")])


class LogoutForm(FlaskForm):
    pass
