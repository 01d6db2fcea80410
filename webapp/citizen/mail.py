"""The e-mails of the richiesta del cittadino: the confirmation link and the answer to the citizen, the new request
and the reminder to the organization.

Bodies are plain-text templates in `templates/citizen/mail/`. E-mails to organizations carry no personal data of the
citizen (the request's number and a link to Tessere); e-mails to the citizen carry what the organization wrote for
them. Each is handed to the shared outbox in the caller's transaction (`enqueue_text_mail`): a step that rolls back
sends nothing. Outbox kinds start with `cittadino_`.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from forms.citizen import DECLINE_REASONS
from forms.vocabulary import italian
from webapp.notifications.mail import enqueue_text_mail
from webapp.notifications.services import external_url, organization_addresses


def _body(template: str, **context) -> str:
    return current_app.jinja_env.get_template(f"citizen/mail/{template}.txt").render(**context).strip() + "\n"


def request_link(token: str) -> str:
    return external_url("citizen.request_by_link", token=token)


def offer_link(offer_id: int) -> str:
    return external_url("catalog.offer_detail", offer_id=offer_id)


def _to_citizen(session: Session, request, kind: str, subject: str, now: datetime, **context) -> None:
    body = _body(kind, request=request, **context)
    enqueue_text_mail(session, request.email, subject, body, kind=f"cittadino_{kind}", now=now)


def send_confirmation(session: Session, request, link: str, now: datetime) -> None:
    _to_citizen(
        session,
        request,
        "conferma",
        f"Tessere – conferma la richiesta di partecipare a «{request.offer.title}»",
        now,
        link=link,
        offer_url=offer_link(request.offer_id),
    )


def send_answer(session: Session, request, now: datetime) -> None:
    subjects = {
        "accetta": f"Tessere – la tua richiesta per «{request.offer.title}» è stata accolta",
        "proponi": f"Tessere – {request.organization.name} ti propone un'altra offerta",
        "rifiuta": f"Tessere – risposta alla tua richiesta per «{request.offer.title}»",
    }
    _to_citizen(
        session,
        request,
        f"risposta_{request.answer}",
        subjects[request.answer],
        now,
        offer_url=offer_link(request.offer_id),
        proposed_url=offer_link(request.proposed_offer_id) if request.proposed_offer_id else None,
        catalog_url=external_url("catalog.offer_list"),
        reason=italian(dict(DECLINE_REASONS).get(request.decline_reason or "", "—")),  # e-mails stay Italian
    )


def send_expired(session: Session, request, now: datetime) -> None:
    _to_citizen(
        session,
        request,
        "scaduta",
        f"Tessere – nessuna risposta alla tua richiesta per «{request.offer.title}»",
        now,
        catalog_url=external_url("catalog.offer_list"),
    )


def mail_organization(session: Session, request, kind: str, subject: str, now: datetime, **context) -> int:
    body = _body(kind, request=request, link=external_url("citizen.request_detail", request_id=request.id), **context)
    return sum(
        enqueue_text_mail(session, address, subject, body, kind=f"cittadino_{kind}", now=now) is not None
        for address in organization_addresses(session, request.organization_id)
    )
