"""The e-mails of the segnalazione: to the organization that signalled, and to the social service's shared inbox.

Bodies are plain-text templates in `templates/signals/mail/`; they carry no personal data of the person signalled
(only the number of the signal and a link to Tessere, where access is checked). Each is handed to the shared outbox
in the caller's transaction (`enqueue_text_mail`): a step that rolls back sends nothing. Outbox kinds start with
`segnalazione_`.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from webapp.notifications.mail import enqueue_text_mail
from webapp.notifications.services import external_url, organization_addresses


def _body(template: str, **context) -> str:
    return current_app.jinja_env.get_template(f"signals/mail/{template}.txt").render(**context).strip() + "\n"


def mail_organization(session: Session, organization_id: int, kind: str, subject: str, now: datetime, **context) -> int:
    """The same message to every operator of the organization (or its general address when it has none)."""
    body = _body(kind, **context)
    return sum(
        enqueue_text_mail(session, address, subject, body, kind=f"segnalazione_{kind}", now=now) is not None
        for address in organization_addresses(session, organization_id)
    )


def mail_social_service(session: Session, kind: str, subject: str, now: datetime, **context) -> bool:
    """The social service's shared inbox (TESSERE_SIGNALS_EMAIL), when one is configured."""
    address = current_app.config.get("TESSERE_SIGNALS_EMAIL")
    if not address:
        return False
    body = _body(kind, **context)
    return enqueue_text_mail(session, address, subject, body, kind=f"segnalazione_{kind}", now=now) is not None


def signal_link(signal_id: int) -> str:
    return external_url("signals.signal_detail", signal_id=signal_id)
