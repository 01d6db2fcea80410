"""The domain operations the referral diagram composes (service tasks name them; see engine.operations).

Each one runs inside the step's transaction: if it refuses (OperationRefused) the whole step rolls back and the
person who submitted the form reads the message next to their form, with what they typed still there.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from engine import OperationContext, OperationRefused, OperationRegistry
from engine.models import HumanTask
from forms.vocabulary import SPECIAL_CATEGORY_GROUPS
from webapp.agreements import services as agreements
from webapp.network.models import Offer
from webapp.network.services import give_back_place, take_place
from webapp.notifications.messages import N_, message, notification_text
from webapp.notifications.services import external_url, mail_organization, mail_user, referral_mail_context
from webapp.referrals.models import Beneficiary, Case, Notification, Referral

CONSENT_SCOPE = (
    "Condivisione con l'organizzazione della rete a cui la persona è inviata del nome e dei soli dati di contatto "
    "scelti dall'assistente sociale per ciascun invio; mai codice fiscale, indirizzo o note."
)

PERSON_FIELDS = ("first_name", "last_name", "codice_fiscale", "birth_date", "phone", "email", "address", "notes")
SHARING_FIELDS = ("message", "share_last_name", "share_phone", "share_email")
ANSWER_FIELDS = ("answer", "decline_reason", "first_appointment", "note")


def register_referral_operations(registry: OperationRegistry) -> None:
    """Add the referral journey's operations to the application's registry."""
    for name, label, function in OPERATIONS:
        registry.register(name, label)(function)


# What the operations read of a referral, loaded with it in one SELECT (many-to-one joins) instead of one lazy
# load each: its offer and organization (notification texts, e-mail context) and its case with the social worker
# who owns it (notifications and e-mails to them). On PostgreSQL every lazy load is a round trip inside the step.
REFERRAL_WITH_CONTEXT = (
    joinedload(Referral.offer),
    joinedload(Referral.organization),
    joinedload(Referral.case).joinedload(Case.owner),
)
# Closing a case walks its referrals and gives back the places their offers hold: one SELECT for all of it.
CASE_WITH_REFERRALS = (joinedload(Case.referrals).joinedload(Referral.offer),)


def _case(ctx: OperationContext, *options) -> Case:
    """The process's case; `options` eager-load what the operation reads of it (nothing is re-read if the
    session already holds the case)."""
    case = ctx.session.get(Case, ctx.data.get("case_id"), options=options)
    if case is None:
        raise OperationRefused("Il caso collegato a questo processo non esiste più.")
    return case


def _referral(ctx: OperationContext) -> Referral:
    referral = ctx.session.get(Referral, ctx.data.get("referral_id"), options=REFERRAL_WITH_CONTEXT)
    if referral is None:
        raise OperationRefused("L'invio collegato a questo processo non esiste più.")
    return referral


def _notify(ctx: OperationContext, notice: dict, kind: str, case: Case, user_id=None, organization_id=None) -> None:
    """An in-app notification: its Italian text, and its message for each reader's language (notifications.messages)."""
    ctx.session.add(
        Notification(
            user_id=user_id,
            organization_id=organization_id,
            case_id=case.id,
            kind=kind,
            **notification_text(notice),
            created_at=ctx.now,
        )
    )


def _deadline_of_open_task(ctx: OperationContext):
    """When the organization's open task of this instance expires (None if it has no deadline)."""
    return ctx.session.scalar(
        select(HumanTask.due_at)
        .where(HumanTask.instance_id == ctx.instance_id, HumanTask.status == "open", HumanTask.due_at.is_not(None))
        .order_by(HumanTask.due_at)
        .limit(1)
    )


def _parse_date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def register_case(ctx: OperationContext) -> dict:
    """Presa in carico: store the person and the case; keep only ids in the process state."""
    data = ctx.data
    owner_id = int(data.get("owner_user_id") or ctx.actor.id)
    blocked = agreements.referral_block_reason_for_user_id(ctx.session, owner_id, agreements.today(ctx.now))
    if blocked:  # a specialist service takes people in charge only within an agreement in force
        raise OperationRefused(blocked)
    beneficiary = Beneficiary(
        first_name=data["first_name"],
        last_name=data["last_name"],
        codice_fiscale=data.get("codice_fiscale") or None,
        birth_date=_parse_date(data.get("birth_date")),
        phone=data.get("phone") or None,
        email=data.get("email") or None,
        address=data.get("address") or None,
        created_at=ctx.now,
    )
    consent = bool(data.get("consent_share"))
    case = Case(
        beneficiary=beneficiary,  # one flush inserts the person, then the case with the person's id
        owner_id=owner_id,
        referring_service_id=agreements.referring_service_id(ctx.session, owner_id),
        instance_id=ctx.instance_id,
        target_group=data["target_group"],
        needs=list(data.get("needs") or []),
        notes=data.get("notes") or None,
        restricted=data["target_group"] in SPECIAL_CATEGORY_GROUPS,
        consent_share=consent,
        consent_scope=CONSENT_SCOPE if consent else None,
        consent_recorded_at=ctx.now,
        consent_recorded_by_id=ctx.actor.id,
        status="open",
        opened_at=ctx.now,
    )
    ctx.session.add(case)
    ctx.session.flush()
    ctx.forget_keys(*PERSON_FIELDS)
    return {"case_id": case.id, "consent_share": consent}


def send_referral(ctx: OperationContext) -> dict:
    """Invio: the case goes to an offer's organization, which gets a task and a notification."""
    case = _case(ctx)
    if case.consent_withdrawn_at is not None:
        raise OperationRefused(
            "La persona ha revocato il consenso a condividere i dati: non è più possibile inviarla alla rete.",
            field="offer_id",
        )
    if not case.consent_share:
        raise OperationRefused(
            "La persona non ha dato il consenso a condividere i dati: senza consenso non è possibile l'invio.",
            field="offer_id",
        )
    blocked = agreements.referral_block_reason_for_user_id(ctx.session, ctx.actor.id, agreements.today(ctx.now))
    if blocked:
        raise OperationRefused(blocked, field="offer_id")
    offer = ctx.session.get(Offer, ctx.data.get("offer_id"), options=(joinedload(Offer.organization),))
    if offer is None or not offer.active or offer.organization.status != "approved":
        raise OperationRefused("L'offerta scelta non è disponibile nel catalogo.", field="offer_id")
    if offer.capacity_available <= 0:
        raise OperationRefused("L'offerta scelta non ha posti disponibili: scegline un'altra.", field="offer_id")
    referral = Referral(
        case_id=case.id,
        offer_id=offer.id,
        organization_id=offer.organization_id,
        message=ctx.data.get("message") or "",
        share_last_name=bool(ctx.data.get("share_last_name")),
        share_phone=bool(ctx.data.get("share_phone")),
        share_email=bool(ctx.data.get("share_email")),
        status="inviato",
        sent_at=ctx.now,
        sent_by_id=ctx.actor.id,
    )
    ctx.session.add(referral)
    ctx.session.flush()
    _notify(
        ctx,
        message(N_("Nuovo invio n. %(number)s per l'offerta «%(offer)s»."), number=referral.id, offer=offer.title),
        "referral_received",
        case,
        organization_id=offer.organization_id,
    )
    link = external_url("referrals.referral_detail", referral_id=referral.id)
    mail_organization(
        ctx.session, offer.organization_id, "nuovo_invio", referral_mail_context(referral, link=link), ctx.now
    )
    ctx.forget_keys(*SHARING_FIELDS, *ANSWER_FIELDS, "outcome", "outcome_note")
    return {
        "referral_id": referral.id,
        "organization_id": offer.organization_id,
        "esito_invio": "in_attesa",
        "decisione": "",
    }


def record_answer(ctx: OperationContext) -> dict:
    """The organization's answer: accepting reserves one place of the offer's capacity."""
    referral = _referral(ctx)
    answer = ctx.data.get("answer")
    referral.answered_at = ctx.now
    referral.answered_by_id = ctx.actor.id
    referral.answer_note = ctx.data.get("note") or None
    if answer == "accetta":
        if not take_place(ctx.session, referral.offer):
            raise OperationRefused(
                "Non ci sono più posti disponibili in questa offerta: aggiorna la disponibilità o rifiuta "
                "l'invio con il motivo «Posti esauriti».",
                field="answer",
            )
        referral.capacity_reserved = True
        referral.status = "accettato"
        referral.first_appointment = _parse_date(ctx.data.get("first_appointment"))
        outcome, text = "accettato", N_("L'invio n. %(number)s è stato accettato da %(organization)s.")
    else:
        referral.status = "rifiutato"
        referral.decline_reason = ctx.data.get("decline_reason") or "altro"
        outcome, text = "rifiutato", N_("L'invio n. %(number)s è stato rifiutato da %(organization)s.")
    notice = message(text, number=referral.id, organization=referral.organization.name)
    _notify(ctx, notice, f"referral_{outcome}", referral.case, user_id=referral.case.owner_id)
    context = referral_mail_context(
        referral,
        accepted=outcome == "accettato",
        first_appointment=ctx.data.get("first_appointment") if outcome == "accettato" else None,
        link=external_url("referrals.case_detail", case_id=referral.case_id),
    )
    mail_user(ctx.session, referral.case.owner_id, "risposta_invio", context, ctx.now)
    return {"esito_invio": outcome}


def expire_referral(ctx: OperationContext) -> dict:
    """No answer in time: the referral lapses and the case goes back to the social worker."""
    referral = _referral(ctx)
    referral.status = "scaduto"
    _notify(
        ctx,
        message(
            N_("L'invio n. %(number)s a %(organization)s è scaduto senza risposta."),
            number=referral.id,
            organization=referral.organization.name,
        ),
        "referral_expired",
        referral.case,
        user_id=referral.case.owner_id,
    )
    link = external_url("referrals.case_detail", case_id=referral.case_id)
    mail_user(ctx.session, referral.case.owner_id, "invio_scaduto", referral_mail_context(referral, link=link), ctx.now)
    return {"esito_invio": "scaduto"}


def remind_organization(ctx: OperationContext) -> dict:
    referral = _referral(ctx)
    _notify(
        ctx,
        message(N_("Promemoria: l'invio n. %(number)s attende ancora la vostra risposta."), number=referral.id),
        "referral_reminder",
        referral.case,
        organization_id=referral.organization_id,
    )
    context = referral_mail_context(
        referral,
        answer_by=_deadline_of_open_task(ctx),
        link=external_url("referrals.referral_detail", referral_id=referral.id),
    )
    mail_organization(ctx.session, referral.organization_id, "promemoria_scadenza", context, ctx.now)
    return {}


def remind_feedback(ctx: OperationContext) -> dict:
    """An accepted referral still without an outcome after the plan's time: ask the organization, tell the worker."""
    referral = _referral(ctx)
    if referral.outcome is not None:
        return {}
    _notify(
        ctx,
        message(N_("Promemoria: restituite l'esito dell'invio n. %(number)s accettato da voi."), number=referral.id),
        "feedback_reminder",
        referral.case,
        organization_id=referral.organization_id,
    )
    _notify(
        ctx,
        message(
            N_(
                "L'invio n. %(number)s a %(organization)s non ha ancora un esito: l'organizzazione è stata sollecitata."
            ),
            number=referral.id,
            organization=referral.organization.name,
        ),
        "feedback_missing",
        referral.case,
        user_id=referral.case.owner_id,
    )
    context = referral_mail_context(
        referral,
        accepted_at=referral.answered_at,
        link=external_url("referrals.referral_detail", referral_id=referral.id),
    )
    mail_organization(ctx.session, referral.organization_id, "sollecito_esito", context, ctx.now)
    return {}


def record_outcome(ctx: OperationContext) -> dict:
    referral = _referral(ctx)
    referral.outcome = ctx.data.get("outcome")
    referral.outcome_note = ctx.data.get("outcome_note") or None
    referral.outcome_at = ctx.now
    _notify(
        ctx,
        message(
            N_("%(organization)s ha restituito l'esito dell'invio n. %(number)s."),
            organization=referral.organization.name,
            number=referral.id,
        ),
        "outcome_received",
        referral.case,
        user_id=referral.case.owner_id,
    )
    link = external_url("referrals.case_detail", case_id=referral.case_id)
    mail_user(
        ctx.session, referral.case.owner_id, "esito_ricevuto", referral_mail_context(referral, link=link), ctx.now
    )
    ctx.forget_keys("outcome_note")
    return {}


def close_case(ctx: OperationContext) -> dict:
    """Close the case; a place reserved by an accepted referral goes back to the offer."""
    case = _case(ctx, *CASE_WITH_REFERRALS)
    case.status = "closed"
    case.closed_at = ctx.now
    case.closing_outcome = ctx.data.get("closing_outcome")
    case.closing_note = ctx.data.get("closing_note") or None
    for referral in case.referrals:
        if referral.capacity_reserved:
            give_back_place(ctx.session, referral.offer)
            referral.capacity_reserved = False
            referral.status = "concluso"
    ctx.forget_keys("closing_note", "note")
    return {}


OPERATIONS = (
    ("case.register", "Registra la presa in carico", register_case),
    ("referral.send", "Invia il caso all'organizzazione", send_referral),
    ("referral.record_answer", "Registra la risposta dell'organizzazione", record_answer),
    ("referral.expire", "Registra la mancata risposta", expire_referral),
    ("referral.remind", "Promemoria all'organizzazione", remind_organization),
    ("referral.remind_feedback", "Sollecito dell'esito all'organizzazione", remind_feedback),
    ("referral.record_outcome", "Registra l'esito dell'intervento", record_outcome),
    ("case.close", "Chiudi il caso", close_case),
)
