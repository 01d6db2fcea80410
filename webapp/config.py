"""Settings: defaults here, then `TESSERE_*` environment variables, then instance/config.py, then the test mapping."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "si", "sì", "on")


# E-mail (see webapp/notifications/mail.py): without TESSERE_MAIL_SERVER messages are written to TESSERE_MAIL_DIR.
MAIL_SETTINGS = {
    "TESSERE_MAIL_SERVER": str,
    "TESSERE_MAIL_PORT": int,
    "TESSERE_MAIL_USE_TLS": _flag,  # implicit TLS (SMTPS, usually port 465)
    "TESSERE_MAIL_USE_STARTTLS": _flag,  # STARTTLS (usually port 587)
    "TESSERE_MAIL_USERNAME": str,
    "TESSERE_MAIL_PASSWORD": str,
    "TESSERE_MAIL_SENDER": str,
    "TESSERE_MAIL_TIMEOUT": int,
    "TESSERE_MAIL_CA_FILE": str,  # PEM of the authority that signed the server's certificate (internal CA)
    "TESSERE_MAIL_DIR": str,
    "TESSERE_BASE_URL": str,  # links in e-mails, e.g. https://tessere.comune.campi-bisenzio.fi.it
    "TESSERE_ACCESSIBILITY_CONTACT": str,  # who receives the accessibility feedback form (/accessibilita/segnala)
}


def load_settings(app, overrides: dict | None) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'tessere.sqlite'}",
        BABEL_DEFAULT_LOCALE="it",
        BABEL_DEFAULT_TIMEZONE="Europe/Rome",
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        TESSERE_BPMN_DIR=str(Path(app.root_path).parent / "bpmn"),
        JSON_SORT_KEYS=False,
        TESSERE_MAIL_DIR=str(instance / "mail"),
    )
    for name, parse in MAIL_SETTINGS.items():
        if os.environ.get(name):
            app.config[name] = parse(os.environ[name])
    database_url = os.environ.get("TESSERE_DATABASE_URL")
    if database_url:
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    secret = os.environ.get("TESSERE_SECRET_KEY")
    app.config.from_pyfile("config.py", silent=True)
    if overrides:
        app.config.update(overrides)
    if secret:
        app.config["SECRET_KEY"] = secret
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if "SQLALCHEMY_ENGINE_OPTIONS" in app.config:
        return
    if uri.startswith("sqlite"):
        # Wait for a writer instead of failing at once (busy timeout); concurrent steps then meet the lock-version
        # check. WAL journaling and synchronous=FULL are set on each connection by webapp/database.py.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}}
    else:
        # No pool_pre_ping: it costs a round trip (SELECT 1) at every checkout, i.e. every request and every step,
        # to guard against a rare event. Instead connections are retired after 30 minutes (pool_recycle, below
        # the usual idle timeouts of servers and firewalls), and a connection dropped anyway (the server
        # restarted) fails the one request that meets it: SQLAlchemy then discards the whole pool, that request
        # is rolled back and answered "riprova" (webapp/database.py), and the next one reconnects. The trade-off:
        # after a PostgreSQL restart one request per process gets that answer instead of being served.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_recycle": 1800}
        schema = os.environ.get("TESSERE_DATABASE_SCHEMA")  # PostgreSQL: work in this schema instead of public
        if schema:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", schema):
                raise ValueError(f"TESSERE_DATABASE_SCHEMA non valido: {schema!r}")
            app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] = {"options": f"-csearch_path={schema}"}


def _instance_secret(instance: Path) -> str:
    """A random secret kept in the instance folder, so sessions survive restarts without configuration."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
