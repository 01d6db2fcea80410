"""Login and logout pages. Failed logins are throttled per account and per address (webapp.security.limits);
accounts with a second factor finish logging in on the code page (webapp.security.views.login_code)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import EmailField, Form, PasswordField
from wtforms.validators import DataRequired, Length

from forms.validators import no_control_characters
from webapp.auth.services import authenticate
from webapp.extensions import db
from webapp.i18n.languages import clear_session_keeping_language
from webapp.security import limits

bp = Blueprint("auth", __name__)

PENDING_SECOND_FACTOR = "tessere_pending_2fa"


class LoginForm(Form):
    # no control characters: PostgreSQL refuses a NUL byte even in a query's parameter (a 500 instead of a refusal)
    email = EmailField(
        _l("E-mail"),
        [DataRequired(_l("Inserisci l'e-mail.")), Length(max=200), no_control_characters],
        description=_l("L'indirizzo con cui sei registrato in Tessere."),
    )
    password = PasswordField(
        _l("Password"),
        [DataRequired(_l("Inserisci la password.")), Length(max=256)],
        description=_l("Se l'hai dimenticata, usa il link «Hai dimenticato la password?» qui sotto."),
    )


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def finish_login(user, next_url: str | None, welcome: bool = True):
    clear_session_keeping_language()  # a fresh session at login: nothing from before survives (no session fixation)
    login_user(user)
    if welcome:
        flash(_("Benvenuta/o, %(name)s.", name=user.name), "success")
    return redirect(_safe_next(next_url) or url_for("tasks.worklist"))


@bp.route("/accesso", methods=["GET", "POST"])
@limits.limiter.limit(limits.ACCOUNT_LIMIT, key_func=limits.account_key, methods=["POST"], deduct_when=limits.failed)
@limits.limiter.limit(limits.ADDRESS_LIMIT, methods=["POST"], deduct_when=limits.failed)
@limits.limiter.limit(limits.ADDRESS_POST_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tasks.worklist"))
    form = LoginForm(request.form)
    if request.method == "POST" and form.validate():
        user = authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            if user.totp_secret:
                session[PENDING_SECOND_FACTOR] = {
                    "user": user.id,
                    "fingerprint": user.session_fingerprint(),
                    "at": int(time.time()),
                    "next": _safe_next(request.args.get("next")),
                }
                return redirect(url_for("security.login_code"))
            return finish_login(user, request.args.get("next"))
        flash(_("E-mail o password non corrette."), "danger")
    return render_template("auth/login.html", form=form), (401 if request.method == "POST" else 200)


@bp.route("/esci", methods=["POST"])
@login_required
def logout():
    logout_user()
    clear_session_keeping_language()
    flash(_("Sei uscita/o da Tessere."), "info")
    return redirect(url_for("auth.login"))
