"""The periodic start of `fase3_monitoraggio`: one process instance per monitoring period, started by the worker.

Why a schedule table and not an engine feature. The diagram starts with a *timer start event* ("Fine del periodo
di monitoraggio") and the engine runs it like any timer: an instance waits on it, the worker fires it when due. What
BPMN leaves to the engine is *creating* an instance each time a period begins, and that is domain business here,
not workflow business:

- a period is a domain object (`MonitoringPeriod`): its questionnaires and its archived report hang on it, and it
  must exist exactly once — the `(start, end)` unique constraint and `FOR UPDATE SKIP LOCKED` on the schedule row
  keep two workers from starting it twice;
- periods follow the calendar (semesters from 1 January and 1 July), which an ISO 8601 cycle measured from the
  wall clock would not give; and the manager changes the interval from a page, without deploying a new diagram;
- SpiffWorkflow 3.2 fires a cycle timer start event again *inside the same instance*, which would mix all the
  periods in one ever-growing state.

So the worker (`tessere worker`, each pass) calls `start_due_periods`: for every period whose first day has come it
creates the period row and starts an instance with `fine_periodo` (midnight after the last day, Europe/Rome); the
instance then waits on its timer start event until the period is over and the questionnaires go out. A worker that
was stopped catches up, one instance per missed period (their timers are already due, so they go on at once).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Actor, Engine
from webapp.monitoring.figures import add_months, day_start_utc, local_day, period_label
from webapp.monitoring.models import MonitoringPeriod, MonitoringSchedule
from webapp.monitoring.services import PROCESS_KEY

DEFAULT_INTERVAL_MONTHS = 6
MAX_PERIODS_PER_PASS = 12
SYSTEM_ACTOR = Actor.system("Programmazione del monitoraggio")


def current_period_start(today: date, interval_months: int = DEFAULT_INTERVAL_MONTHS) -> date:
    """The first day of the calendar period (of `interval_months`, counted from 1 January) containing `today`."""
    month = (today.month - 1) // interval_months * interval_months + 1
    return date(today.year, month, 1)


def ensure_schedule(session: Session, now: datetime) -> MonitoringSchedule:
    """The monitoring schedule, created (every six months, from the current semester) if there is none."""
    schedule = session.scalar(select(MonitoringSchedule).where(MonitoringSchedule.process_key == PROCESS_KEY))
    if schedule is None:
        schedule = MonitoringSchedule(
            process_key=PROCESS_KEY,
            interval_months=DEFAULT_INTERVAL_MONTHS,
            next_period_start=current_period_start(local_day(now)),
            questionnaire_days=30,
            active=True,
            updated_at=now,
        )
        session.add(schedule)
        session.flush()
    return schedule


def period_end(start: date, interval_months: int) -> date:
    return add_months(start, interval_months) - timedelta(days=1)


def start_period(
    session: Session, engine: Engine, schedule: MonitoringSchedule, start: date, end: date, now: datetime
) -> MonitoringPeriod:
    """Create the period (if missing) and start its process (if it has none)."""
    period = session.scalar(
        select(MonitoringPeriod).where(MonitoringPeriod.start == start, MonitoringPeriod.end == end)
    )
    if period is None:
        period = MonitoringPeriod(start=start, end=end, status="in_corso", created_at=now)
        session.add(period)
        session.flush()
    if period.instance_id is None:
        instance = engine.start(
            session,
            PROCESS_KEY,
            {
                "period_id": period.id,
                "schedule_id": schedule.id,
                "periodo": period_label(start, end),
                "fine_periodo": day_start_utc(end + timedelta(days=1)).isoformat(),
            },
            SYSTEM_ACTOR,
            now=now,
        )
        period.instance_id = instance.id
    return period


def start_due_periods(session: Session, engine: Engine, now: datetime) -> int:
    """Start the process of every period whose first day has come; commits; returns how many were started."""
    schedule = session.scalars(
        select(MonitoringSchedule)
        .where(MonitoringSchedule.process_key == PROCESS_KEY, MonitoringSchedule.active.is_(True))
        .with_for_update(skip_locked=True)
    ).first()
    if schedule is None or engine.latest_version(session, PROCESS_KEY) is None:
        session.rollback()
        return 0
    started = 0
    today = local_day(now)
    try:
        while schedule.next_period_start <= today and started < MAX_PERIODS_PER_PASS:
            start = schedule.next_period_start
            end = period_end(start, schedule.interval_months)
            start_period(session, engine, schedule, start, end, now)
            schedule.next_period_start = end + timedelta(days=1)
            started += 1
        session.commit()
    except Exception:
        session.rollback()
        raise
    return started
