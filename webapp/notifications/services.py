"""Who is told what: e-mail recipients of domain events, and the in-app notifications a person sees and reads.

Plain functions taking the session (and the user), called by domain operations inside their step's transaction,
by the views and by the worker. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from webapp.auth.models import ROLE_LABELS, User
from webapp.i18n import in_italian
from webapp.network.models import Organization
from webapp.notifications.mail import enqueue_mail, setting
from webapp.notifications.models import NotificationRead
from webapp.referrals.models import Notification, Referral

NOTIFICATION_KIND_LABELS = {
    "referral_received": _l("Nuovo invio"),
    "referral_reminder": _l("Promemoria"),
    "referral_accettato": _l("Invio accettato"),
    "referral_rifiutato": _l("Invio rifiutato"),
    "referral_expired": _l("Invio scaduto"),
    "outcome_received": _l("Esito ricevuto"),
    "feedback_reminder": _l("Esito da restituire"),
    "feedback_missing": _l("Esito mancante"),
    # Labels added with their areas (tests/test_notification_kinds.py finds every kind the code emits).
    "pact_published": _l("Nuovo patto di rete"),
    "pact_signed": _l("Patto firmato"),
    "pact_withdrawn": _l("Firma del patto ritirata"),
    "pact_expiry_reminder": _l("Patto in scadenza"),
    "pact_expired": _l("Patto scaduto"),
    "verification_reminder": _l("Verifica annuale dei dati"),
    "monitoring_questionnaire": _l("Questionario di monitoraggio"),
    "monitoring_reminder": _l("Promemoria del questionario"),
    "monitoring_review": _l("Monitoraggio da esaminare"),
    "monitoring_published": _l("Rapporto di monitoraggio pubblicato"),
    "signal_question": _l("Domanda sulla segnalazione"),
    "signal_taken": _l("Segnalazione presa in carico"),
    "signal_closed": _l("Segnalazione chiusa"),
    "citizen_request": _l("Richiesta di un cittadino"),
    "citizen_reminder": _l("Promemoria della richiesta"),
    "citizen_expired": _l("Richiesta scaduta"),
}


# ------------------------------------------------------------------ links and recipients
def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail (there is no request to take the host from: TESSERE_BASE_URL)."""
    base = setting("TESSERE_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    if not has_app_context():
        return base + "/"
    try:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        path = "/"
    return base + path


def organization_addresses(session: Session, organization_id: int | None) -> list[str]:
    """The organization's active operators; its general address only when it has none (they could not act)."""
    if organization_id is None:
        return []
    users = session.scalars(
        select(User.email)
        .where(User.organization_id == organization_id, User.active.is_(True), User.role == "association")
        .order_by(User.id)
    ).all()
    if users:
        return list(users)
    organization = session.get(Organization, organization_id)
    return [organization.email] if organization is not None and organization.email else []


def user_address(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.email if user is not None and user.active else None


def mail_organization(
    session: Session, organization_id: int | None, template: str, context: Mapping[str, Any], now: datetime
) -> int:
    """Queue the same e-mail to each recipient of the organization; returns how many were queued."""
    return sum(
        enqueue_mail(session, address, template, context, now) is not None
        for address in organization_addresses(session, organization_id)
    )


def mail_user(session: Session, user_id: int | None, template: str, context: Mapping[str, Any], now: datetime) -> int:
    address = user_address(session, user_id)
    return int(address is not None and enqueue_mail(session, address, template, context, now) is not None)


def referral_mail_context(referral: Referral, **extra: Any) -> dict[str, Any]:
    return {
        "referral_id": referral.id,
        "offer_title": referral.offer.title,
        "organization_name": referral.organization.name,
        "case_id": referral.case_id,
        **extra,
    }


def enqueue_invitation(
    session: Session, user: User, link: str, expires_at: datetime | None = None, now: datetime | None = None
) -> bool:
    """The e-mail inviting a new user to choose a password (the caller made the single-use link)."""
    context = {
        "name": user.name,
        "link": link,
        "expires_at": expires_at,
        "role_label": in_italian(ROLE_LABELS.get(user.role, user.role)).lower(),  # e-mails are Italian
        "organization_name": user.organization.name if user.organization else None,
    }
    return enqueue_mail(session, user.email, "invito", context, now) is not None


def enqueue_password_reset(
    session: Session, user: User, link: str, expires_at: datetime | None = None, now: datetime | None = None
) -> bool:
    context = {"name": user.name, "link": link, "expires_at": expires_at}
    return enqueue_mail(session, user.email, "reimposta_password", context, now) is not None


def enqueue_fase1_receipt(
    session: Session,
    to: str,
    organization_name: str,
    application_id: int | str,
    received_at: datetime | None = None,
    link: str | None = None,
    now: datetime | None = None,
) -> bool:
    """The receipt an organization gets when its application to join the network (Fase 1) is received."""
    context = {
        "organization_name": organization_name,
        "application_id": application_id,
        "received_at": received_at or now,
        "link": link,
    }
    return enqueue_mail(session, to, "ricevuta_fase1", context, now) is not None


# ------------------------------------------------------------------ in-app notifications
def _addressed_to(user: User):
    if user.role == "association" and user.organization_id is not None:
        return or_(Notification.user_id == user.id, Notification.organization_id == user.organization_id)
    return Notification.user_id == user.id


def _read_by(user: User):
    return exists().where(NotificationRead.notification_id == Notification.id, NotificationRead.user_id == user.id)


def unread_count(session: Session, user: User) -> int:
    return (
        session.scalar(select(func.count()).select_from(Notification).where(_addressed_to(user), ~_read_by(user))) or 0
    )


def notifications_for(
    session: Session, user: User, limit: int = 25, offset: int = 0
) -> tuple[list[tuple[Notification, bool]], int]:
    """The user's notifications, newest first, each with whether the user has read it; and their total."""
    total = session.scalar(select(func.count()).select_from(Notification).where(_addressed_to(user))) or 0
    rows = session.execute(
        select(Notification, _read_by(user).label("read"))
        .where(_addressed_to(user))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [(notification, bool(read)) for notification, read in rows], total


def notification_for(session: Session, user: User, notification_id: int) -> Notification | None:
    """The notification if it is addressed to this user (or their organization); None otherwise."""
    return session.scalar(select(Notification).where(Notification.id == notification_id, _addressed_to(user)))


def mark_read(session: Session, user: User, notifications: list[Notification], now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    ids = [n.id for n in notifications]
    if not ids:
        return
    already = set(
        session.scalars(
            select(NotificationRead.notification_id).where(
                NotificationRead.user_id == user.id, NotificationRead.notification_id.in_(ids)
            )
        )
    )
    for notification_id in ids:
        if notification_id in already:
            continue
        try:
            with session.begin_nested():  # a double click in two tabs: the second insert is simply not needed
                session.add(NotificationRead(notification_id=notification_id, user_id=user.id, read_at=now))
        except IntegrityError:
            pass


def mark_all_read(session: Session, user: User, now: datetime | None = None) -> int:
    unread = list(session.scalars(select(Notification).where(_addressed_to(user), ~_read_by(user))))
    mark_read(session, user, unread, now)
    return len(unread)


def notification_target(session: Session, user: User, notification: Notification) -> str | None:
    """Where the notification leads this user: the case for the social service, the referral for organizations."""
    from flask import url_for

    if notification.case_id is None:
        return None
    if user.role == "association":
        referral_id = session.scalar(
            select(Referral.id)
            .where(and_(Referral.case_id == notification.case_id, Referral.organization_id == user.organization_id))
            .order_by(Referral.id.desc())
            .limit(1)
        )
        return url_for("referrals.referral_detail", referral_id=referral_id) if referral_id else None
    return url_for("referrals.case_detail", case_id=notification.case_id)
