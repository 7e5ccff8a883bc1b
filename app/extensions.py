"""Unbound extension singletons, bound to an app in :func:`app.create_app`."""

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.base import SQLA
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = SQLA()
migrate = Migrate()
csrf = CSRFProtect()
mail = Mail()


#: The PARS page layout (language, landmarks and contrast fixes on Flask-AppBuilder's).
BASE_TEMPLATE = "pars/baselayout.html"


def new_appbuilder() -> AppBuilder:
    """A fresh AppBuilder per app: a module-level one serves only one app per process."""
    return AppBuilder(base_template=BASE_TEMPLATE)
