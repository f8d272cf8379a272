"""Application factory: config, extensions, blueprints, CLI. Nothing else."""
from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask

MAIL_ENV = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_USE_TLS",
            "MAIL_USE_SSL", "MAIL_DEFAULT_SENDER")
# Also read without the FLASK_ prefix, as the README documents them.
PLAIN_ENV = (*MAIL_ENV, "TRUSTED_PROXIES", "PUBLIC_BASE_URL")


def _secret_key(instance: Path) -> str:
    """Read instance/secret_key, generating it on first run (never committed).

    Created with O_EXCL so that several workers starting at once agree on one key.
    """
    path = instance / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as key_file:
            key_file.write(secrets.token_hex(32))
    for _attempt in range(50):  # another process may be between create and write
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty; delete it to generate a new key")


def create_app(config: dict | None = None, *, instance_path: str | None = None) -> Flask:
    """The app. Settings, later ones winning: defaults, ``instance/config.py``, ``FLASK_*``
    and mail/``DATABASE_URL`` environment variables, then ``config``. ``instance_path``
    (default: ``instance/`` beside this file) holds the SQLite file and the secret key."""
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)

    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'app.db'}",
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE="en",
        LANGUAGES=["en", "zh_Hant"],
        # Counters shared by every worker and machine through the database (core.ratelimit);
        # "redis://host:6379/0" with the redis extra; "memory://" for one process only.
        RATELIMIT_STORAGE_URI="database://",
        RATELIMIT_HEADERS_ENABLED=True,
        LOGIN_RATE_LIMIT="5 per 15 minutes",  # failures per address + email (reliability §2d)
        LOGIN_ACCOUNT_RATE_LIMIT="20 per hour",  # failures per email, from any address
        LOGIN_IP_RATE_LIMIT="30 per 15 minutes",  # failures per address, any email
        REGISTER_RATE_LIMIT="5 per hour",
        RESET_RATE_LIMIT="5 per hour",
        EMAIL_RATE_LIMIT="3 per hour",
        REMEMBER_COOKIE_DURATION=timedelta(days=30),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAIL_DEFAULT_SENDER="civic@localhost",
        TRUSTED_PROXIES=0,  # set to the number of reverse proxies in front (X-Forwarded-*)
        # Origin of every emailed link, e.g. "https://civic.example.org" (core.security.
        # public_base_url); unset: SERVER_NAME, else http://127.0.0.1:5000. Never the Host.
        PUBLIC_BASE_URL=None,
        # NORMAL: no fsync per commit; a power loss may then roll back the last commits.
        SQLITE_SYNCHRONOUS="FULL",
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY, FLASK_MAIL_SERVER, ...
    for key in PLAIN_ENV:  # plain MAIL_SERVER=... works as well as FLASK_MAIL_SERVER=...
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)

    hops = int(app.config["TRUSTED_PROXIES"] or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from core import web as core_web
    from core.db import db, set_sqlite_synchronous
    from core.extensions import csrf, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            set_sqlite_synchronous(engine, app.config["SQLITE_SYNCHRONOUS"])
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    # Always register the limiter's hooks; RATELIMIT_ENABLED is checked per request
    # (core.extensions._limits_switched_off), so tests can mix apps with and without limits.
    limits_wanted = app.config.get("RATELIMIT_ENABLED", True)
    app.config["RATELIMIT_ENABLED"] = True
    limiter.init_app(app)
    app.config["RATELIMIT_ENABLED"] = limits_wanted
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    core_web.init_app(app)

    # Importing the route modules adds their views to each package's blueprint.
    import accounts.settings_web  # noqa: F401
    import deliberation.results_web  # noqa: F401
    import deliberation.staff_web  # noqa: F401
    import deliberation.web  # noqa: F401
    import pb.staff_web  # noqa: F401
    import pb.web  # noqa: F401
    import petitions.cli  # noqa: F401
    import petitions.staff_web  # noqa: F401
    import petitions.web  # noqa: F401
    from accounts.web import admin_bp
    from accounts.web import bp as accounts_bp
    from deliberation.blueprint import bp as deliberation_bp
    from pb.blueprint import bp as pb_bp
    from petitions.blueprint import bp as petitions_bp

    for blueprint in (accounts_bp, admin_bp, pb_bp, deliberation_bp, petitions_bp):
        app.register_blueprint(blueprint)

    import composition
    from core.cli import register_cli
    from core.privacy import register_erasure
    from deliberation.cli import conversations_cli
    from deliberation.privacy import forget_user as forget_participant
    from pb.cli import budgets as budgets_cli
    from pb.privacy import forget_user as forget_voter
    from petitions.privacy import forget_user as forget_petition_signer

    register_erasure(forget_petition_signer)  # account deletion blanks their signatures,
    register_erasure(forget_voter)  # detaches their ballots and proposals,
    register_erasure(forget_participant)  # and their conversation votes and statements
    register_cli(app)
    composition.init_app(app)
    app.cli.add_command(budgets_cli)
    app.cli.add_command(conversations_cli)
    return app
