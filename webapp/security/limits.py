"""Login throttling with Flask-Limiter: per account and per address, counting failed attempts.

Storage is in memory by default (one process); with several gunicorn workers set `TESSERE_RATELIMIT_STORAGE_URI`
(e.g. `redis://...` or `memcached://...`) so that the workers share the counts. Limits are off under TESTING
unless `RATELIMIT_ENABLED` is set (the test that checks them does).
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)

# Failed logins: an account is slowed after 5 failures in 15 minutes, an address after 20.
ACCOUNT_LIMIT = "5 per 15 minutes"
ADDRESS_LIMIT = "20 per 15 minutes"
# Any POST to the login, reset and code pages from one address (successful ones included).
ADDRESS_POST_LIMIT = "60 per hour"


def account_key() -> str:
    """The account being tried (lower-cased e-mail), so that spreading attempts over addresses does not help."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:200]


def failed(response) -> bool:
    return response.status_code in (401, 422)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_ENABLED", not app.config.get("TESTING"))
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("TESSERE_RATELIMIT_STORAGE_URI") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)

    @app.errorhandler(429)
    def too_many(_exc):
        if request.path.startswith("/api/"):
            return {"error": "Troppe richieste: riprova più tardi."}, 429
        return render_template(
            "error.html",
            title=_("Troppi tentativi"),
            message=_("Sono stati fatti troppi tentativi in poco tempo. Attendi qualche minuto e riprova."),
        ), 429
