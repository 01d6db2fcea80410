"""The domain operations the `richiesta_cittadino` diagram composes (see engine.operations).

Each runs inside the step's transaction: a refusal (OperationRefused) rolls the whole step back and the operator
reads the message next to the form, with what they typed still there. The process state keeps only ids and the
answer's code: the citizen's data live in `citizen_request`.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from engine import OperationContext, OperationRefused, OperationRegistry
from webapp.citizen import mail
from webapp.citizen.models import ACCEPTED, DECLINED, EXPIRED, PROPOSED, WAITING, CitizenRequest
from webapp.citizen.services import proposable_offer
from webapp.network.services import take_place
from webapp.notifications.messages import N_, message, notification_text
from webapp.referrals.models import Notification


def register_citizen_operations(registry: OperationRegistry) -> None:
    """Add the richiesta del cittadino's operations to the application's registry."""
    for name, label, function in OPERATIONS:
        registry.register(name, label)(function)


def _request(ctx: OperationContext) -> CitizenRequest:
    request = ctx.session.get(CitizenRequest, ctx.data.get("citizen_request_id"))
    if request is None:
        raise OperationRefused("La richiesta collegata a questo processo non esiste più.")
    return request


def _notify_organization(ctx: OperationContext, request: CitizenRequest, notice: dict, kind: str) -> None:
    """An in-app notification: its Italian text, and its message for each reader's language (notifications.messages)."""
    ctx.session.add(
        Notification(
            user_id=None,
            organization_id=request.organization_id,
            case_id=None,
            kind=kind,
            **notification_text(notice),
            created_at=ctx.now,
        )
    )


def notify_organization(ctx: OperationContext) -> dict:
    request = _request(ctx)
    _notify_organization(
        ctx,
        request,
        message(
            N_("Nuova richiesta di un cittadino (n. %(number)s) per l'offerta «%(offer)s»."),
            number=request.id,
            offer=request.offer.title,
        ),
        "citizen_request",
    )
    mail.mail_organization(
        ctx.session,
        request,
        "nuova_richiesta",
        f"Tessere: nuova richiesta n. {request.id} per «{request.offer.title}»",
        ctx.now,
    )
    return {}


def remind(ctx: OperationContext) -> dict:
    request = _request(ctx)
    if request.status != WAITING:
        return {}
    notice = message(N_("Promemoria: la richiesta n. %(number)s attende ancora la vostra risposta."), number=request.id)
    _notify_organization(ctx, request, notice, "citizen_reminder")
    mail.mail_organization(
        ctx.session, request, "promemoria", f"Tessere: promemoria per la richiesta n. {request.id}", ctx.now
    )
    return {}


def expire(ctx: OperationContext) -> dict:
    """No answer in time: the citizen is told, with the organization's public contacts and the catalogue."""
    request = _request(ctx)
    if request.status != WAITING:
        return {}
    request.status = EXPIRED
    _notify_organization(
        ctx,
        request,
        message(
            N_("La richiesta n. %(number)s è scaduta senza risposta: il cittadino è stato avvisato."), number=request.id
        ),
        "citizen_expired",
    )
    mail.send_expired(ctx.session, request, ctx.now)
    return {}


def record_answer(ctx: OperationContext) -> dict:
    """The organization's answer; accepting takes one place of the offer (atomically, never below zero)."""
    request = _request(ctx)
    if request.status != WAITING:
        raise OperationRefused(_("Questa richiesta ha già avuto una risposta."))
    answer = ctx.data.get("risposta")
    request.answer = answer
    request.answer_message = (ctx.data.get("messaggio") or "").strip()
    request.answered_at = ctx.now
    request.answered_by_id = ctx.actor.id
    if answer == "accetta":
        if not take_place(ctx.session, request.offer):
            raise OperationRefused(
                _(
                    "Non ci sono più posti disponibili in questa offerta: proponi un'altra offerta o rispondi che non "
                    "potete accogliere la richiesta, con il motivo «Posti esauriti»."
                ),
                field="risposta",
            )
        first = ctx.data.get("primo_incontro")
        request.first_appointment = date.fromisoformat(first) if first else None
        request.capacity_reserved = True
        request.status = ACCEPTED
    elif answer == "proponi":
        offer = proposable_offer(ctx.session, ctx.data.get("offerta_proposta"), request.offer_id)
        if offer is None:
            raise OperationRefused(_("L'offerta proposta non è disponibile nel catalogo."), field="offerta_proposta")
        request.proposed_offer_id = offer.id
        request.status = PROPOSED
    elif answer == "rifiuta":
        request.decline_reason = ctx.data.get("motivo_rifiuto") or "altro"
        request.status = DECLINED
    else:
        raise OperationRefused(_("Scegli la risposta."), field="risposta")
    ctx.session.flush()
    mail.send_answer(ctx.session, request, ctx.now)
    ctx.forget_keys("messaggio")
    return {"esito_richiesta": request.status}


def record_contact(ctx: OperationContext) -> dict:
    request = _request(ctx)
    request.support_outcome = ctx.data.get("esito")
    request.support_note = (ctx.data.get("nota") or "").strip() or None
    request.support_at = ctx.now
    request.support_by_id = ctx.actor.id
    ctx.forget_keys("nota")
    return {}


OPERATIONS = (
    (
        "citizen_request.notify_organization",
        "Avvisa l'organizzazione della richiesta del cittadino",
        notify_organization,
    ),
    ("citizen_request.remind", "Promemoria all'organizzazione per la richiesta del cittadino", remind),
    ("citizen_request.expire", "Registra la mancata risposta al cittadino", expire),
    ("citizen_request.record_answer", "Registra la risposta e avvisa il cittadino", record_answer),
    ("citizen_request.record_contact", "Registra il contatto del Servizio sociale", record_contact),
)
