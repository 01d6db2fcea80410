"""Who is calling the API: a Bearer token, or the logged-in browser session (with its CSRF token for writes)."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from webapp.api.errors import ApiError
from webapp.auth.models import User
from webapp.auth.services import user_for_token
from webapp.extensions import db

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def resolve_api_user() -> None:
    """before_request of the API blueprint: sets g.api_user or answers 401."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Intestazione Authorization non valida: usare «Bearer TOKEN».")
        user = user_for_token(db.session, token.strip())
        if user is None:
            raise ApiError(401, "Token non valido o revocato.")
        g.api_user = user
        return
    if current_user.is_authenticated:
        if request.method in UNSAFE_METHODS:
            try:
                validate_csrf(request.headers.get("X-CSRFToken"))
            except (ValidationError, CSRFError):
                raise ApiError(400, "Manca il token CSRF (intestazione X-CSRFToken).") from None
        g.api_user = current_user._get_current_object()
        return
    if request.endpoint == "api.openapi":
        g.api_user = None
        return
    raise ApiError(401, "Autenticazione richiesta: usare un token (Authorization: Bearer TOKEN).")


def api_user() -> User:
    return g.api_user
