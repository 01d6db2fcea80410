"""Login and logout pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import EmailField, Form, PasswordField
from wtforms.validators import DataRequired

from webapp.auth.services import authenticate
from webapp.extensions import db

bp = Blueprint("auth", __name__)


class LoginForm(Form):
    email = EmailField("E-mail", [DataRequired("Inserisci l'e-mail.")])
    password = PasswordField("Password", [DataRequired("Inserisci la password.")])


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/accesso", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tasks.worklist"))
    form = LoginForm(request.form)
    if request.method == "POST" and form.validate():
        user = authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(f"Benvenuta/o, {user.name}.", "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("tasks.worklist"))
        flash("E-mail o password non corrette.", "danger")
    return render_template("auth/login.html", form=form), (401 if request.method == "POST" else 200)


@bp.route("/esci", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("Sei uscita/o da Tessere.", "info")
    return redirect(url_for("auth.login"))
