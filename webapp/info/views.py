"""The accessibility statement ("dichiarazione di accessibilità") and its feedback mechanism.

Law 4/2004 and AgID's guidelines ask every public digital service to publish a statement of how far it meets WCAG
2.1 AA, what is not yet accessible, how the statement was prepared, and a way for anyone to report a problem and
get an answer. The feedback form queues an e-mail to the municipality's accessibility contact through the same
outbox as every other message (so it is sent, retried and visible to administrators like them); it keeps no copy.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp.extensions import db
from webapp.info.forms import AccessibilityFeedbackForm
from webapp.notifications.mail import enqueue_text_mail
from webapp.security import limits

bp = Blueprint("info", __name__)

DEFAULT_CONTACT = "accessibilita@comune.campi-bisenzio.fi.it"
# When the statement was last reviewed: the automated checks (axe-core in the browser tests) and the keyboard walk.
DEFAULT_STATEMENT_DATE = date(2026, 11, 25)


def accessibility_contact() -> str:
    return current_app.config.get("TESSERE_ACCESSIBILITY_CONTACT") or DEFAULT_CONTACT


@bp.route("/accessibilita")
def accessibility_statement():
    return render_template(
        "info/accessibility.html",
        contact=accessibility_contact(),
        statement_date=current_app.config.get("TESSERE_ACCESSIBILITY_STATEMENT_DATE") or DEFAULT_STATEMENT_DATE,
    )


@bp.route("/accessibilita/segnala", methods=["GET", "POST"])
@limits.limiter.limit(limits.ADDRESS_POST_LIMIT, methods=["POST"])
def accessibility_feedback():
    form = AccessibilityFeedbackForm(request.form if request.method == "POST" else None)
    if request.method == "POST":
        if (request.form.get("website") or "").strip():
            # A robot filled the hidden field: answer as if all went well, send nothing.
            flash(_("Grazie: la segnalazione è stata inviata."), "success")
            return redirect(url_for("info.accessibility_statement"))
        if form.validate():
            _queue_feedback(form)
            db.session.commit()
            flash(
                _("Grazie: la segnalazione è stata inviata. Ti risponderemo all'indirizzo %(email)s entro 30 giorni.",
                  email=form.email.data.strip()),
                "success",
            )
            return redirect(url_for("info.accessibility_statement"))
        return render_template("info/accessibility_feedback.html", form=form), 422
    return render_template("info/accessibility_feedback.html", form=form)


def _queue_feedback(form: AccessibilityFeedbackForm) -> None:
    """One plain-text e-mail to the accessibility contact; the body is text, so nothing typed can become markup."""
    lines = [
        "Segnalazione di accessibilità ricevuta dal modulo di Tessere.",
        "",
        f"Nome: {(form.name.data or '').strip() or '(non indicato)'}",
        f"E-mail per la risposta: {form.email.data.strip()}",
        f"Pagina o servizio: {(form.page.data or '').strip() or '(non indicata)'}",
        "",
        "Descrizione del problema:",
        form.problem.data.strip(),
        "",
        "La risposta è dovuta entro 30 giorni (Linee guida AgID sull'accessibilità degli strumenti informatici).",
    ]
    enqueue_text_mail(
        db.session,
        accessibility_contact(),
        "Segnalazione di accessibilità – Tessere",
        "\n".join(lines),
        kind="segnalazione_accessibilita",
        now=datetime.now(UTC),
    )
