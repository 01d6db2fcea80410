"""The monitoring process end to end: the schedule starts a period, its timer opens one questionnaire per member
organization (each its own `fase3_questionario` instance, in the organization's lane), reminders and the deadline,
the manager's review, the published and archived report (HTML and PDF), good practices in the public catalogue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from engine.models import HumanTask, ProcessInstance
from tests import factories
from webapp.extensions import db
from webapp.monitoring import schedule as monitoring_schedule
from webapp.monitoring.figures import ROME, day_start_utc, local_day, period_label
from webapp.monitoring.models import GoodPractice, MonitoringPeriod, MonitoringQuestionnaire, MonitoringSchedule
from webapp.monitoring.services import PROCESS_KEY, QUESTIONNAIRE_PROCESS_KEY
from webapp.referrals.models import Notification
from webapp.workflow import get_engine

# SpiffWorkflow compares timers with the wall clock when it refreshes them, so the test's moments are taken from
# the real date: the current semester, and its end (in the future).
NOW = datetime.now(UTC)
START = monitoring_schedule.current_period_start(local_day(NOW))
END = monitoring_schedule.period_end(START, 6)
LABEL = period_label(START, END)
PERIOD_OVER = day_start_utc(END + timedelta(days=1))
AFTER = PERIOD_OVER + timedelta(hours=9)

ANSWERS = {
    "activities": "Distribuzione settimanale di pacchi alimentari e due incontri sul risparmio.",
    "activities_count": "26",
    "people_reached": "140",
    "volunteers": "18",
    "difficulties": "Pochi volontari il sabato.",
    "proposals": "=Un coordinamento dei turni con la parrocchia.",
}


def _worker(runner, now: datetime) -> str:
    result = runner.invoke(args=["tessere", "worker", "--once", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def _schedule(app, now: datetime = NOW) -> None:
    with app.app_context():
        monitoring_schedule.ensure_schedule(db.session, now)
        db.session.commit()


def _open_tasks(app, form_key: str) -> list[HumanTask]:
    with app.app_context():
        tasks = list(
            db.session.scalars(
                select(HumanTask)
                .where(HumanTask.form_key == form_key, HumanTask.status == "open")
                .order_by(HumanTask.id)
            )
        )
        for task in tasks:
            db.session.expunge(task)
        return tasks


def _period(app, start: date) -> MonitoringPeriod:
    with app.app_context():
        period = db.session.scalar(select(MonitoringPeriod).where(MonitoringPeriod.start == start))
        db.session.expunge(period)
        return period


def test_the_schedule_starts_one_instance_per_period_waiting_on_its_timer_start(app):
    _schedule(app)
    with app.app_context():
        engine = get_engine()
        assert monitoring_schedule.start_due_periods(db.session, engine, NOW) == 1
        assert monitoring_schedule.start_due_periods(db.session, engine, NOW + timedelta(minutes=5)) == 0
        period = db.session.scalar(select(MonitoringPeriod))
        assert (period.start, period.end, period.status) == (START, END, "in_corso")
        assert START.day == 1 and START.month in (1, 7) and END.month in (6, 12)
        instance = db.session.get(ProcessInstance, period.instance_id)
        assert instance.process_key == PROCESS_KEY and instance.status == "waiting"
        # the timer start event fires at midnight after the last day, in Campi Bisenzio
        assert instance.next_timer_at.replace(tzinfo=UTC) == PERIOD_OVER
        assert PERIOD_OVER.astimezone(ROME).hour == 0
        assert db.session.get(MonitoringSchedule, 1).next_period_start == END + timedelta(days=1)


def test_a_stopped_worker_catches_up_one_period_at_a_time(app, runner):
    _schedule(app, NOW - timedelta(days=400))
    first = monitoring_schedule.current_period_start(local_day(NOW - timedelta(days=400)))
    next_start = END + timedelta(days=1)
    periods = ((next_start.year - first.year) * 12 + next_start.month - first.month) // 6 + 1
    output = _worker(runner, AFTER)
    assert f"Processi periodici avviati: {periods}" in output  # the ended ones and the one just begun
    with app.app_context():
        statuses = dict(db.session.execute(select(MonitoringPeriod.start, MonitoringPeriod.status)).all())
        assert len(statuses) == periods
        assert statuses[first] == "raccolta" and statuses[START] == "raccolta" and statuses[next_start] == "in_corso"
        # each ended period asks the organizations that were in the network at its end (the test's joined today)
        count = db.session.scalar(select(func.count()).select_from(MonitoringQuestionnaire))
        assert count == 2


def test_the_whole_monitoring_cycle(app, runner, login):
    _schedule(app)
    _worker(runner, NOW)
    # The period is over: the questionnaires go out, one instance per organization, each in its own lane.
    _worker(runner, AFTER)
    period = _period(app, START)
    assert period.status == "raccolta"
    tasks = _open_tasks(app, "questionario_monitoraggio")
    assert len(tasks) == 2 and {t.process_key for t in tasks} == {QUESTIONNAIRE_PROCESS_KEY}
    assert all(t.organization_id is not None and t.due_at is not None for t in tasks)
    with app.app_context():
        kinds = list(db.session.scalars(select(Notification.kind)))
        assert kinds.count("monitoring_questionnaire") == 2

    operator_a, operator_b = login(factories.OPERATOR_A), login(factories.OPERATOR_B)
    with app.app_context():
        org_a = db.session.scalar(
            select(factories.Organization).where(factories.Organization.codice_fiscale == factories.ORG_A_CF)
        )
    task_a = next(t for t in tasks if t.organization_id == org_a.id)
    task_b = next(t for t in tasks if t.organization_id != org_a.id)
    assert operator_b.get(f"/monitoraggio/attivita/{task_a.id}").status_code == 404  # not their questionnaire
    # From the worklist's generic link to the questionnaire page.
    response = operator_a.get(f"/attivita/{task_a.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/monitoraggio/attivita/{task_a.id}")
    page = operator_a.get(f"/monitoraggio/attivita/{task_a.id}").get_data(as_text=True)
    assert f"Questionario di monitoraggio – {LABEL}" in page and "I vostri invii nel periodo" in page
    invalid = operator_a.post(f"/monitoraggio/attivita/{task_a.id}", data={**ANSWERS, "people_reached": "-3"})
    assert invalid.status_code == 422
    response = operator_a.post(f"/monitoraggio/attivita/{task_a.id}", data=ANSWERS)
    assert response.status_code == 302
    with app.app_context():
        answer = db.session.scalar(
            select(MonitoringQuestionnaire).where(MonitoringQuestionnaire.organization_id == org_a.id)
        )
        assert (answer.status, answer.people_reached, answer.volunteers) == ("inviato", 140, 18)
        # the answers live in the domain table, not in the process state
        instance = db.session.get(ProcessInstance, db.session.get(HumanTask, task_a.id).instance_id)
        assert "Pochi volontari" not in instance.state_json

    # A week before the deadline the organization that did not answer is reminded; at the deadline it is missing.
    deadline = period_deadline(app)
    _worker(runner, deadline - timedelta(days=6))
    with app.app_context():
        reminders = list(db.session.scalars(select(Notification).where(Notification.kind == "monitoring_reminder")))
        assert [n.organization_id for n in reminders] == [task_b.organization_id]
    _worker(runner, deadline + timedelta(hours=1))
    period = _period(app, START)
    assert period.status == "revisione"
    assert _open_tasks(app, "questionario_monitoraggio") == []
    with app.app_context():
        missing = db.session.scalar(
            select(MonitoringQuestionnaire).where(MonitoringQuestionnaire.organization_id == task_b.organization_id)
        )
        assert missing.status == "non_pervenuto"

    # The manager reviews and publishes.
    manager = login(factories.MANAGER)
    (review,) = _open_tasks(app, "revisione_monitoraggio")
    page = manager.get(f"/monitoraggio/attivita/{review.id}").get_data(as_text=True)
    assert "Questionari ricevuti: <strong>1</strong> su 2" in page and "Pochi volontari il sabato." in page
    draft = manager.get(f"/monitoraggio/periodi/{period.id}")
    assert draft.status_code == 200 and "Bozza" in draft.get_data(as_text=True)
    assert operator_a.get(f"/monitoraggio/periodi/{period.id}").status_code == 404  # drafts are the manager's
    conclusions = {
        "summary": "Semestre di avvio della rete.",
        "issues": "Risposte lente nel mese di agosto.",
        "sustainability": "Cercare fondi regionali con un bando in partenariato.",
    }
    assert manager.post(f"/monitoraggio/attivita/{review.id}", data=conclusions).status_code == 422  # no confirm
    response = manager.post(f"/monitoraggio/attivita/{review.id}", data={**conclusions, "confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        published = db.session.get(MonitoringPeriod, period.id)
        assert published.status == "pubblicato" and published.summary == "Semestre di avvio della rete."
        assert published.report_pdf.startswith(b"%PDF")
        snapshot = published.snapshot
        assert snapshot["questionnaire_totals"]["persone"] == 140
        assert snapshot["conclusions"]["sustainability"].startswith("Cercare fondi")
        assert db.session.get(ProcessInstance, published.instance_id).status == "completed"

    # Organizations read the archived report and download its PDF.
    report = operator_b.get(f"/monitoraggio/periodi/{period.id}").get_data(as_text=True)
    assert f"Rapporto di monitoraggio – {LABEL}" in report and "Risposte lente nel mese di agosto." in report
    assert "Emporio Solidale di prova" in report and "Distribuzione settimanale" in report
    assert "<svg" in report and "Bozza" not in report
    pdf = operator_b.get(f"/monitoraggio/periodi/{period.id}/rapporto.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert f'filename="tessere-monitoraggio-{START}-{END}.pdf"' in pdf.headers["Content-Disposition"]


def period_deadline(app) -> datetime:
    with app.app_context():
        period = db.session.scalar(select(MonitoringPeriod).where(MonitoringPeriod.start == START))
        return period.collection_deadline.replace(tzinfo=UTC)


def test_good_practices_are_recorded_by_managers_and_shown_in_the_public_catalogue(app, login):
    manager = login(factories.MANAGER)
    with app.app_context():
        org_ids = list(db.session.scalars(select(factories.Organization.id)))
    form = manager.get("/monitoraggio/buone-pratiche/nuova")
    assert form.status_code == 200
    response = manager.post(
        "/monitoraggio/buone-pratiche/nuova",
        data={
            "title": "La spesa sospesa",
            "organization_ids": [str(i) for i in org_ids],
            "target_groups": ["poverta"],
            "description": "Due organizzazioni condividono un magazzino.",
            "results": "Il doppio delle famiglie raggiunte.",
            "period_id": "",
            "published": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    anonymous = app.test_client()
    listing = anonymous.get("/buone-pratiche").get_data(as_text=True)
    assert "La spesa sospesa" in listing and "Emporio Solidale di prova" in listing
    with app.app_context():
        practice = db.session.scalar(select(GoodPractice))
    detail = anonymous.get(f"/buone-pratiche/{practice.id}").get_data(as_text=True)
    assert "Il doppio delle famiglie raggiunte." in detail
    manager.post(
        f"/monitoraggio/buone-pratiche/{practice.id}/modifica",
        data={"title": "La spesa sospesa", "organization_ids": [str(org_ids[0])], "description": "x", "results": "y"},
    )
    assert anonymous.get(f"/buone-pratiche/{practice.id}").status_code == 404  # no longer published
    assert login(factories.OPERATOR_A).get("/monitoraggio/buone-pratiche").status_code == 404
