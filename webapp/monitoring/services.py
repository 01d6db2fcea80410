"""Fase 3's domain logic: periods and their questionnaires, the review, the published report, good practices.

Plain functions taking the session and who acts (CONVENTIONS.md); the BPMN operations of `fase3_monitoraggio`,
the views and the demo loader all call these.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from webapp.auth.models import User
from webapp.monitoring.figures import day_start_utc, local_day, period_label
from webapp.monitoring.models import GoodPractice, MonitoringPeriod, MonitoringQuestionnaire, MonitoringSchedule
from webapp.network.models import Organization
from webapp.notifications.mail import enqueue_text_mail
from webapp.notifications.messages import N_, italian, message
from webapp.notifications.messages import period as period_param
from webapp.notifications.services import external_url, organization_addresses, user_address
from webapp.referrals.models import Notification

PROCESS_KEY = "fase3_monitoraggio"
QUESTIONNAIRE_PROCESS_KEY = "fase3_questionario"
QUESTIONNAIRE_FORM_KEY = "questionario_monitoraggio"
REVIEW_FORM_KEY = "revisione_monitoraggio"
ANSWER_FIELDS = ("activities", "activities_count", "people_reached", "volunteers", "difficulties", "proposals")
CONCLUSION_FIELDS = ("summary", "issues", "sustainability")


class MonitoringError(Exception):
    """The monitoring action cannot be done; `message` is for a person, `field` the form field concerned."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --------------------------------------------------------------------------------------------------- queries
def label(period: MonitoringPeriod) -> str:
    """The period's name in Italian, for process data, notifications and the archived report."""
    return period_label(period.start, period.end)


def display_label(period: MonitoringPeriod) -> str:
    """The period's name in the reader's language, for the pages."""
    locale = get_locale()
    return period_label(period.start, period.end, str(locale) if locale is not None else "it")


def periods(session: Session, published_only: bool = False) -> list[MonitoringPeriod]:
    query = select(MonitoringPeriod).order_by(MonitoringPeriod.start.desc(), MonitoringPeriod.id.desc())
    if published_only:
        query = query.where(MonitoringPeriod.status == "pubblicato")
    return list(session.scalars(query))


def schedule(session: Session) -> MonitoringSchedule | None:
    return session.scalar(select(MonitoringSchedule).where(MonitoringSchedule.process_key == PROCESS_KEY))


def members_at(session: Session, day: date) -> list[Organization]:
    """Organizations of the network at the end of `day` (admitted by then, still admitted)."""
    return list(
        session.scalars(
            select(Organization)
            .where(Organization.status == "approved", Organization.created_at < day_start_utc(day + timedelta(days=1)))
            .order_by(Organization.name)
        )
    )


def questionnaire(session: Session, period_id: int, organization_id: int) -> MonitoringQuestionnaire | None:
    return session.scalar(
        select(MonitoringQuestionnaire).where(
            MonitoringQuestionnaire.period_id == period_id, MonitoringQuestionnaire.organization_id == organization_id
        )
    )


def questionnaires(session: Session, period: MonitoringPeriod) -> list[MonitoringQuestionnaire]:
    return list(
        session.scalars(
            select(MonitoringQuestionnaire)
            .options(joinedload(MonitoringQuestionnaire.organization))
            .where(MonitoringQuestionnaire.period_id == period.id)
            .join(Organization)
            .order_by(Organization.name)
        )
    )


def organization_questionnaires(session: Session, organization_id: int) -> list[MonitoringQuestionnaire]:
    return list(
        session.scalars(
            select(MonitoringQuestionnaire)
            .options(joinedload(MonitoringQuestionnaire.period))
            .join(MonitoringPeriod)
            .where(MonitoringQuestionnaire.organization_id == organization_id)
            .order_by(MonitoringPeriod.start.desc())
        )
    )


def questionnaire_totals(items: list[MonitoringQuestionnaire]) -> dict[str, int]:
    sent = [q for q in items if q.status == "inviato"]
    return {
        "organizzazioni": len(items),
        "inviati": len(sent),
        "non_pervenuti": sum(1 for q in items if q.status == "non_pervenuto"),
        "da_compilare": sum(1 for q in items if q.status == "da_compilare"),
        "attivita": sum(q.activities_count or 0 for q in sent),
        "persone": sum(q.people_reached or 0 for q in sent),
        "volontari": sum(q.volunteers or 0 for q in sent),
    }


# ------------------------------------------------------------------------------------------- process steps
def open_collection(
    session: Session, period: MonitoringPeriod, now: datetime, days: int, reminder_days: int
) -> tuple[list[int], datetime, datetime]:
    """One questionnaire per member organization at the end of the period; tell them. Returns the organizations'
    ids, the deadline and the moment of the reminder."""
    # until the end of the last day (23:59 in Campi Bisenzio, so that pages read "entro il <day> 23:59")
    deadline = day_start_utc(local_day(now) + timedelta(days=days + 1)) - timedelta(minutes=1)
    reminder = max(deadline - timedelta(days=reminder_days), now)
    members = members_at(session, period.end)
    for organization in members:
        if questionnaire(session, period.id, organization.id) is None:
            session.add(MonitoringQuestionnaire(period_id=period.id, organization_id=organization.id))
    period.status = "raccolta"
    period.collection_opened_at = now
    period.collection_deadline = deadline
    notice = message(
        N_(
            "È aperto il questionario di monitoraggio del periodo %(period)s: raccontate attività, persone "
            "raggiunte e volontari, difficoltà e proposte entro il %(date)s."
        ),
        period=period_param(period.start, period.end),
        date=local_day(deadline),
    )
    text = italian(notice)
    link = external_url("monitoring.index")
    for organization in members:
        _notify(session, now, "monitoring_questionnaire", notice, organization_id=organization.id)
        for address in organization_addresses(session, organization.id):
            enqueue_text_mail(
                session,
                address,
                f"Tessere: questionario di monitoraggio, {label(period)}",
                f"Buongiorno,\n\n{text}\n\nIl questionario è tra le attività di {organization.name} in Tessere:\n"
                f"{link}\n",
                kind="questionario_monitoraggio",
                now=now,
            )
    session.flush()
    return [o.id for o in members], deadline, reminder


def record_questionnaire(
    session: Session, period: MonitoringPeriod, organization_id: int, answers: dict, user_id: int | None, now: datetime
) -> MonitoringQuestionnaire:
    item = questionnaire(session, period.id, organization_id)
    if item is None:
        item = MonitoringQuestionnaire(period_id=period.id, organization_id=organization_id)
        session.add(item)
    if item.status == "inviato":
        raise MonitoringError(_("Il questionario di questo periodo è già stato inviato."))
    if period.status != "raccolta":
        raise MonitoringError(_("La raccolta dei questionari di questo periodo è chiusa."))
    item.activities = (answers.get("activities") or "").strip() or None
    item.difficulties = (answers.get("difficulties") or "").strip() or None
    item.proposals = (answers.get("proposals") or "").strip() or None
    for name in ("activities_count", "people_reached", "volunteers"):
        value = answers.get(name)
        setattr(item, name, int(value) if value not in (None, "") else None)
    item.status = "inviato"
    item.submitted_at = now
    item.submitted_by_id = user_id
    session.flush()
    return item


def remind_questionnaire(session: Session, period: MonitoringPeriod, organization_id: int, now: datetime) -> bool:
    item = questionnaire(session, period.id, organization_id)
    if item is None or item.status != "da_compilare":
        return False
    item.reminded_at = now
    deadline = period.collection_deadline
    if deadline:
        notice = message(
            N_("Promemoria: il questionario di monitoraggio del periodo %(period)s va compilato entro il %(date)s."),
            period=period_param(period.start, period.end),
            date=local_day(deadline),
        )
    else:
        notice = message(
            N_("Promemoria: il questionario di monitoraggio del periodo %(period)s va compilato."),
            period=period_param(period.start, period.end),
        )
    text = italian(notice)
    _notify(session, now, "monitoring_reminder", notice, organization_id=organization_id)
    for address in organization_addresses(session, organization_id):
        enqueue_text_mail(
            session,
            address,
            f"Tessere: promemoria del questionario di monitoraggio, {label(period)}",
            f"Buongiorno,\n\n{text}\n\n{external_url('monitoring.index')}\n",
            kind="promemoria_monitoraggio",
            now=now,
        )
    return True


def questionnaire_missing(session: Session, period: MonitoringPeriod, organization_id: int, now: datetime) -> None:
    item = questionnaire(session, period.id, organization_id)
    if item is not None and item.status == "da_compilare":
        item.status = "non_pervenuto"


def start_review(session: Session, period: MonitoringPeriod, now: datetime) -> None:
    period.status = "revisione"
    for item in questionnaires(session, period):
        if item.status == "da_compilare":
            item.status = "non_pervenuto"
    totals = questionnaire_totals(questionnaires(session, period))
    notice = message(
        N_(
            "Monitoraggio %(period)s: raccolta chiusa, %(sent)s questionari su %(total)s. È il momento della "
            "revisione e della pubblicazione del rapporto."
        ),
        period=period_param(period.start, period.end),
        sent=totals["inviati"],
        total=totals["organizzazioni"],
    )
    text = italian(notice)
    for manager_id in manager_ids(session):
        _notify(session, now, "monitoring_review", notice, user_id=manager_id)
        address = user_address(session, manager_id)
        if address:
            enqueue_text_mail(
                session,
                address,
                f"Tessere: monitoraggio {label(period)} da rivedere",
                f"Buongiorno,\n\n{text}\n\n{external_url('monitoring.index')}\n",
                kind="revisione_monitoraggio",
                now=now,
            )


def publish_report(
    session: Session, period: MonitoringPeriod, conclusions: dict, user_id: int | None, now: datetime
) -> MonitoringPeriod:
    """Freeze the figures, store the manager's conclusions and the PDF, and tell the network."""
    from webapp.monitoring import report

    if period.status == "pubblicato":
        raise MonitoringError(_("Il rapporto di questo periodo è già stato pubblicato."))
    for name in CONCLUSION_FIELDS:
        if not (conclusions.get(name) or "").strip():
            raise MonitoringError(_("Le conclusioni del responsabile sono obbligatorie."), field=name)
    period.summary = conclusions["summary"].strip()
    period.issues = conclusions["issues"].strip()
    period.sustainability = conclusions["sustainability"].strip()
    period.published_at = now
    period.published_by_id = user_id
    period.snapshot = report.build_snapshot(session, period, now)
    period.status = "pubblicato"
    session.flush()
    report.store_pdf(period, now)
    notice = message(
        N_("È stato pubblicato il rapporto di monitoraggio del periodo %(period)s."),
        period=period_param(period.start, period.end),
    )
    for organization in members_at(session, period.end):
        _notify(session, now, "monitoring_published", notice, organization_id=organization.id)
    return period


# ------------------------------------------------------------------------------------------ good practices
def good_practices(session: Session, published_only: bool = True) -> list[GoodPractice]:
    query = (
        select(GoodPractice)
        .options(joinedload(GoodPractice.organizations))
        .order_by(GoodPractice.created_at.desc(), GoodPractice.id.desc())
    )
    if published_only:
        query = query.where(GoodPractice.published.is_(True))
    return list(session.scalars(query).unique())


def good_practice(session: Session, practice_id: int, published_only: bool = True) -> GoodPractice | None:
    practice = session.get(GoodPractice, practice_id)
    if practice is None or (published_only and not practice.published):
        return None
    return practice


def save_good_practice(
    session: Session, data: dict, user: User, now: datetime, practice: GoodPractice | None = None
) -> GoodPractice:
    organization_ids = [int(i) for i in data.get("organization_ids") or []]
    organizations = list(session.scalars(select(Organization).where(Organization.id.in_(organization_ids or [-1]))))
    if not organizations:
        raise MonitoringError(_("Indica almeno un'organizzazione della rete."), field="organization_ids")
    period_id = data.get("period_id") or None
    if period_id is not None and session.get(MonitoringPeriod, period_id) is None:
        raise MonitoringError(_("Periodo di monitoraggio inesistente."), field="period_id")
    if practice is None:
        practice = GoodPractice(created_at=now, created_by_id=user.id)
        session.add(practice)
    else:
        practice.updated_at = now
    practice.title = data["title"].strip()
    practice.description = data["description"].strip()
    practice.results = data["results"].strip()
    practice.target_groups = list(data.get("target_groups") or [])
    practice.period_id = period_id
    practice.published = bool(data.get("published"))
    practice.organizations = organizations
    session.flush()
    return practice


def practices_of_period(session: Session, period: MonitoringPeriod) -> list[GoodPractice]:
    return list(
        session.scalars(
            select(GoodPractice)
            .where(GoodPractice.period_id == period.id, GoodPractice.published.is_(True))
            .order_by(GoodPractice.id)
        )
    )


# ------------------------------------------------------------------------------------------------- helpers
def manager_ids(session: Session) -> list[int]:
    return list(session.scalars(select(User.id).where(User.role == "manager", User.active.is_(True))))


def _notify(session: Session, now: datetime, kind: str, notice: dict, user_id=None, organization_id=None) -> None:
    """An in-app notification: its Italian text, and its message for each reader's language (notifications.messages)."""
    session.add(
        Notification(
            user_id=user_id,
            organization_id=organization_id,
            kind=kind,
            text=italian(notice),
            message=notice,
            created_at=now,
        )
    )


def count_open_questionnaires(session: Session, organization_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(MonitoringQuestionnaire)
            .where(
                MonitoringQuestionnaire.organization_id == organization_id,
                MonitoringQuestionnaire.status == "da_compilare",
            )
        )
        or 0
    )
