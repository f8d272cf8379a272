"""Flask extensions, created once and bound to the app in create_app()."""
from __future__ import annotations

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

import core.ratelimit  # noqa: F401 - registers the database:// rate-limit storage

login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _limits_switched_off() -> bool:
    """RATELIMIT_ENABLED is honoured per app (Flask-Limiter keeps it on the shared Limiter,
    so the last app created would otherwise decide for all; see app.create_app)."""
    return not current_app.config.get("RATELIMIT_ENABLED", True)
