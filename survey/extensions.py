"""Flask extensions, created unbound here and initialised in create_app()."""

from flask import current_app
from flask_babel import Babel, Domain
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from werkzeug.utils import cached_property

# Stable constraint names, so that migrations can name (and later drop) what they create.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()


class _AppDomain(Domain):
    """Flask-Babel's domain keeps the loaded catalogues in one cache per Babel object, shared
    by every app that object serves: a second app (the tests make many, one with a test
    catalogue) would get the first app's texts. Each app keeps its own here."""

    def get_translations_cache(self, ctx):
        return current_app.extensions.setdefault("babel_catalogues", {})


class AppBabel(Babel):
    @cached_property
    def domain_instance(self):
        return _AppDomain(domain=self.domain)


babel = AppBabel()
