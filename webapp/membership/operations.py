"""The domain operations the membership diagram (`bpmn/fase1_adesione.bpmn`) composes.

Each runs inside the step's transaction. The process state holds only `application_id` and the review's outcome:
the scheda lives in the membership tables. A refusal (OperationRefused) rolls the whole step back and the person
who acted reads the message next to the form, with what they typed still there.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from engine import OperationContext, OperationRefused, OperationRegistry
from forms.membership import ALBO_COOP_SECTIONS, AREA_SCOPES, RUNTS_SECTIONS
from forms.vocabulary import italian
from webapp.membership import mail, services
from webapp.membership.models import APPROVED, CHANGES_REQUESTED, REJECTED, SUBMITTED, MembershipApplication
from webapp.network.models import Organization

EXPIRED_REASON = "Le modifiche richieste non sono state inviate entro il termine."
LOOP_EXHAUSTED_REASON = "È stato raggiunto il numero massimo di richieste di modifica senza una decisione."


def register_membership_operations(registry: OperationRegistry) -> None:
    """Add Fase 1's operations to the application's registry."""
    for name, label, function in OPERATIONS:
        registry.register(name, label)(function)


def _application(ctx: OperationContext) -> MembershipApplication:
    application = ctx.session.get(MembershipApplication, ctx.data.get("application_id"))
    if application is None:
        raise OperationRefused("La domanda di adesione collegata a questo processo non esiste più.")
    return application


def register_submission(ctx: OperationContext) -> dict:
    """The first submission: protocol number, status «in esame», receipt by e-mail."""
    application = _application(ctx)
    if application.protocol_number is None:
        application.protocol_number = services.next_protocol_number(ctx.session, ctx.now)
    application.instance_id = ctx.instance_id
    application.status = SUBMITTED
    application.revision = 1
    application.submitted_at = application.last_submitted_at = ctx.now
    services.record_event(ctx.session, application, "submitted", ctx.now, None, ctx.actor.label)
    mail.send_receipt(ctx.session, application, services.application_link(application), ctx.now)
    ctx.notes.append(f"Protocollo {application.protocol_number}")
    return {}


def record_review(ctx: OperationContext) -> dict:
    """The manager's outcome; a change request is bounded, recorded with its text and e-mailed with the link."""
    application = _application(ctx)
    outcome = ctx.data.get("esito_esame")
    if outcome != "modifiche":
        return {}
    asked = services.change_requests(application)
    if asked >= services.MAX_CHANGE_REQUESTS:
        raise OperationRefused(
            f"Sono già state chieste modifiche {asked} volte, il massimo previsto: ora la domanda va approvata "
            "o respinta.",
            field="esito_esame",
        )
    text = (ctx.data.get("motivazione_esame") or "").strip()
    application.status = CHANGES_REQUESTED
    application.last_request = text
    services.record_event(ctx.session, application, "changes_requested", ctx.now, ctx.actor.id, ctx.actor.label, text)
    due = ctx.now + timedelta(days=services.CHANGES_DEADLINE_DAYS)  # the diagram's timer on the applicant's task
    mail.send_changes_requested(ctx.session, application, services.application_link(application), due, ctx.now)
    return {}


def record_resubmission(ctx: OperationContext) -> dict:
    """The applicant sent the amended scheda: back to review, with a receipt."""
    application = _application(ctx)
    application.status = SUBMITTED
    application.revision = (application.revision or 0) + 1
    application.last_submitted_at = ctx.now
    services.record_event(ctx.session, application, "resubmitted", ctx.now, None, ctx.actor.label)
    mail.send_resubmission_receipt(ctx.session, application, services.application_link(application), ctx.now)
    return {}  # esito_esame stays "modifiche": the review loop goes round once more


def expire_changes(ctx: OperationContext) -> dict:
    """The applicant did not send the changes in time: the review ends and the application is not accepted."""
    application = _application(ctx)
    services.record_event(ctx.session, application, "changes_expired", ctx.now, None, ctx.actor.label)
    return {"esito_esame": "scaduta"}


def approve(ctx: OperationContext) -> dict:
    """The organization enters the elenco (created or updated from the scheda); its referent is invited."""
    application = _application(ctx)
    session = ctx.session
    organization = application.organization or session.scalar(
        select(Organization).where(Organization.codice_fiscale == application.codice_fiscale)
    )
    if (
        organization is not None
        and organization.status == "approved"
        and organization.id != application.organization_id
    ):
        raise OperationRefused(
            "Un'organizzazione con questo codice fiscale è già nell'elenco della rete: la domanda non può "
            "essere approvata una seconda volta.",
            field="esito_esame",
        )
    if organization is None:
        organization = Organization(codice_fiscale=application.codice_fiscale, created_at=ctx.now)
        session.add(organization)
    organization.name = application.name
    organization.type = application.org_type
    organization.status = "approved"
    organization.email = application.email
    organization.phone = application.phone
    organization.address = legal_seat(application)
    organization.area = area_text(application)[:200] or None
    organization.description = application.description
    organization.legal_representative = application.representative_name
    organization.registry_enrolment = enrolment_text(application)[:300] or None
    session.flush()
    application.organization_id = organization.id
    application.status = APPROVED
    application.decided_at = ctx.now
    application.decided_by_id = ctx.actor.id
    application.last_request = None
    services.record_event(session, application, "approved", ctx.now, ctx.actor.id, ctx.actor.label)
    if services.invite_first_operator(session, application, organization, ctx.now, ctx.actor) is None:
        ctx.notes.append("Invito non inviato: l'e-mail del referente ha già un account.")
    return {"organization_id": organization.id}


def reject(ctx: OperationContext) -> dict:
    """Not accepted: by the manager's decision (with its reason), or because the changes never came."""
    application = _application(ctx)
    outcome = ctx.data.get("esito_esame")
    if outcome == "rifiuta":
        reason = (ctx.data.get("motivazione_esame") or "").strip()
    elif outcome == "scaduta":
        reason = EXPIRED_REASON
    else:
        reason = LOOP_EXHAUSTED_REASON
    application.status = REJECTED
    application.decided_at = ctx.now
    application.decided_by_id = ctx.actor.id
    application.last_request = reason
    application.codice_fiscale_lock = None  # the organization may apply again
    services.record_event(ctx.session, application, "rejected", ctx.now, ctx.actor.id, ctx.actor.label, reason)
    mail.send_rejection(ctx.session, application, ctx.now)
    return {}


def legal_seat(application: MembershipApplication) -> str:
    place = " ".join(p for p in (application.legal_postcode, application.legal_municipality) if p)
    province = f" ({application.legal_province})" if application.legal_province else ""
    return f"{application.legal_address}, {place}{province}"


def area_text(application: MembershipApplication) -> str:
    label = italian(dict(AREA_SCOPES).get(application.area_scope or "", ""))
    return " – ".join(p for p in (label, application.area_detail) if p)


def enrolment_text(application: MembershipApplication) -> str:
    """The enrolments in the words of the elenco, e.g. «RUNTS - sezione APS n. 2751» (as the demo data has them)."""
    runts, albo = dict(RUNTS_SECTIONS), dict(ALBO_COOP_SECTIONS)
    parts = []
    for enrolment in application.enrolments:
        if enrolment.kind == "runts":
            section = italian(runts.get(enrolment.section or "", enrolment.section or "")).split(") ", 1)[-1]
            parts.append(f"RUNTS - sezione {section} n. {enrolment.number}")
        elif enrolment.kind == "albo_cooperative_sociali":
            section = italian(albo.get(enrolment.section or "", enrolment.section or "")).split(" – ")[0].lower()
            parts.append(f"Albo regionale cooperative sociali - {section} n. {enrolment.number}")
        elif enrolment.description:
            parts.append(enrolment.description)
    return "; ".join(parts)


OPERATIONS = (
    ("membership.register_submission", _l("Protocolla la domanda e invia la ricevuta"), register_submission),
    ("membership.record_review", _l("Registra l'esito dell'esame"), record_review),
    ("membership.record_resubmission", _l("Registra la domanda modificata"), record_resubmission),
    ("membership.expire_changes", _l("Registra la mancata integrazione"), expire_changes),
    ("membership.approve", _l("Iscrivi all'elenco e invita il primo operatore"), approve),
    ("membership.reject", _l("Comunica che la domanda non è accolta"), reject),
)
