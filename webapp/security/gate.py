"""The before_request hooks that enforce `policy.ROUTES` and the second factor for managers and administrators."""

from __future__ import annotations

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from webapp.extensions import login
from webapp.security import policy
from webapp.security.totp import needs_totp_setup

MAX_ID = 2**31  # PostgreSQL INTEGER: a larger id cannot exist and would make the query fail

# What a manager or administrator who still has to set up the second factor may open meanwhile.
TOTP_SETUP_ENDPOINTS = {"security.totp_setup", "auth.logout", "static"}


def check_route_policy():
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: the 404/405 handlers answer
        return None
    if any(isinstance(v, int) and not 0 <= v < MAX_ID for v in (request.view_args or {}).values()):
        abort(404)  # no row has such an id, and the databases would overflow on it
    rule = policy.rule_for(endpoint)
    if rule is None:
        current_app.logger.error("endpoint %s has no access policy (webapp/security/policy.py): refused", endpoint)
        abort(404)
    if rule.allow in (policy.PUBLIC, policy.API):
        return None
    if not current_user.is_authenticated:
        return login.unauthorized()
    if not rule.allows(current_user.role):
        abort(404)
    return None


def check_second_factor():
    if not current_user.is_authenticated or request.endpoint in TOTP_SETUP_ENDPOINTS or request.endpoint is None:
        return None
    if not needs_totp_setup(current_user):
        return None
    if request.path.startswith("/api/"):
        return {"error": "Configura la verifica in due passaggi prima di usare Tessere."}, 401
    return redirect(url_for("security.totp_setup"))


def init_app(app: Flask) -> None:
    app.before_request(check_route_policy)
    app.before_request(check_second_factor)
