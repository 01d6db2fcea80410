"""The domain operations the `segnalazione` diagram composes (see engine.operations).

Each runs inside the step's transaction: a refusal (OperationRefused) rolls the whole step back and the person who
submitted the form reads the message next to it, with what they typed still there. The process state keeps only
`signal_id`, the organization and the decision: the person's data live in `person_signal`.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _

from engine import OperationContext, OperationRefused, OperationRegistry
from forms.signals import CLOSING_REASONS, MAX_INFO_REQUESTS
from forms.vocabulary import italian
from webapp.notifications.messages import N_, message, notification_text
from webapp.notifications.messages import label as interface_label
from webapp.referrals.models import Notification
from webapp.signals import mail, system_messages
from webapp.signals.models import CLOSED, INFO_REQUESTED, RECEIVED, TAKEN_IN_CHARGE, Signal, SignalMessage

INFO_DAYS = 15  # the diagram's timer on the organization's answer (P15D)
CASE_PROCESS_KEY = "percorso_beneficiario"
PERSON_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "address",
    "contact_notes",
    "listening_point",
    "description",
    "consent",
)
CLOSING_REASON_LABELS = dict(CLOSING_REASONS)


def register_signal_operations(registry: OperationRegistry) -> None:
    """Add the segnalazione's operations to the application's registry."""
    for name, label, function in OPERATIONS:
        registry.register(name, label)(function)


def _signal(ctx: OperationContext) -> Signal:
    signal = ctx.session.get(Signal, ctx.data.get("signal_id"))
    if signal is None:
        raise OperationRefused("La segnalazione collegata a questo processo non esiste più.")
    return signal


def _tell_organization(ctx: OperationContext, signal: Signal, notice: dict, kind: str) -> None:
    """An in-app notification: its Italian text, and its message for each reader's language (notifications.messages)."""
    ctx.session.add(
        Notification(
            user_id=None,
            organization_id=signal.organization_id,
            case_id=None,
            kind=kind,
            **notification_text(notice),
            created_at=ctx.now,
        )
    )


def _message(ctx: OperationContext, signal: Signal, kind: str, text: str) -> None:
    signal.messages.append(
        SignalMessage(at=ctx.now, kind=kind, author_id=ctx.actor.id, author_label=ctx.actor.label, text=text)
    )


def register_signal(ctx: OperationContext) -> dict:
    """The association's signal becomes a `person_signal` row; only its id stays in the process state."""
    data = ctx.data
    organization_id = data.get("organization_id")
    if not organization_id or not data.get("consent"):
        raise OperationRefused(_("Senza il consenso della persona non è possibile segnalarla."), field="consent")
    signal = Signal(
        organization_id=int(organization_id),
        reported_by_id=ctx.actor.id,
        first_name=data["first_name"],
        last_name=data["last_name"],
        phone=data.get("phone") or None,
        email=data.get("email") or None,
        address=data.get("address") or None,
        contact_notes=data.get("contact_notes") or None,
        listening_point=data.get("listening_point") or None,
        target_group=data.get("target_group") or None,
        needs=list(data.get("needs") or []),
        description=data["description"],
        urgent=bool(data.get("urgent")),
        consent_recorded_at=ctx.now,
        status=RECEIVED,
        instance_id=ctx.instance_id,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(signal)
    ctx.session.flush()
    mail.mail_social_service(
        ctx.session,
        "nuova",
        f"Tessere: nuova segnalazione n. {signal.id}{' (urgente)' if signal.urgent else ''}",
        ctx.now,
        signal_id=signal.id,
        organization_name=signal.organization.name,
        urgent=signal.urgent,
        link=mail.signal_link(signal.id),
    )
    ctx.forget_keys(*PERSON_FIELDS)
    return {"signal_id": signal.id, "decisione": ""}


def record_evaluation(ctx: OperationContext) -> dict:
    """The social worker's decision; a request for information goes to the organization (at most three times)."""
    signal = _signal(ctx)
    if signal.status in (TAKEN_IN_CHARGE, CLOSED):
        raise OperationRefused(_("La segnalazione è già stata decisa."))
    decision = ctx.data.get("decisione")
    signal.updated_at = ctx.now
    if decision == "richiedi_informazioni":
        if signal.info_requests >= MAX_INFO_REQUESTS:
            raise OperationRefused(
                _(
                    "All'organizzazione sono già state chieste informazioni %(n)s volte: ora decidi se "
                    "avviare la presa in carico o chiudere la segnalazione.",
                    n=MAX_INFO_REQUESTS,
                ),
                field="decisione",
            )
        signal.info_requests += 1
        signal.status = INFO_REQUESTED
        _message(ctx, signal, "domanda", ctx.data.get("domanda") or "")
        _tell_organization(
            ctx,
            signal,
            message(
                N_("Il Servizio sociale chiede altre informazioni sulla segnalazione n. %(number)s."), number=signal.id
            ),
            "signal_question",
        )
        mail.mail_organization(
            ctx.session,
            signal.organization_id,
            "domanda",
            f"Tessere: il Servizio sociale chiede informazioni sulla segnalazione n. {signal.id}",
            ctx.now,
            signal_id=signal.id,
            organization_name=signal.organization.name,
            due_at=ctx.now + timedelta(days=INFO_DAYS),
            link=mail.signal_link(signal.id),
        )
    elif decision == "chiudi":
        signal.closing_reason = ctx.data.get("motivo_chiusura") or "altro"
        signal.closing_message = (ctx.data.get("messaggio") or "").strip() or None
    elif decision != "presa_in_carico":
        raise OperationRefused(_("Scegli come proseguire."), field="decisione")
    ctx.forget_keys("domanda", "messaggio")
    return {}


def record_information(ctx: OperationContext) -> dict:
    signal = _signal(ctx)
    _message(ctx, signal, "risposta", ctx.data.get("risposta") or "")
    signal.status = RECEIVED
    signal.updated_at = ctx.now
    ctx.forget_keys("risposta")
    return {}


def information_expired(ctx: OperationContext) -> dict:
    """No answer in time: the signal goes back to the social service, which decides with what it has."""
    signal = _signal(ctx)
    _message(ctx, signal, "scaduta", system_messages.no_answer(INFO_DAYS))
    signal.status = RECEIVED
    signal.updated_at = ctx.now
    return {}


def open_case(ctx: OperationContext) -> dict:
    """Presa in carico: the social worker who decided owns the signal and a new `percorso_beneficiario` starts for
    them, linked to the signal; its intake form opens prefilled with the signal's data (see services.intake_prefill).
    """
    from webapp.workflow import get_engine  # the engine that runs this very step

    signal = _signal(ctx)
    if ctx.actor.id is None:
        raise OperationRefused(_("Solo un'assistente sociale può avviare la presa in carico."))
    engine = get_engine()
    if engine.latest_version(ctx.session, CASE_PROCESS_KEY) is None:
        raise OperationRefused("Il processo della presa in carico non è pubblicato: avvisa gli amministratori.")
    instance = engine.start(
        ctx.session, CASE_PROCESS_KEY, {"owner_user_id": ctx.actor.id, "signal_id": signal.id}, ctx.actor, now=ctx.now
    )
    signal.status = TAKEN_IN_CHARGE
    signal.owner_id = ctx.actor.id
    signal.case_instance_id = instance.id
    signal.decided_at = signal.updated_at = ctx.now
    _message(ctx, signal, "esito", system_messages.taken_in_charge())
    notice = message(
        N_("La segnalazione n. %(number)s è stata presa in carico dal Servizio sociale."), number=signal.id
    )
    _tell_organization(ctx, signal, notice, "signal_taken")
    mail.mail_organization(
        ctx.session,
        signal.organization_id,
        "presa_in_carico",
        f"Tessere: la segnalazione n. {signal.id} è stata presa in carico",
        ctx.now,
        signal_id=signal.id,
        organization_name=signal.organization.name,
        link=mail.signal_link(signal.id),
    )
    return {"case_instance_id": instance.id}


def close_signal(ctx: OperationContext) -> dict:
    signal = _signal(ctx)
    signal.status = CLOSED
    signal.closing_reason = signal.closing_reason or "altro"
    signal.decided_at = signal.updated_at = ctx.now
    reason = italian(CLOSING_REASON_LABELS.get(signal.closing_reason, signal.closing_reason))  # stored and mailed
    _message(ctx, signal, "esito", system_messages.closed(reason))
    label_of_reason = CLOSING_REASON_LABELS.get(signal.closing_reason)
    notice = message(
        N_("La segnalazione n. %(number)s è stata chiusa: %(reason)s."),
        number=signal.id,
        reason=interface_label(label_of_reason) if label_of_reason is not None else reason,
    )
    _tell_organization(ctx, signal, notice, "signal_closed")
    mail.mail_organization(
        ctx.session,
        signal.organization_id,
        "chiusa",
        f"Tessere: la segnalazione n. {signal.id} è stata chiusa",
        ctx.now,
        signal_id=signal.id,
        organization_name=signal.organization.name,
        reason=reason,
        link=mail.signal_link(signal.id),
    )
    return {}


OPERATIONS = (
    ("signal.register", "Registra la segnalazione", register_signal),
    ("signal.record_evaluation", "Registra la valutazione della segnalazione", record_evaluation),
    ("signal.record_information", "Registra le informazioni dell'organizzazione", record_information),
    ("signal.information_expired", "Registra la mancata risposta dell'organizzazione", information_expired),
    ("signal.open_case", "Avvia la presa in carico dalla segnalazione", open_case),
    ("signal.close", "Chiudi la segnalazione", close_signal),
)
