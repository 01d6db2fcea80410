"""Richieste dei cittadini: the public request, its confirmation link, the limits against abuse, and who sees what.

A citizen has no account, so nothing a robot types must reach an organization. Four measures, none a CAPTCHA:

- the request is sent only when the citizen opens the link e-mailed to the address they gave and confirms it
  (a random token, single use, valid `CONFIRMATION_VALIDITY`; only its SHA-256 is stored), so a request with
  someone else's address never reaches anyone;
- limits counted in the database (any number of web processes share them): per address of origin
  (`PER_ADDRESS_PER_HOUR`, a keyed hash, never the address itself) and per e-mail (`PER_EMAIL_PER_HOUR`), and one
  live request per e-mail and offer;
- a field hidden from people (`website`): a request that fills it is dropped, and the page says it was received;
- the usual length and character checks of every form.

Who sees what: the organization of the offer sees the requests for its offers once confirmed. The social service
sees a request only if the citizen asked for its support (`support_requested`). Accepted requests hold one place of
the offer (`capacity_reserved`) until the organization marks the participation as concluded.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, joinedload
from werkzeug.datastructures import MultiDict

from engine import Actor, Engine
from engine.models import HumanTask, ProcessInstance
from forms.choices import choices
from forms.citizen import ANSWERS, DECLINE_REASONS, NO_OFFER, SUPPORT_OUTCOMES, RichiestaPartecipazioneForm
from forms.vocabulary import label_for
from webapp.auth.models import User
from webapp.citizen import mail
from webapp.citizen.models import (
    ACCEPTED,
    CONCLUDED,
    STATUS_LABELS,
    UNCONFIRMED,
    WAITING,
    CitizenRequest,
)
from webapp.network.models import Offer, Organization
from webapp.network.services import give_back_place

PROCESS_KEY = "richiesta_cittadino"
CONFIRMATION_VALIDITY = timedelta(hours=48)
PER_ADDRESS_PER_HOUR = 5
PER_EMAIL_PER_HOUR = 3
LIVE_STATUSES = (UNCONFIRMED, WAITING)
ANSWER_LABELS = dict(ANSWERS)
DECLINE_REASON_LABELS = dict(DECLINE_REASONS)
SUPPORT_OUTCOME_LABELS = dict(SUPPORT_OUTCOMES)
SOCIAL_SERVICE_ROLES = ("social_worker", "manager")


class RequestInvalid(Exception):
    def __init__(self, form: RichiestaPartecipazioneForm, message: str | None = None):
        super().__init__(message or _("La richiesta contiene errori."))
        self.form = form
        self.message = message


class LinkProblem(Exception):
    """The confirmation link cannot be used; the message is for the citizen."""


class NotConcludable(Exception):
    """The participation cannot be marked as concluded (not accepted, or already concluded)."""


@dataclass
class Submitted:
    request: CitizenRequest | None  # None when the request was dropped (the robots' trap)
    token: str | None


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def address_digest(address: str | None) -> str:
    """A keyed hash of the address of origin: enough to count requests, useless to find who sent them."""
    key = str(current_app.secret_key or "tessere").encode("utf-8")
    return hmac.new(key, (address or "-").encode("utf-8"), hashlib.sha256).hexdigest()


def public_offer(session: Session, offer_id: int) -> Offer | None:
    offer = session.get(Offer, offer_id)
    if offer is None or not offer.active or offer.organization.status != "approved":
        return None
    return offer


def request_form(formdata: MultiDict | None = None) -> RichiestaPartecipazioneForm:
    return RichiestaPartecipazioneForm(formdata)


def _too_many(session: Session, ip_hash: str, email: str, offer_id: int, now: datetime) -> str | None:
    hour_ago = now - timedelta(hours=1)
    from_address = session.scalar(
        select(func.count())
        .select_from(CitizenRequest)
        .where(CitizenRequest.ip_hash == ip_hash, CitizenRequest.created_at >= hour_ago)
    )
    if from_address >= PER_ADDRESS_PER_HOUR:
        return _(
            "Da questa connessione sono arrivate molte richieste nell'ultima ora: riprova più tardi. "
            "Quello che hai scritto è ancora qui."
        )
    for_email = session.scalar(
        select(func.count())
        .select_from(CitizenRequest)
        .where(func.lower(CitizenRequest.email) == email, CitizenRequest.created_at >= hour_ago)
    )
    if for_email >= PER_EMAIL_PER_HOUR:
        return _(
            "Con questo indirizzo e-mail sono già state fatte diverse richieste nell'ultima ora: riprova più tardi."
        )
    live = session.scalar(
        select(CitizenRequest)
        .where(
            func.lower(CitizenRequest.email) == email,
            CitizenRequest.offer_id == offer_id,
            CitizenRequest.status.in_(LIVE_STATUSES),
        )
        .limit(1)
    )
    if live is not None and not (live.status == UNCONFIRMED and _aware(live.token_expires_at) < now):
        if live.status == UNCONFIRMED:
            return _(
                "Hai già chiesto di partecipare a questa offerta: controlla la tua e-mail e conferma la richiesta "
                "con il link che ti abbiamo inviato."
            )
        return _("Hai già una richiesta in attesa di risposta per questa offerta: l'organizzazione ti scriverà.")
    return None


def submit_request(
    session: Session, offer: Offer, formdata: MultiDict, remote_address: str | None, now: datetime | None = None
) -> Submitted:
    """Validate and store a request to confirm; e-mail the confirmation link. The caller commits.

    Raises RequestInvalid (with the form, what was typed kept) for invalid data and for the limits.
    """
    now = now or utcnow()
    form = request_form(formdata)
    if not form.validate():
        raise RequestInvalid(form)
    if (form.website.data or "").strip():
        return Submitted(None, None)  # a robot filled the hidden field: drop it, say nothing
    email = form.email.data.strip().lower()
    ip_hash = address_digest(remote_address)
    problem = _too_many(session, ip_hash, email, offer.id, now)
    if problem:
        raise RequestInvalid(form, problem)
    token = secrets.token_urlsafe(32)
    request = CitizenRequest(
        offer_id=offer.id,
        organization_id=offer.organization_id,
        name=form.name.data.strip(),
        email=email,
        phone=(form.phone.data or "").strip() or None,
        message=(form.message.data or "").strip() or None,
        support_requested=bool(form.support_requested.data),
        consent_at=now,
        status=UNCONFIRMED,
        token_hash=token_digest(token),
        token_expires_at=now + CONFIRMATION_VALIDITY,
        ip_hash=ip_hash,
        created_at=now,
    )
    session.add(request)
    session.flush()
    mail.send_confirmation(session, request, mail.request_link(token), now)
    return Submitted(request, token)


def request_for_token(session: Session, token: str) -> CitizenRequest | None:
    if not token or len(token) > 100:
        return None
    return session.scalar(select(CitizenRequest).where(CitizenRequest.token_hash == token_digest(token)))


def link_expired(request: CitizenRequest, now: datetime | None = None) -> bool:
    return request.status == UNCONFIRMED and _aware(request.token_expires_at) < (now or utcnow())


def citizen_actor(request: CitizenRequest) -> Actor:
    """Who acts in the engine for a citizen without an account (the journal names them by request number)."""
    return Actor(None, f"Cittadino – richiesta n. {request.id}")


def confirm_request(session: Session, engine: Engine, token: str, now: datetime | None = None) -> CitizenRequest:
    """The citizen confirms: the request reaches the organization (the process starts). Idempotent. Commits.

    Raises LinkProblem when the link is unknown or expired, or when the offer is no longer in the catalogue.
    """
    now = now or utcnow()
    request = request_for_token(session, token)
    if request is None:
        raise LinkProblem(_("Il link non corrisponde a nessuna richiesta: controlla di averlo copiato per intero."))
    if request.status != UNCONFIRMED:
        return request
    if link_expired(request, now):
        raise LinkProblem(
            _("Il link per confermare la richiesta è scaduto: puoi fare una nuova richiesta dalla pagina dell'offerta.")
        )
    if public_offer(session, request.offer_id) is None:
        raise LinkProblem(_("L'offerta non è più nel catalogo: cerca un'altra offerta adatta a te."))
    try:
        claimed = session.execute(
            update(CitizenRequest)
            .where(CitizenRequest.id == request.id, CitizenRequest.status == UNCONFIRMED)
            .values(status=WAITING, confirmed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.refresh(request)
        if claimed:  # a double click in two tabs starts one process only
            instance = engine.start(
                session,
                PROCESS_KEY,
                {
                    "citizen_request_id": request.id,
                    "organization_id": request.organization_id,
                    "offer_id": request.offer_id,
                    "supporto_richiesto": bool(request.support_requested),
                },
                citizen_actor(request),
                now=now,
            )
            request.instance_id = instance.id
        session.commit()
    except Exception:
        session.rollback()
        raise
    return request


# ------------------------------------------------------------------ organizations and the social service
def may_see_request(user: User, request: CitizenRequest) -> bool:
    if request.status == UNCONFIRMED:
        return False
    if user.role == "association":
        return user.organization_id == request.organization_id
    if user.role in SOCIAL_SERVICE_ROLES:
        return bool(request.support_requested)
    return False


def request_for_user(session: Session, user: User, request_id: int) -> CitizenRequest | None:
    request = session.get(CitizenRequest, request_id)
    return request if request is not None and may_see_request(user, request) else None


def request_for_instance(session: Session, instance_id: int) -> CitizenRequest | None:
    return session.scalar(select(CitizenRequest).where(CitizenRequest.instance_id == instance_id))


def list_requests(
    session: Session, user: User, status: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[CitizenRequest], int]:
    query = (
        select(CitizenRequest)
        .options(joinedload(CitizenRequest.offer), joinedload(CitizenRequest.organization))
        .where(CitizenRequest.status != UNCONFIRMED)
        .order_by(CitizenRequest.confirmed_at.desc(), CitizenRequest.id.desc())
    )
    if user.role == "association":
        query = query.where(CitizenRequest.organization_id == user.organization_id)
    elif user.role in SOCIAL_SERVICE_ROLES:
        query = query.where(CitizenRequest.support_requested.is_(True))
    else:
        return [], 0
    if status in STATUS_LABELS:
        query = query.where(CitizenRequest.status == status)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.scalars(query.limit(limit).offset(offset)).unique()), total


def request_view(request: CitizenRequest, viewer: User | None = None) -> dict[str, Any]:
    """What the organization (or the social service, when asked) knows of the request. JSON-safe."""
    view: dict[str, Any] = {
        "request_id": request.id,
        "status": request.status,
        "status_label": request.status_label,
        "offer_id": request.offer_id,
        "offer_title": request.offer.title,
        "organization": request.organization.name,
        "name": request.name,
        "email": request.email,
        "phone": request.phone,
        "message": request.message,
        "support_requested": request.support_requested,
        "confirmed_at": request.confirmed_at.isoformat() if request.confirmed_at else None,
        "answer": label_for(ANSWER_LABELS, request.answer) if request.answer else None,
        "answer_message": request.answer_message,
        "first_appointment": request.first_appointment.isoformat() if request.first_appointment else None,
        "proposed_offer": request.proposed_offer.title if request.proposed_offer else None,
        "decline_reason": label_for(DECLINE_REASON_LABELS, request.decline_reason) if request.decline_reason else None,
        "capacity_reserved": request.capacity_reserved,
    }
    if viewer is not None and viewer.role in SOCIAL_SERVICE_ROLES:
        view["support_outcome"] = (
            label_for(SUPPORT_OUTCOME_LABELS, request.support_outcome) if request.support_outcome else None
        )
        view["support_note"] = request.support_note
    return view


def conclude_participation(
    session: Session, user: User, request_id: int, now: datetime | None = None
) -> CitizenRequest:
    """The organization marks an accepted participation as concluded: its place goes back to the offer."""
    now = now or utcnow()
    request = request_for_user(session, user, request_id)
    if request is None or user.role != "association":
        raise NotConcludable(_("Richiesta non trovata."))
    claimed = session.execute(
        update(CitizenRequest)
        .where(
            CitizenRequest.id == request.id,
            CitizenRequest.status == ACCEPTED,
            CitizenRequest.capacity_reserved.is_(True),
        )
        .values(status=CONCLUDED, capacity_reserved=False, concluded_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise NotConcludable(_("Questa partecipazione non è in corso: non c'è un posto da liberare."))
    session.refresh(request)
    give_back_place(session, request.offer)
    return request


def reserved_by_requests(session: Session, offer_id: int) -> int:
    """Places of the offer held by accepted citizens' requests (besides those held by referrals)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(CitizenRequest)
            .where(CitizenRequest.offer_id == offer_id, CitizenRequest.capacity_reserved.is_(True))
        )
        or 0
    )


# ------------------------------------------------------------------ how the generic task pages show requests
def log_request_access(
    session: Session, user: User, request: CitizenRequest, action: str, channel: str = "web"
) -> None:
    """A citizen's request holds a person's name and contacts: every read is logged, as for cases and signals."""
    from webapp.referrals.models import AccessLogEntry

    session.add(
        AccessLogEntry(
            user_id=user.id, citizen_request_id=request.id, at=datetime.now(UTC), action=action, channel=channel
        )
    )


def task_context(session: Session, user: User, task: HumanTask, channel: str = "web") -> dict:
    request = request_for_instance(session, task.instance_id)
    if request is None or not may_see_request(user, request):
        return {}
    log_request_access(session, user, request, f"task:{task.form_key}", channel)
    return {"panel": "citizen/_task_panel.html", "citizen_request": request_view(request, user)}


def task_subject(session: Session, user: User, task: HumanTask) -> str | None:
    return _request_subject(user, request_for_instance(session, task.instance_id))


def task_subjects(session: Session, user: User, tasks: list[HumanTask]) -> dict[int, str | None]:
    """task_subject for a whole page of the worklist in one query (no query per row)."""
    instance_ids = {task.instance_id for task in tasks}
    requests = {
        r.instance_id: r
        for r in session.scalars(
            select(CitizenRequest)
            .options(joinedload(CitizenRequest.offer))
            .where(CitizenRequest.instance_id.in_(instance_ids))
        )
    }
    return {task.id: _request_subject(user, requests.get(task.instance_id)) for task in tasks}


def _request_subject(user: User, request: CitizenRequest | None) -> str | None:
    if request is None or not may_see_request(user, request):
        return None
    return _("Richiesta n. %(n)s · %(name)s · %(offer)s", n=request.id, name=request.name, offer=request.offer.title)


def follow_up_instance(session: Session, instance: ProcessInstance) -> int | None:
    return None


def prepare_answer_form(session: Session, task: HumanTask, form, fresh: bool) -> None:
    """The offers the organization may propose instead: active, with places, the organization's own first."""
    request = request_for_instance(session, task.instance_id)
    offers = session.scalars(
        select(Offer)
        .join(Organization)
        .options(joinedload(Offer.organization))
        .where(Offer.active.is_(True), Organization.status == "approved", Offer.capacity_available > 0)
    ).all()
    own = request.organization_id if request is not None else None
    excluded = request.offer_id if request is not None else None
    offers = sorted(
        (o for o in offers if o.id != excluded), key=lambda o: (o.organization_id != own, o.organization.name, o.title)
    )
    form.offerta_proposta.choices = choices(
        [NO_OFFER, *((str(o.id), f"{o.title} — {o.organization.name}") for o in offers)]
    )


def proposable_offer(session: Session, offer_id: Any, excluded_offer_id: int) -> Offer | None:
    try:
        offer = public_offer(session, int(offer_id))
    except (TypeError, ValueError):
        return None
    return offer if offer is not None and offer.id != excluded_offer_id else None


UNCONFIRMED_RETENTION = timedelta(days=7)


def purge_unconfirmed(session: Session, now: datetime | None = None) -> int:
    """Delete requests never confirmed within `UNCONFIRMED_RETENTION`: their data reached nobody and serve no purpose
    (the rate limits look back one hour only). Returns how many were deleted; the caller commits."""
    now = now or utcnow()
    result = session.execute(
        delete(CitizenRequest)
        .where(CitizenRequest.status == UNCONFIRMED, CitizenRequest.created_at < now - UNCONFIRMED_RETENTION)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
