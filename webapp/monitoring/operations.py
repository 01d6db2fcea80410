"""The operations of `fase3_monitoraggio` (open the questionnaires, start the review, publish the report) and of
`fase3_questionario` (record, remind, give up a questionnaire). Each runs inside the step's transaction (see
engine.operations); opening the questionnaires starts one `fase3_questionario` instance per organization in that
same transaction, so a period never has half of its questionnaires."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from engine import Actor, OperationContext, OperationRefused, OperationRegistry
from webapp.monitoring import services
from webapp.monitoring.models import MonitoringPeriod, MonitoringSchedule


def get_engine():
    from webapp.workflow import get_engine as engine_of_app  # the engine of the running app (import cycle)

    return engine_of_app()


def register_monitoring_operations(registry: OperationRegistry) -> None:
    for name, label, function in OPERATIONS:
        registry.register(name, label)(function)


def _period(ctx: OperationContext) -> MonitoringPeriod:
    period = ctx.session.get(MonitoringPeriod, ctx.data.get("period_id"))
    if period is None:
        raise OperationRefused("Il periodo di monitoraggio collegato a questo processo non esiste più.")
    return period


def _organization_id(ctx: OperationContext) -> int:
    try:
        return int(ctx.data["organization_id"])
    except (KeyError, TypeError, ValueError):
        raise OperationRefused("Il questionario non indica l'organizzazione.") from None


def open_collection(ctx: OperationContext) -> dict:
    period = _period(ctx)
    schedule = ctx.session.get(MonitoringSchedule, ctx.data.get("schedule_id")) if ctx.data.get("schedule_id") else None
    days = schedule.questionnaire_days if schedule is not None else 30
    try:
        reminder_days = min(max(int(ctx.params.get("giorni_promemoria", 7)), 1), 30)
    except (TypeError, ValueError):
        reminder_days = 7
    engine = get_engine()
    if engine.latest_version(ctx.session, services.QUESTIONNAIRE_PROCESS_KEY) is None:
        raise OperationRefused("Il processo «Questionario di monitoraggio» non è pubblicato.")
    organization_ids, deadline, reminder = services.open_collection(ctx.session, period, ctx.now, days, reminder_days)
    data = {
        "period_id": period.id,
        "periodo": services.label(period),
        "scadenza_questionari": deadline.isoformat(),
        "promemoria_questionari": reminder.isoformat(),
    }
    # One questionnaire process per organization: its task is in the organization's lane, scoped to it by
    # `organization_id` (a multi-instance activity would do the same in one instance, but the engine refuses them).
    for organization_id in organization_ids:
        engine.start(
            ctx.session,
            services.QUESTIONNAIRE_PROCESS_KEY,
            {**data, "organization_id": organization_id},
            Actor.system("Monitoraggio periodico"),
            now=ctx.now,
        )
    ctx.notes.append(f"Questionari aperti: {len(organization_ids)}.")
    return {
        "organizzazioni": organization_ids,
        "scadenza_questionari": deadline.isoformat(),
        "promemoria_questionari": reminder.isoformat(),
    }


def record_questionnaire(ctx: OperationContext) -> dict:
    period = _period(ctx)
    try:
        services.record_questionnaire(ctx.session, period, _organization_id(ctx), dict(ctx.data), ctx.actor.id, ctx.now)
    except services.MonitoringError as exc:
        raise OperationRefused(exc.message, field=exc.field) from None
    ctx.forget_keys(*services.ANSWER_FIELDS)  # the answers live in monitoring_questionnaire
    return {}


def remind_questionnaire(ctx: OperationContext) -> dict:
    if not services.remind_questionnaire(ctx.session, _period(ctx), _organization_id(ctx), ctx.now):
        ctx.notes.append("Nessun promemoria: il questionario non è più da compilare.")
    return {}


def questionnaire_missing(ctx: OperationContext) -> dict:
    services.questionnaire_missing(ctx.session, _period(ctx), _organization_id(ctx), ctx.now)
    return {}


def start_review(ctx: OperationContext) -> dict:
    services.start_review(ctx.session, _period(ctx), ctx.now)
    return {}


def publish_report(ctx: OperationContext) -> dict:
    conclusions = {name: ctx.data.get(name) for name in services.CONCLUSION_FIELDS}
    try:
        services.publish_report(ctx.session, _period(ctx), conclusions, ctx.actor.id, ctx.now)
    except services.MonitoringError as exc:
        raise OperationRefused(exc.message, field=exc.field) from None
    ctx.forget_keys(*services.CONCLUSION_FIELDS, "confirm")  # kept on monitoring_period
    return {}


OPERATIONS = (
    ("monitoring.open_collection", _l("Apri la raccolta dei questionari di monitoraggio"), open_collection),
    ("monitoring.record_questionnaire", _l("Registra il questionario di monitoraggio"), record_questionnaire),
    ("monitoring.remind_questionnaire", _l("Promemoria del questionario di monitoraggio"), remind_questionnaire),
    ("monitoring.questionnaire_missing", _l("Registra il questionario non pervenuto"), questionnaire_missing),
    ("monitoring.start_review", _l("Chiudi la raccolta e avvia la revisione"), start_review),
    ("monitoring.publish_report", _l("Pubblica e archivia il rapporto di monitoraggio"), publish_report),
)
