"""Network agreements and specialist services: what managers record, what binds an operator to a service, whether
a service may refer today, and the referrals seen by referring service.

A `health_service` operator takes people in charge and sends them to offers like a social worker (see
`webapp.workflow.TessereEngine` for the tasks they may complete), but only while their service is active and its
agreement in force: `referral_block_reason` says why not otherwise, in words the operator can act on. It is checked
by the intake page and, whatever the channel (web, API), by the `case.register` and `referral.send` operations.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from webapp.agreements.forms import SERVICE_KINDS
from webapp.agreements.models import NetworkAgreement, SpecialistService
from webapp.auth.models import User
from webapp.i18n.formatting import format_date
from webapp.referrals.models import Case, Referral

ROME = ZoneInfo("Europe/Rome")
SERVICE_KIND_LABELS = dict(SERVICE_KINDS)
SOCIAL_SERVICE_LABEL = _l("Servizio sociale del Comune")


def today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(ROME).date()


class AgreementError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# ------------------------------------------------------------------ operators and their service
def service_of(session: Session, user: User | None) -> SpecialistService | None:
    if user is None or user.specialist_service_id is None:
        return None
    return session.get(SpecialistService, user.specialist_service_id)


def referral_block_reason(session: Session, user: User | None, day: date | None = None) -> str | None:
    """Why this specialist-service operator may not take people in charge or refer them today (None: they may)."""
    if user is None or user.role != "health_service":
        return None
    day = day or today()
    service = service_of(session, user)
    if service is None:
        return _(
            "Il tuo profilo non è collegato a un servizio specialistico: chiedi al responsabile del servizio di "
            "collegarlo a quello per cui lavori."
        )
    if not service.active:
        return _(
            "Il servizio «%(service)s» non è attivo nella rete: chiedi al responsabile del servizio.",
            service=service.name,
        )
    agreement = service.agreement
    if not agreement.in_force(day):
        dates = {
            "title": agreement.title,
            "start": format_date(agreement.valid_from),
            "end": format_date(agreement.valid_until),
        }
        if day < agreement.valid_from:
            return _(
                "L'accordo di rete «%(title)s» non è ancora in vigore (validità dal %(start)s al %(end)s): finché "
                "non è in vigore non puoi avviare prese in carico né inviare persone alla rete.",
                **dates,
            )
        return _(
            "L'accordo di rete «%(title)s» è scaduto (validità dal %(start)s al %(end)s): finché non è in vigore "
            "non puoi avviare prese in carico né inviare persone alla rete.",
            **dates,
        )
    return None


def referral_block_reason_for_user_id(session: Session, user_id: int | None, day: date | None = None) -> str | None:
    return referral_block_reason(session, session.get(User, user_id) if user_id is not None else None, day)


def referring_service_id(session: Session, user_id: int | None) -> int | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.specialist_service_id if user is not None and user.role == "health_service" else None


# ------------------------------------------------------------------ what managers record
def list_agreements(session: Session) -> list[NetworkAgreement]:
    return list(
        session.scalars(
            select(NetworkAgreement)
            .options(joinedload(NetworkAgreement.services))
            .order_by(NetworkAgreement.valid_until.desc(), NetworkAgreement.id.desc())
        ).unique()
    )


def active_services(session: Session) -> list[SpecialistService]:
    return list(
        session.scalars(
            select(SpecialistService)
            .options(joinedload(SpecialistService.agreement))
            .where(SpecialistService.active.is_(True))
            .order_by(SpecialistService.name)
        )
    )


def _agreement_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": data["title"].strip(),
        "counterpart": data["counterpart"].strip(),
        "reference": (data.get("reference") or "").strip() or None,
        "signed_on": data.get("signed_on"),
        "valid_from": data["valid_from"],
        "valid_until": data["valid_until"],
        "note": (data.get("note") or "").strip() or None,
    }


def create_agreement(session: Session, user: User, data: Mapping[str, Any], now: datetime) -> NetworkAgreement:
    agreement = NetworkAgreement(**_agreement_fields(data), created_at=now, created_by_id=user.id, updated_at=now)
    session.add(agreement)
    session.flush()
    return agreement


def update_agreement(session: Session, agreement: NetworkAgreement, data: Mapping[str, Any], now: datetime) -> None:
    for name, value in _agreement_fields(data).items():
        setattr(agreement, name, value)
    agreement.updated_at = now


def add_service(
    session: Session, agreement: NetworkAgreement, data: Mapping[str, Any], now: datetime
) -> SpecialistService:
    name = data["name"].strip()
    duplicate = session.scalar(
        select(SpecialistService).where(func.lower(SpecialistService.name) == name.lower()).limit(1)
    )
    if duplicate is not None:
        raise AgreementError(_("Esiste già un servizio chiamato «%(name)s».", name=duplicate.name), field="name")
    service = SpecialistService(
        agreement_id=agreement.id,
        name=name,
        kind=data["kind"],
        email=(data.get("email") or "").strip() or None,
        phone=(data.get("phone") or "").strip() or None,
        active=True,
        created_at=now,
    )
    session.add(service)
    session.flush()
    return service


def set_service_active(session: Session, service: SpecialistService, active: bool) -> None:
    service.active = active


def operators_of(session: Session, service: SpecialistService) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.specialist_service_id == service.id, User.role == "health_service")
            .order_by(User.name)
        )
    )


# ------------------------------------------------------------------ referrals by referring service
def referrals_by_service(session: Session) -> list[dict[str, Any]]:
    """For each referring service (the social service included): cases, referrals sent and how they went."""
    counts = session.execute(
        select(
            Case.referring_service_id,
            func.count(func.distinct(Case.id)),
            func.count(Referral.id),
            func.sum(sql_case((Referral.status.in_(("accettato", "concluso")), 1), else_=0)),
            func.sum(sql_case((Referral.status.in_(("rifiutato", "scaduto")), 1), else_=0)),
            func.sum(sql_case((Referral.status == "inviato", 1), else_=0)),
        )
        .select_from(Case)
        .outerjoin(Referral, Referral.case_id == Case.id)
        .group_by(Case.referring_service_id)
    ).all()
    by_service = {row[0]: row for row in counts}
    services = session.scalars(
        select(SpecialistService).options(joinedload(SpecialistService.agreement)).order_by(SpecialistService.name)
    ).all()
    rows = []
    for service_id, label, service in [(None, SOCIAL_SERVICE_LABEL, None), *((s.id, s.name, s) for s in services)]:
        row = by_service.get(service_id)
        rows.append(
            {
                "service_id": service_id,
                "label": label,
                "service": service,
                "cases": row[1] if row else 0,
                "referrals": row[2] if row else 0,
                "accepted": int(row[3] or 0) if row else 0,
                "not_accepted": int(row[4] or 0) if row else 0,
                "waiting": int(row[5] or 0) if row else 0,
            }
        )
    return rows


def list_referrals(
    session: Session, service_id: int | None, social_service: bool = False, limit: int = 50, offset: int = 0
) -> tuple[list[Referral], int]:
    """Referrals sent for cases of one referring service (or of the social service), newest first."""
    query = (
        select(Referral)
        .join(Case, Referral.case_id == Case.id)
        .options(joinedload(Referral.case), joinedload(Referral.organization), joinedload(Referral.offer))
        .order_by(Referral.sent_at.desc(), Referral.id.desc())
    )
    if social_service:
        query = query.where(Case.referring_service_id.is_(None))
    elif service_id is not None:
        query = query.where(Case.referring_service_id == service_id)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.scalars(query.limit(limit).offset(offset)).unique()), total


def bind_operator(session: Session, service: SpecialistService, email: str) -> User:
    """Bind an existing `health_service` account to the service (its cases will record this service)."""
    user = session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
    if user is None:
        raise AgreementError(_("Nessun utente con questa e-mail."), field="email")
    if user.role != "health_service":
        raise AgreementError(
            _("Solo gli utenti con il ruolo «Servizio specialistico» possono essere collegati a un servizio."),
            field="email",
        )
    user.specialist_service_id = service.id
    return user
