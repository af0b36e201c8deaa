"""Forms of the sign-in pages (Flask-WTF: every one carries a CSRF token)."""

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..cleanforms import CleanForm
from ..services.accounts import MIN_PASSWORD
from ..translations import lazy_gettext


class LoginForm(CleanForm):
    email = EmailField(lazy_gettext("E-mailadres"),
                       validators=[DataRequired(), Length(max=254)])
    password = PasswordField(lazy_gettext("Wachtwoord"),
                             validators=[DataRequired(), Length(max=200)])


class SetPasswordForm(CleanForm):
    password = PasswordField(
        lazy_gettext("Nieuw wachtwoord (minstens %(minimum)s tekens)", minimum=MIN_PASSWORD),
        validators=[DataRequired(), Length(max=200)])
    repeat = PasswordField(lazy_gettext("Herhaal het wachtwoord"), validators=[
        DataRequired(),
        EqualTo("password", message=lazy_gettext("De twee wachtwoorden verschillen."))])


class LogoutForm(CleanForm):
    pass
