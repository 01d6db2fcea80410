"""The background worker: referral deadlines and follow-ups, intermediate timers, incidents retried without losing
the instance, and (on PostgreSQL) two real worker processes that never fire a timer or send an e-mail twice."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from engine import Actor, Engine, OperationRegistry, TaskConflict
from engine.models import HumanTask, JournalEntry, ProcessInstance
from tests import bpmn_samples as samples
from tests import factories as f
from tests.conftest import POSTGRES_SCHEMA, POSTGRES_URL, make_app
from tests.journey import open_task, send_to_offer, start_case, submit
from tests.smtp_server import running_smtp_server
from webapp.extensions import db
from webapp.notifications.mail import enqueue_mail, format_date
from webapp.notifications.models import OutboxMessage
from webapp.referrals.models import Notification
from webapp.workflow import LANE_ROLES, get_engine

REPO = Path(__file__).resolve().parent.parent
WORKER = Actor(id=1, label="Assistente", roles=frozenset({"social_worker"}))


@pytest.fixture
def app(database, tmp_path):
    app = make_app(database, tmp_path, TESSERE_MAIL_DIR=str(tmp_path / "mail"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _run_worker(runner, now: datetime) -> str:
    result = runner.invoke(args=["tessere", "worker", "--once", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def _kinds(app, model=Notification) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(model.kind).order_by(model.id)))


def _mails(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (m.kind, m.to_address, m.status)
            for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def _timer_journal(app, instance_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(JournalEntry.element_id)
                .where(JournalEntry.instance_id == instance_id, JournalEntry.kind == "timer")
                .order_by(JournalEntry.id)
            )
        )


# ------------------------------------------------------------------ referral deadlines from the plan
def test_unanswered_referral_mails_a_reminder_with_the_deadline_then_escalates_to_the_social_worker(app, login, runner):
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    due = open_task(app, instance_id, "risposta_invio").due_at
    now = datetime.now(UTC)

    _run_worker(runner, now + timedelta(days=4))
    with app.app_context():
        reminder = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "promemoria_scadenza"))
        assert reminder.to_address == f.OPERATOR_A and reminder.status == "sent"
        assert f"entro il {format_date(due, with_time=True)}" in reminder.body_text

    _run_worker(runner, now + timedelta(days=6))
    assert ("invio_scaduto", f.SOCIAL_WORKER, "sent") in _mails(app)
    assert _kinds(app)[-2:] == ["referral_reminder", "referral_expired"]
    assert _timer_journal(app, instance_id) == ["promemoria_risposta", "scadenza_risposta"]
    assert open_task(app, instance_id, "dopo_rifiuto").assignee_id is not None


def test_accepted_referral_without_outcome_is_followed_up_once_after_thirty_days(app, login, runner):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    submit(operator, open_task(app, instance_id, "risposta_invio").id, {"answer": "accetta"})
    outcome = open_task(app, instance_id, "esito_intervento")
    now = datetime.now(UTC)

    _run_worker(runner, now + timedelta(days=29))
    assert "feedback_reminder" not in _kinds(app)

    _run_worker(runner, now + timedelta(days=31))
    assert _kinds(app)[-2:] == ["feedback_reminder", "feedback_missing"]
    assert ("sollecito_esito", f.OPERATOR_A, "sent") in _mails(app)
    assert open_task(app, instance_id, "esito_intervento").id == outcome.id  # a reminder: the task stays open

    _run_worker(runner, now + timedelta(days=90))
    assert _kinds(app).count("feedback_reminder") == 1
    assert _timer_journal(app, instance_id) == ["sollecito_esito"]

    submit(operator, outcome.id, {"outcome": "concluso_positivo", "outcome_note": "Percorso concluso."})
    with app.app_context():
        assert db.session.get(ProcessInstance, instance_id).next_timer_at is None  # the follow-up is gone


def test_an_intermediate_timer_event_waits_then_fires_through_the_worker(app, runner):
    body = f"""<bpmn:startEvent id="s" />
    <bpmn:intermediateCatchEvent id="attesa" name="Attendi un'ora">
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    {samples.user_task("t1")}
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="attesa" />
    <bpmn:sequenceFlow id="f2" sourceRef="attesa" targetRef="t1" />
    <bpmn:sequenceFlow id="f3" sourceRef="t1" targetRef="e" />"""
    with app.app_context():
        engine = get_engine()
        engine.deploy(db.session, samples.document(body))
        instance = engine.start(db.session, "prova", {"owner_user_id": 1}, WORKER)
        db.session.commit()
        instance_id = instance.id
        assert instance.status == "waiting" and engine.open_tasks(db.session, instance_id) == []

    _run_worker(runner, datetime.now(UTC) + timedelta(minutes=30))
    assert _timer_journal(app, instance_id) == []
    assert "Timer scaduti gestiti: 1" in _run_worker(runner, datetime.now(UTC) + timedelta(hours=2))
    assert _timer_journal(app, instance_id) == ["attesa"]
    with app.app_context():
        assert [t.element_id for t in get_engine().open_tasks(db.session, instance_id)] == ["t1"]


# ------------------------------------------------------------------ incidents
class FlakyReminder:
    """The application's operations, except that `referral.remind` fails while `broken` is set."""

    def __init__(self, real: Engine):
        self.broken = True
        registry = OperationRegistry()
        for operation in real.operations:
            function = self._flaky(operation.function) if operation.name == "referral.remind" else operation.function
            registry.register(operation.name, operation.label)(function)
        self.engine = Engine(operations=registry, form_keys=real.form_keys, lane_roles=LANE_ROLES)

    def _flaky(self, function):
        def run(ctx):
            if self.broken:
                raise RuntimeError("gateway SMS del Comune non raggiungibile")
            return function(ctx)

        return run


def test_a_failing_timer_step_is_an_incident_administrators_see_and_retry_without_losing_the_case(app, login, runner):
    flaky = FlakyReminder(app.extensions["tessere_engine"])
    app.extensions["tessere_engine"] = flaky.engine
    worker, admin = login(f.SOCIAL_WORKER), login(f.ADMIN)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    answer = open_task(app, instance_id, "risposta_invio")
    in_four_days = datetime.now(UTC) + timedelta(days=4)

    _run_worker(runner, in_four_days)
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        assert instance.status == "error" and "gateway SMS del Comune non raggiungibile" in instance.error_message
    assert "referral_reminder" not in _kinds(app)

    bell = admin.get("/notifiche").get_data(as_text=True)
    assert 'id="notifiche-da-leggere">1<' in bell and "1 processo fermo per un errore" in bell
    listing = admin.get("/amministrazione/incidenti").get_data(as_text=True)
    assert f"n. {instance_id}" in listing and "gateway SMS del Comune non raggiungibile" in listing
    detail = admin.get(f"/amministrazione/incidenti/{instance_id}").get_data(as_text=True)
    assert "Traceback" in detail and "RuntimeError" in detail
    assert worker.get("/amministrazione/incidenti").status_code == 404
    assert worker.post(f"/amministrazione/incidenti/{instance_id}/riprova").status_code == 404

    flaky.broken = False  # the cause is fixed
    response = admin.post(f"/amministrazione/incidenti/{instance_id}/riprova", follow_redirects=True)
    assert "è stato ripreso" in response.get_data(as_text=True)
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        assert instance.status == "running" and instance.error_message is None
        assert instance.next_timer_at is not None
        kinds = [e.kind for e in get_engine().journal(db.session, instance_id)]
        assert kinds[-2:] == ["error", "retry"]
    assert "Nessun incidente" in admin.get("/amministrazione/incidenti").get_data(as_text=True)

    _run_worker(runner, in_four_days)
    assert "referral_reminder" in _kinds(app)
    assert ("promemoria_scadenza", f.OPERATOR_A, "sent") in _mails(app)
    assert open_task(app, instance_id, "risposta_invio").id == answer.id  # nothing of the case was lost
    assert _timer_journal(app, instance_id) == ["promemoria_risposta"]


def test_retrying_an_instance_that_is_not_in_error_is_refused(app):
    with app.app_context():
        engine = get_engine()
        engine.deploy(db.session, samples.linear())
        instance = engine.start(db.session, "prova", {"owner_user_id": 1}, WORKER)
        with pytest.raises(TaskConflict, match="non è in errore"):
            engine.retry(db.session, instance.id, Actor.system())


# ------------------------------------------------------------------ several workers on PostgreSQL
def _worker_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESSERE_")}
    env.update(
        TESSERE_DATABASE_URL=POSTGRES_URL,
        TESSERE_DATABASE_SCHEMA=POSTGRES_SCHEMA,
        TESSERE_SECRET_KEY="prova-worker",
        TESSERE_MAIL_DIR=str(tmp_path / "mail"),
        **extra,
    )
    return env


def _start_workers_together(table: str, env: dict[str, str], now: datetime, count: int = 2) -> list[str]:
    """Start `count` worker processes while `table` is locked, release it once all wait on it, return outputs.

    The lock makes the workers begin at the same moment, so the test does not depend on how fast each starts.
    """
    barrier = create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={POSTGRES_SCHEMA}"})
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "webapp",
        "tessere",
        "worker",
        "--once",
        "--now",
        now.isoformat(),
    ]
    processes = []
    try:
        with barrier.connect() as connection:
            transaction = connection.begin()
            connection.execute(text(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE'))
            processes = [
                subprocess.Popen(
                    command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
                )
                for _ in range(count)
            ]
            deadline = time.monotonic() + 120
            waiting = 0
            while waiting < count:  # bounded polling: every worker is blocked on the lock
                assert time.monotonic() < deadline, "the workers never reached the database"
                for process in processes:
                    assert process.poll() is None, process.communicate()[0]
                waiting = connection.execute(
                    text(
                        "SELECT count(DISTINCT pid) FROM pg_locks "
                        "WHERE relation = CAST(:table AS regclass) AND NOT granted"
                    ),
                    {"table": table},
                ).scalar_one()
                time.sleep(0.05)
            transaction.commit()
        outputs = []
        for process in processes:
            output, _ = process.communicate(timeout=300)
            assert process.returncode == 0, output
            outputs.append(output)
        return outputs
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        barrier.dispose()


def _count(pattern: str, output: str) -> int:
    return int(re.search(pattern, output).group(1))


@pytest.mark.postgres
def test_two_workers_fire_each_of_500_due_timers_exactly_once(app, database, tmp_path):
    if database != "postgresql":
        pytest.skip("several workers run only on PostgreSQL")
    instances = 520
    with app.app_context():
        engine = get_engine()
        engine.deploy(db.session, samples.timer_task("P1D"))
        ids = [engine.start(db.session, "prova", {"owner_user_id": 1}, WORKER).id for _ in range(instances)]
        db.session.commit()

    outputs = _start_workers_together("process_instance", _worker_env(tmp_path), datetime.now(UTC) + timedelta(days=2))
    handled = [_count(r"Timer scaduti gestiti: (\d+)", output) for output in outputs]
    assert all(n > 0 for n in handled), handled  # both workers did part of the work
    assert sum(handled) == instances  # ... and no instance was handled by both

    with app.app_context():
        fired = Counter(
            db.session.scalars(
                select(JournalEntry.instance_id).where(JournalEntry.kind == "timer", JournalEntry.instance_id.in_(ids))
            )
        )
        assert set(fired) == set(ids) and set(fired.values()) == {1}
        tasks = Counter(
            db.session.execute(
                select(HumanTask.element_id, HumanTask.status).where(HumanTask.instance_id.in_(ids))
            ).all()
        )
        assert tasks == {("t1", "cancelled"): instances, ("t2", "open"): instances}
        statuses = Counter(db.session.scalars(select(ProcessInstance.status).where(ProcessInstance.id.in_(ids))))
        assert statuses == {"running": instances}
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ProcessInstance)
                .where(ProcessInstance.id.in_(ids), ProcessInstance.next_timer_at.is_not(None))
            )
            == 0
        )


@pytest.mark.postgres
def test_two_workers_never_send_the_same_email_twice(app, database, tmp_path):
    if database != "postgresql":
        pytest.skip("several workers run only on PostgreSQL")
    messages = 300
    with app.app_context():
        for n in range(messages):
            enqueue_mail(
                db.session,
                f"operatore{n}@example.it",
                "reimposta_password",
                {"name": f"N{n}", "link": f"https://t/{n}"},
            )
        db.session.commit()
        queued = set(db.session.scalars(select(OutboxMessage.message_id)))

    with running_smtp_server() as smtp:
        env = _worker_env(tmp_path, TESSERE_MAIL_SERVER=smtp.host, TESSERE_MAIL_PORT=str(smtp.port))
        outputs = _start_workers_together("mail_outbox", env, datetime.now(UTC) + timedelta(minutes=1))
        received = smtp.handler.messages()

    sent = [_count(r"E-mail inviate: (\d+)", output) for output in outputs]
    assert all(n > 0 for n in sent), sent
    assert sum(sent) == messages
    message_ids = Counter(r.message["Message-ID"] for r in received)
    assert len(received) == messages and set(message_ids) == queued and set(message_ids.values()) == {1}
    with app.app_context():
        rows = Counter(db.session.execute(select(OutboxMessage.status, OutboxMessage.attempts)).all())
        assert rows == {("sent", 1): messages}
