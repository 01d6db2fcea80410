"""Cross-cutting protections: the route policy gate, security headers and CSP, session cookies, login throttling,
the second factor for managers and administrators, and the account pages (password reset, TOTP, API tokens).

`init_app(app)` wires them; the rules live in `policy` (who reaches what), `passwords` (what a password must be),
`totp`, `links` (single-use e-mail links) and `headers`.
"""

from __future__ import annotations

import os

from flask import Flask


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "si", "sì", "on")


# Settings read from the environment unless instance/config.py or the test mapping already set them.
ENVIRONMENT_SETTINGS = {
    "TESSERE_REQUIRE_TOTP": _flag,  # second factor required for managers and administrators (default: on)
    "TESSERE_RATELIMIT_STORAGE_URI": str,  # e.g. redis://localhost:6379 with several gunicorn workers
    "TESSERE_PROXY_FIX": int,  # reverse proxies in front of the app whose X-Forwarded-* headers are trusted
    "TESSERE_RETENTION_YEARS": int,  # years after closing before `tessere retention` anonymizes a case
    "TESSERE_MAIL_RETENTION_DAYS": int,  # days a sent e-mail is kept before `tessere retention` deletes it
    "TESSERE_TOTP_KEY": str,  # key that encrypts the TOTP secrets at rest (default: derived from SECRET_KEY)
    "TESSERE_SCHEDA_MIN_SECONDS": float,  # public scheda posted sooner than this is a bot's (membership/antispam.py)
    "SESSION_COOKIE_SECURE": _flag,  # force Secure cookies (they are Secure anyway on HTTPS requests)
}


def init_app(app: Flask) -> None:
    from webapp.security import gate, headers, limits
    from webapp.security.views import bp

    for name, parse in ENVIRONMENT_SETTINGS.items():
        value = os.environ.get(name) or os.environ.get(f"TESSERE_{name}")
        if value and (name not in app.config or name == "SESSION_COOKIE_SECURE"):  # Flask always defines it
            app.config[name] = parse(value)
    app.config.setdefault("TESSERE_REQUIRE_TOTP", not app.config.get("TESTING"))
    headers.init_app(app)
    limits.init_app(app)
    gate.init_app(app)
    app.register_blueprint(bp)
