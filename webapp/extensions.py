"""Flask extensions, created once and bound to the app by `create_app` (see CONVENTIONS.md)."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from engine.models import Base
from webapp.lazy_migrate import LazyMigrate

db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()  # Flask-Migrate (and Alembic) imported only when a migration command runs
login = LoginManager()
babel = Babel()
csrf = CSRFProtect()
