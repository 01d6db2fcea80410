"""Who may see which case, and what they see of it.

The social worker in charge and managers see the whole case; an organization sees only the referrals sent to
it, with the minimum the social worker chose to share (never the codice fiscale, the notes or other
organizations' referrals). Every read of a person's record is written to the access log.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from engine import Actor
from engine.models import HumanTask
from forms.vocabulary import (
    CLOSING_OUTCOMES,
    DECLINE_REASONS,
    INTERVENTION_OUTCOMES,
    label_for,
    need_label,
    target_group_label,
)
from webapp.auth.models import User
from webapp.i18n.process_text import process_text
from webapp.network.facet_index import chosen_facets, restrict_to_facets
from webapp.network.models import Offer, Organization
from webapp.referrals.models import AccessLogEntry, Case, Referral

CASE_STATUS_LABELS = {"open": _l("Aperto"), "closed": _l("Chiuso")}
REFERRAL_STATUS_LABELS = {
    "inviato": _l("In attesa di risposta"),
    "accettato": _l("Accettato"),
    "rifiutato": _l("Rifiutato"),
    "scaduto": _l("Scaduto senza risposta"),
    "concluso": _l("Concluso"),
}
LABELS = {
    "decline_reason": dict(DECLINE_REASONS),
    "outcome": dict(INTERVENTION_OUTCOMES),
    "closing_outcome": dict(CLOSING_OUTCOMES),
}


def may_see_case(user: User, case: Case) -> bool:
    if user.role == "manager":
        return True
    return user.role in ("social_worker", "health_service") and case.owner_id == user.id


def case_for_user(session: Session, user: User, case_id: int) -> Case | None:
    """The case if this user may see it whole; None otherwise (callers answer 404: no hint it exists)."""
    case = session.get(Case, case_id)
    return case if case is not None and may_see_case(user, case) else None


def referral_for_organization(session: Session, user: User, referral_id: int) -> Referral | None:
    referral = session.get(Referral, referral_id)
    if referral is None or user.role != "association" or referral.organization_id != user.organization_id:
        return None
    return referral


def case_for_instance(session: Session, instance_id: int) -> Case | None:
    return session.scalar(select(Case).where(Case.instance_id == instance_id))


def log_access(
    session: Session, user: User, case: Case, action: str, channel: str = "web", reason: str | None = None
) -> None:
    session.add(
        AccessLogEntry(
            user_id=user.id, case_id=case.id, at=datetime.now(UTC), action=action, channel=channel, reason=reason
        )
    )


# Why a manager opens a restricted case: one of these, plus their own words (recorded in the access log).
ACCESS_REASONS = (
    ("supervisione", _l("Supervisione del caso")),
    ("sostituzione", _l("Sostituzione dell'assistente sociale in carico")),
    ("reclamo", _l("Reclamo o segnalazione della persona")),
    ("richiesta_autorita", _l("Richiesta dell'autorità giudiziaria o di polizia")),
    ("diritto_accesso", _l("Richiesta di accesso della persona ai propri dati")),
    ("altro", _l("Altro motivo (specificare)")),
)


def needs_access_reason(user: User, case: Case) -> bool:
    """Managers state why before reading a restricted case they are not in charge of."""
    return case.restricted and user.role == "manager" and case.owner_id != user.id


def withdraw_consent(session: Session, user: User, case: Case, now: datetime | None = None) -> None:
    """The person withdrew consent: no further referral, and organizations stop seeing their contacts."""
    if case.consent_withdrawn_at is not None:
        return
    now = now or datetime.now(UTC)
    case.consent_share = False
    case.consent_withdrawn_at = now
    case.consent_withdrawn_by_id = user.id
    log_access(session, user, case, "consent:withdraw")
    session.flush()


def list_cases(session: Session, user: User, status: str | None = None, limit: int = 50, offset: int = 0):
    query = select(Case).options(joinedload(Case.beneficiary)).order_by(Case.opened_at.desc())
    if user.role != "manager":
        query = query.where(Case.owner_id == user.id)
    if status in CASE_STATUS_LABELS:
        query = query.where(Case.status == status)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.scalars(query.limit(limit).offset(offset)).unique()), total


def list_received_referrals(session: Session, user: User, limit: int = 50, offset: int = 0):
    query = select(Referral).where(Referral.organization_id == user.organization_id).order_by(Referral.sent_at.desc())
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.scalars(query.limit(limit).offset(offset))), total


def display_name(case: Case, viewer: User) -> str:
    """Names of restricted cases are hidden in lists for everyone but the social worker in charge."""
    if case.anonymized_at is not None:
        return _("Persona anonimizzata")
    if case.restricted and case.owner_id != viewer.id:
        return _("%(initial)s. (caso riservato)", initial=case.beneficiary.first_name[:1])
    return case.beneficiary.full_name


def referral_view(referral: Referral) -> dict:
    """What the receiving organization may know of the person: the minimum the social worker shared."""
    person = referral.case.beneficiary
    case = referral.case
    view = {
        "referral_id": referral.id,
        "status": referral.status,
        "status_label": str(REFERRAL_STATUS_LABELS.get(referral.status, referral.status)),  # JSON-safe
        "offer_id": referral.offer_id,
        "offer_title": referral.offer.title,
        "first_name": person.first_name,
        "target_group": case.target_group,
        "target_group_label": target_group_label(case.target_group),
        "needs": [need_label(n) for n in case.needs],
        "message": referral.message,
        "sent_at": referral.sent_at.isoformat(),
        "social_worker": case.owner.name,
    }
    if case.consent_withdrawn_at is not None or case.anonymized_at is not None:
        # consent withdrawn: nothing more than the first name's initial, and the social worker to ask
        view["first_name"] = person.first_name[:1] + "."
        view["consent_withdrawn"] = True
        return view
    if referral.share_last_name:
        view["last_name"] = person.last_name
    if referral.share_phone and person.phone:
        view["phone"] = person.phone
    if referral.share_email and person.email:
        view["email"] = person.email
    return view


def case_view(case: Case) -> dict:
    """The whole case, for the social worker in charge and managers."""
    person = case.beneficiary
    return {
        "case_id": case.id,
        "status": case.status,
        "person": {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "codice_fiscale": person.codice_fiscale,
            "birth_date": person.birth_date.isoformat() if person.birth_date else None,
            "phone": person.phone,
            "email": person.email,
            "address": person.address,
        },
        "target_group": case.target_group,
        "target_group_label": target_group_label(case.target_group),
        "needs": [need_label(n) for n in case.needs],
        "referring_service": case.referring_service.name if case.referring_service else None,
        "notes": case.notes,
        "restricted": case.restricted,
        "consent_share": case.consent_share,
        "consent_scope": case.consent_scope,
        "consent_recorded_at": case.consent_recorded_at.isoformat() if case.consent_recorded_at else None,
        "consent_withdrawn_at": case.consent_withdrawn_at.isoformat() if case.consent_withdrawn_at else None,
        "referrals": [
            {
                "referral_id": r.id,
                "organization": r.organization.name,
                "offer_title": r.offer.title,
                "status": r.status,
                "status_label": str(REFERRAL_STATUS_LABELS.get(r.status, r.status)),
                "decline_reason": label_for(DECLINE_REASONS, r.decline_reason) if r.decline_reason else None,
                "answer_note": r.answer_note,
                "outcome": label_for(INTERVENTION_OUTCOMES, r.outcome) if r.outcome else None,
                "outcome_note": r.outcome_note,
            }
            for r in case.referrals
        ],
    }


def latest_referral_for_organization(session: Session, case: Case, organization_id: int | None) -> Referral | None:
    return session.scalar(
        select(Referral)
        .where(Referral.case_id == case.id, Referral.organization_id == organization_id)
        .order_by(Referral.id.desc())
        .limit(1)
    )


def task_assignees(session: Session, tasks: list[HumanTask]) -> dict[int, str]:
    """Who each open task waits for, in words: the organization's name or the person's (else the lane, translated)."""
    from webapp.network.models import Organization

    names = {}
    for task in tasks:
        if task.organization_id is not None:
            organization = session.get(Organization, task.organization_id)
            names[task.id] = organization.name if organization else (process_text(task.lane) or "")
        elif task.assignee_id is not None:
            person = session.get(User, task.assignee_id)
            names[task.id] = person.name if person else (process_text(task.lane) or "")
    return names


def task_context(session: Session, user: User, task: HumanTask, channel: str = "web") -> dict:
    """The case data the person completing `task` may see (logged when it includes a person's record)."""
    case = case_for_instance(session, task.instance_id)
    if case is None:
        from webapp.workflow import process_pages  # processes without a case (signals, citizens' requests)

        pages = process_pages(task.process_key)
        if pages is not None:
            return pages.context(session, user, task, channel)
        from webapp.signals.services import intake_context  # an intake opened from a signal shows the signal

        return intake_context(session, user, task)
    if user.role == "association":
        referral = latest_referral_for_organization(session, case, user.organization_id)
        if referral is None:
            return {}
        log_access(session, user, case, f"task:{task.form_key}", channel)
        return {"referral": referral_view(referral)}
    if may_see_case(user, case):
        log_access(session, user, case, f"task:{task.form_key}", channel)
        return {"case": case_view(case)}
    return {}


def offers_for_case(session: Session, case: Case | None, need: str | None = None) -> list[Offer]:
    """Offers with free places of approved organizations suited to the case's target group, best need match first
    (their organizations loaded).

    The target group and the need are looked up in the catalogue's filter index (webapp/network/facet_index.py), so
    the choice of offer reads only the offers it can show, not every active offer of the province's catalogue."""
    statement = (
        select(Offer)
        .join(Offer.organization)
        .options(contains_eager(Offer.organization))
        .where(Offer.active.is_(True), Offer.capacity_available > 0, Organization.status == "approved")
    )
    facets = chosen_facets(case.target_group if case is not None else None, need, None)
    offers = list(session.scalars(restrict_to_facets(statement, facets, start_here=True)))
    wanted = set(case.needs or []) if case is not None else set()
    offers.sort(key=lambda o: (-len(wanted & set(o.needs or [])), o.title))
    return offers


def offer_choices(offers: list[Offer]) -> list[tuple[int, str]]:
    """The choice-of-offer select's entries: offer, organization and free places."""
    return [
        (o.id, f"{o.title} — {o.organization.name} ({o.capacity_available} {o.capacity_unit} disponibili)")
        for o in offers
    ]


def actor_is_owner(actor: Actor, case: Case) -> bool:
    return actor.id == case.owner_id
