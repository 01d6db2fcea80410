"""The e-mails of the membership journey: what each says, and the one place they are handed over for delivery.

Bodies are plain-text templates in `templates/membership/mail/`; subjects are one line built here. `deliver` hands
each message to the shared outbox (`webapp.notifications.mail.enqueue_text_mail`) in the caller's transaction, so a
step that rolls back sends nothing and the worker delivers what committed. Outbox kinds start with `adesione_`.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from webapp.membership.models import MembershipApplication, OperatorInvitation
from webapp.notifications.mail import enqueue_text_mail
from webapp.notifications.services import external_url

__all__ = ["deliver", "external_url"]


def deliver(session: Session, kind: str, to: str, subject: str, body: str, now: datetime) -> None:
    """The one hand-over to the shared outbox (nothing is queued for an unusable address)."""
    enqueue_text_mail(session, to, subject, body, kind=f"adesione_{kind}", now=now)


def _body(template: str, **context) -> str:
    # The app's Jinja environment (its filters) without the page context processors: mail is also written by the
    # worker, outside any request, where those processors (the logged-in user, say) have nothing to work on.
    return current_app.jinja_env.get_template(f"membership/mail/{template}.txt").render(**context).strip() + "\n"


def send_draft_link(session: Session, application: MembershipApplication, link: str, now: datetime) -> None:
    deliver(
        session,
        "bozza",
        application.form_data.get("contact_email", [""])[0],
        "Tessere – la tua domanda di adesione alla rete è salvata in bozza",
        _body("bozza", application=application, link=link),
        now,
    )


def send_receipt(session: Session, application: MembershipApplication, link: str, now: datetime) -> None:
    deliver(
        session,
        "ricevuta",
        application.contact_email,
        f"Tessere – ricevuta della domanda di adesione, protocollo {application.protocol_number}",
        _body("ricevuta", application=application, link=link),
        now,
    )


def send_resubmission_receipt(session: Session, application: MembershipApplication, link: str, now: datetime) -> None:
    deliver(
        session,
        "ricevuta_modifiche",
        application.contact_email,
        f"Tessere – abbiamo ricevuto la domanda modificata, protocollo {application.protocol_number}",
        _body("ricevuta_modifiche", application=application, link=link),
        now,
    )


def send_changes_requested(
    session: Session, application: MembershipApplication, link: str, due_at: datetime | None, now: datetime
) -> None:
    deliver(
        session,
        "modifiche_richieste",
        application.contact_email,
        f"Tessere – servono modifiche alla domanda di adesione, protocollo {application.protocol_number}",
        _body("modifiche_richieste", application=application, link=link, due_at=due_at),
        now,
    )


def send_invitation(
    session: Session, application: MembershipApplication, invitation: OperatorInvitation, link: str, now: datetime
) -> None:
    deliver(
        session,
        "invito_operatore",
        invitation.email,
        f"Tessere – {application.name} fa parte della rete: crea il tuo accesso",
        _body("invito_operatore", application=application, invitation=invitation, link=link),
        now,
    )


def send_rejection(session: Session, application: MembershipApplication, now: datetime) -> None:
    deliver(
        session,
        "domanda_non_accolta",
        application.contact_email,
        f"Tessere – esito della domanda di adesione, protocollo {application.protocol_number}",
        _body("domanda_non_accolta", application=application),
        now,
    )


def send_lost_link(session: Session, application: MembershipApplication, to: str, link: str, now: datetime) -> None:
    """The link of a draft or of an application to amend, sent again on request («ho perso il link»)."""
    deliver(
        session,
        "link_ritrovato",
        to,
        "Tessere – il link della tua domanda di adesione alla rete",
        _body("link_ritrovato", application=application, link=link),
        now,
    )
