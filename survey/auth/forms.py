"""Forms of the sign-in pages (Flask-WTF: every one carries a CSRF token)."""

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..cleanforms import CleanForm


class LoginForm(CleanForm):
    email = EmailField("E-mailadres", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Wachtwoord", validators=[DataRequired(), Length(max=200)])


class SetPasswordForm(CleanForm):
    password = PasswordField("Nieuw wachtwoord (minstens 12 tekens)",
                             validators=[DataRequired(), Length(max=200)])
    repeat = PasswordField("Herhaal het wachtwoord", validators=[
        DataRequired(), EqualTo("password", message="De twee wachtwoorden verschillen.")])


class LogoutForm(CleanForm):
    pass
