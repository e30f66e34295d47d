"""Flask extensions, created unbound; `create_app` binds them."""

from typing import TYPE_CHECKING
from typing import Any
from typing import cast

from flask import current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy.orm import Session

from models import Base
from workflows import settings as app_settings

SETTINGS = "orgflow.settings"  # app.extensions[SETTINGS]: the app's workflows Settings


def settings() -> app_settings.Settings:
    """The current app's Settings (built by `create_app` from its config)."""
    found = current_app.extensions[SETTINGS]
    assert isinstance(found, app_settings.Settings)
    return found


class AppSession(FlaskSession):
    """Flask-SQLAlchemy's session, carrying its app's Settings (`workflows.settings.of`): one
    factory serves every app in the process, so each session looks its app up when it opens."""

    def __init__(self, db: SQLAlchemy, **kwargs: Any) -> None:
        super().__init__(db, **kwargs)
        app_settings.attach(self, settings())


class Database(SQLAlchemy):
    """Flask-SQLAlchemy with `session` typed as what it stands for. The scoped session proxies
    each Session method to the request's own session, so the services (which take a Session and
    never see Flask) accept it; typed as `scoped_session`, every call into them would be refused
    by mypy."""

    if TYPE_CHECKING:
        session: Session  # type: ignore[assignment]

    def current(self) -> Session:
        """This request's Session itself, for the few members the scoped proxy does not forward
        (`in_transaction`, `get_transaction`)."""
        scoped: Any = self.session
        return cast(Session, scoped())


# expire_on_commit=False: a request that just committed answers from what it wrote instead of
# re-reading every row (the session ends with the request anyway).
db = Database(model_class=Base, session_options={"expire_on_commit": False, "class_": AppSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
