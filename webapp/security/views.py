"""Account pages: the second-factor step of the login, forgotten password and invitation links, the profile with
password change, authenticator set-up and the user's own API tokens (listed, created, revoked)."""

from __future__ import annotations

import time

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import EmailField, Form, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from forms.validators import no_control_characters
from webapp.auth.models import User
from webapp.auth.services import AccountError, check_password, create_token, revoke_token, set_password, tokens_of
from webapp.auth.views import PENDING_SECOND_FACTOR, finish_login
from webapp.extensions import db
from webapp.security import limits, links, totp
from webapp.security.passwords import MIN_PASSWORD_LENGTH

bp = Blueprint("security", __name__)

PENDING_TOTP_SECRET = "tessere_totp_setup"
SECOND_FACTOR_WINDOW = 300  # seconds between the password and the code


class CodeForm(Form):
    code = StringField(
        _l("Codice di verifica"),
        [DataRequired(_l("Inserisci il codice a 6 cifre.")), Length(max=12)],
        description=_l("Le 6 cifre mostrate ora dall'app di autenticazione."),
    )


class ForgotForm(Form):
    email = EmailField(
        _l("E-mail"),
        [DataRequired(_l("Inserisci l'e-mail.")), Length(max=200), no_control_characters],
        description=_l("Ti inviamo a questo indirizzo un link per scegliere una nuova password."),
    )


class NewPasswordForm(Form):
    password = PasswordField(
        _l("Nuova password"),
        [DataRequired(_l("Inserisci la nuova password.")), Length(max=256)],
        description=_l(
            "Almeno %(n)d caratteri; evita parole comuni. Una frase di più parole va bene.", n=MIN_PASSWORD_LENGTH
        ),
    )
    confirm = PasswordField(
        _l("Ripeti la nuova password"),
        [DataRequired(_l("Ripeti la password.")), EqualTo("password", _l("Le due password non coincidono."))],
        description=_l("Scrivi di nuovo la stessa password, per evitare errori di battitura."),
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Password attuale"),
        [DataRequired(_l("Inserisci la password attuale.")), Length(max=256)],
        description=_l("Serve a confermare che sei tu."),
    )


class TokenForm(Form):
    label = StringField(
        _l("Nome del token"),
        [Length(max=100), no_control_characters],
        description=_l("Per riconoscerlo, es. «script del SIS»."),
    )


class DisableForm(Form):
    current = PasswordField(
        _l("Password attuale"),
        [DataRequired(_l("Inserisci la password attuale.")), Length(max=256)],
        description=_l("Serve a confermare che sei tu."),
    )


def _pending_key() -> str:
    pending = session.get(PENDING_SECOND_FACTOR) or {}
    return f"second-factor:{pending.get('user', '-')}"


# ----------------------------------------------------------------------------------------------- login code
@bp.route("/accesso/codice", methods=["GET", "POST"])
@limits.limiter.limit(limits.ACCOUNT_LIMIT, key_func=_pending_key, methods=["POST"], deduct_when=limits.failed)
@limits.limiter.limit(limits.ADDRESS_POST_LIMIT, methods=["POST"])
def login_code():
    pending = session.get(PENDING_SECOND_FACTOR)
    if current_user.is_authenticated or not pending:
        return redirect(url_for("tasks.worklist" if current_user.is_authenticated else "auth.login"))
    user = db.session.get(User, pending.get("user"))
    fresh = time.time() - pending.get("at", 0) < SECOND_FACTOR_WINDOW
    if user is None or not user.active or not fresh or pending.get("fingerprint") != user.session_fingerprint():
        session.pop(PENDING_SECOND_FACTOR, None)
        flash(_("La verifica è scaduta: accedi di nuovo."), "warning")
        return redirect(url_for("auth.login"))
    form = CodeForm(request.form)
    if request.method == "POST" and form.validate():
        if totp.verify_and_consume(user, form.code.data):
            db.session.commit()
            return finish_login(user, pending.get("next"))
        form.code.errors = [*form.code.errors, _("Il codice non è corretto o è già stato usato.")]
    status = 401 if request.method == "POST" else 200
    return render_template("security/login_code.html", form=form), status


# ------------------------------------------------------------------------------------------ password links
@bp.route("/password/dimenticata", methods=["GET", "POST"])
@limits.limiter.limit("5 per hour", key_func=limits.account_key, methods=["POST"])
@limits.limiter.limit(limits.ADDRESS_POST_LIMIT, methods=["POST"])
def forgot_password():
    form = ForgotForm(request.form)
    if request.method == "POST" and form.validate():
        links.request_password_reset(db.session, form.email.data)
        db.session.commit()
        flash(
            _(
                "Se l'indirizzo corrisponde a un account attivo, riceverai a breve un'e-mail con un collegamento "
                "per scegliere una nuova password (valido un'ora)."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("security/forgot_password.html", form=form), (422 if form.errors else 200)


@bp.route("/password/nuova/<token>", methods=["GET", "POST"])
@limits.limiter.limit(limits.ADDRESS_POST_LIMIT, methods=["POST"])
def reset_password(token: str):
    link = links.valid_link(db.session, token)
    if link is None:
        return render_template(
            "error.html",
            title=_("Collegamento non valido"),
            message=_(
                "Il collegamento non è valido, è già stato usato o è scaduto. Puoi chiederne uno nuovo dalla "
                "pagina di accesso («Hai dimenticato la password?»)."
            ),
        ), 404
    form = NewPasswordForm(request.form)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            try:
                user = links.use_link(db.session, token, form.password.data)
                db.session.commit()
            except AccountError as exc:
                db.session.rollback()
                form.password.errors = [*form.password.errors, str(exc)]
            else:
                flash(_("Password impostata per %(email)s: ora puoi accedere.", email=user.email), "success")
                return redirect(url_for("auth.login"))
    response = render_template("security/reset_password.html", form=form, purpose=link.purpose)
    return response, status


# ---------------------------------------------------------------------------------------------- profile
def _account_page(token_form=None, new_token=None, status=200):
    return render_template(
        "security/account.html",
        tokens=tokens_of(db.session, current_user),
        token_form=token_form or TokenForm(),
        new_token=new_token,
        totp_required=totp.totp_required_for(current_user),
        disable_form=DisableForm(),
    ), status


@bp.route("/profilo")
@login_required
def account():
    return _account_page()


@bp.route("/profilo/password", methods=["GET", "POST"])
@login_required
@limits.limiter.limit("10 per hour", methods=["POST"], deduct_when=limits.failed)
def change_password():
    form = ChangePasswordForm(request.form)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            if not check_password(current_user, form.current.data):
                form.current.errors = [*form.current.errors, _("La password attuale non è corretta.")]
            else:
                user = current_user._get_current_object()
                try:
                    set_password(db.session, user, form.password.data)
                    db.session.commit()
                except AccountError as exc:
                    db.session.rollback()
                    form.password.errors = [*form.password.errors, str(exc)]
                else:
                    finish_login(user, None, welcome=False)  # the session id follows the new password
                    flash(
                        _("Password cambiata. Le altre sessioni aperte con la vecchia password sono chiuse."), "success"
                    )
                    return redirect(url_for("security.account"))
    return render_template("security/change_password.html", form=form), status


@bp.route("/profilo/due-fattori", methods=["GET", "POST"])
@login_required
def totp_setup():
    user = current_user._get_current_object()
    secret = session.get(PENDING_TOTP_SECRET)
    if not secret or request.method == "GET":
        secret = totp.new_secret()
        session[PENDING_TOTP_SECRET] = secret
    form = CodeForm(request.form)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            user.totp_last_step = None
            if totp.verify_and_consume(user, form.code.data, secret=secret):
                totp.set_secret(user, secret)  # stored encrypted
                db.session.commit()
                session.pop(PENDING_TOTP_SECRET, None)
                flash(_("Verifica in due passaggi attivata: al prossimo accesso ti chiederemo il codice."), "success")
                return redirect(url_for("security.account"))
            db.session.rollback()
            form.code.errors = [
                *form.code.errors,
                _("Il codice non è corretto: controlla l'ora del telefono e riprova."),
            ]
    return render_template(
        "security/totp_setup.html",
        form=form,
        secret=totp.grouped(secret),
        uri=totp.provisioning_uri(secret, user.email),
        qr=totp.qr_data_uri(totp.provisioning_uri(secret, user.email)),
        required=totp.needs_totp_setup(user),
        replacing=bool(user.totp_secret),
    ), status


@bp.route("/profilo/due-fattori/disattiva", methods=["POST"])
@login_required
def totp_disable():
    user = current_user._get_current_object()
    if totp.totp_required_for(user):
        flash(_("Per il tuo ruolo la verifica in due passaggi è obbligatoria: puoi solo sostituire l'app."), "warning")
        return redirect(url_for("security.account"))
    form = DisableForm(request.form)
    if not form.validate() or not check_password(user, form.current.data):
        flash(_("Password non corretta: la verifica in due passaggi resta attiva."), "danger")
        return redirect(url_for("security.account"))
    user.totp_secret = None
    user.totp_last_step = None
    db.session.commit()
    flash(_("Verifica in due passaggi disattivata."), "info")
    return redirect(url_for("security.account"))


@bp.route("/profilo/token", methods=["POST"])
@login_required
def create_token_page():
    form = TokenForm(request.form)
    if not form.validate():
        return _account_page(token_form=form, status=422)
    token = create_token(db.session, current_user._get_current_object(), form.label.data)
    db.session.commit()
    return _account_page(new_token=token)


@bp.route("/profilo/token/<int:token_id>/revoca", methods=["POST"])
@login_required
def revoke_token_page(token_id: int):
    row = revoke_token(db.session, current_user._get_current_object(), token_id)
    if row is None:
        abort(404)
    db.session.commit()
    flash(_("Token revocato: da ora non dà più accesso."), "success")
    return redirect(url_for("security.account"))
