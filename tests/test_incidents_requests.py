"""A step that raises during a web request: rolled back, recorded as an incident, shown to administrators.

The fault is injected into a real operation of the referral diagram (`referral.record_answer`, run by the engine
inside `Engine.complete` when organization A answers a referral), through the page and through the API. The
instance must stay exactly as before the step; the incident (who, which task and instance, the error and the
traceback) is written in its own transaction, listed on the incidents page and can be marked resolved; once the
cause is gone the person does the same task again and it succeeds.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.models import HumanTask, JournalEntry, ProcessInstance
from tests import factories as f
from tests.journey import open_task, send_to_offer, start_case
from tests.test_api import token_for
from webapp.auth.models import User
from webapp.extensions import db
from webapp.notifications.models import RequestIncident
from webapp.referrals.models import Referral

FAULT = "guasto simulato durante la risposta"


@pytest.fixture
def waiting_referral(app, login) -> tuple[int, int]:
    """(task id, instance id) of organization A's answer to a referral."""
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    return open_task(app, instance_id, "risposta_invio").id, instance_id


@pytest.fixture
def broken_answer(app, monkeypatch):
    """The answer's operation writes its domain rows, then raises (a bug, a disk full...)."""
    engine = app.extensions["tessere_engine"]
    registered = engine.operations.get("referral.record_answer")

    def half_done(ctx):
        registered.function(ctx)
        raise RuntimeError(FAULT)

    monkeypatch.setitem(
        engine.operations._operations,
        "referral.record_answer",
        registered.__class__(registered.name, registered.label, half_done),
    )
    return monkeypatch


def _state(app, instance_id: int) -> dict:
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        return {
            "status": instance.status,
            "lock_version": instance.lock_version,
            "state": instance.state_json,
            "tasks": sorted(
                (t.id, t.status)
                for t in db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id))
            ),
            "journal": db.session.scalar(
                select(func.count()).select_from(JournalEntry).where(JournalEntry.instance_id == instance_id)
            ),
            "referrals": sorted((r.id, r.status) for r in db.session.scalars(select(Referral))),
        }


def _incidents(app) -> list[RequestIncident]:
    with app.app_context():
        rows = db.session.scalars(select(RequestIncident).order_by(RequestIncident.id)).all()
        db.session.expunge_all()
        return rows


def test_a_step_failing_in_a_page_is_rolled_back_recorded_and_answered_with_an_italian_page(
    app, login, waiting_referral, broken_answer
):
    task_id, instance_id = waiting_referral
    before = _state(app, instance_id)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page, not the exception
    response = login(f.OPERATOR_A).post(f"/attivita/{task_id}", data={"answer": "accetta"})

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "La tua azione non è stata registrata" in page and "amministratori" in page
    assert FAULT not in page and "Traceback" not in page  # no technical detail for the person
    assert _state(app, instance_id) == before  # exactly as before the step

    [incident] = _incidents(app)
    with app.app_context():
        operator = db.session.scalar(select(User).where(User.email == f.OPERATOR_A))
    assert incident.user_id == operator.id and f.OPERATOR_A in incident.user_label
    assert incident.task_id == task_id and incident.instance_id == instance_id
    assert incident.task_title and incident.method == "POST" and incident.path == f"/attivita/{task_id}"
    assert FAULT in incident.error_message and incident.error_type == "builtins.RuntimeError"
    assert "Traceback" in incident.error_traceback and "half_done" in incident.error_traceback
    assert incident.resolved_at is None


def test_the_incident_is_shown_to_administrators_resolved_and_the_task_done_again(
    app, login, waiting_referral, broken_answer
):
    task_id, instance_id = waiting_referral
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login(f.OPERATOR_A).post(f"/attivita/{task_id}", data={"answer": "accetta"})
    [incident] = _incidents(app)

    admin = login(f.ADMIN)
    listing = admin.get("/amministrazione/incidenti").get_data(as_text=True)
    assert f"/amministrazione/incidenti/richieste/{incident.id}" in listing and FAULT in listing
    assert "Da risolvere" in listing
    detail = admin.get(f"/amministrazione/incidenti/richieste/{incident.id}")
    assert detail.status_code == 200
    text = detail.get_data(as_text=True)
    assert "RuntimeError" in text and f"attività n. {task_id}" in text and f.OPERATOR_A in text
    inbox = admin.get("/notifiche").get_data(as_text=True)
    assert "1 da risolvere" in inbox
    # Not for anyone else: the incident holds technical detail and who did what.
    for email in (f.MANAGER, f.OPERATOR_A, f.SOCIAL_WORKER):
        assert login(email).get(f"/amministrazione/incidenti/richieste/{incident.id}").status_code == 404

    response = admin.post(f"/amministrazione/incidenti/richieste/{incident.id}/risolto")
    assert response.status_code == 302
    [resolved] = _incidents(app)
    assert resolved.resolved_at is not None
    listing = admin.get("/amministrazione/incidenti").get_data(as_text=True)
    assert f"/amministrazione/incidenti/richieste/{incident.id}" not in listing  # only open ones by default
    assert f"/amministrazione/incidenti/richieste/{incident.id}" in admin.get(
        "/amministrazione/incidenti?risolti=1"
    ).get_data(as_text=True)

    broken_answer.undo()  # the cause is fixed: the same person does the same task again
    assert login(f.OPERATOR_A).post(f"/attivita/{task_id}", data={"answer": "accetta"}).status_code == 302
    with app.app_context():
        assert db.session.get(HumanTask, task_id).status == "completed"
        assert db.session.scalar(select(Referral)).status != "inviato"


def test_a_step_failing_through_the_api_is_recorded_too(app, login, waiting_referral, broken_answer):
    task_id, instance_id = waiting_referral
    before = _state(app, instance_id)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    headers = {"Authorization": f"Bearer {token_for(app, f.OPERATOR_A)}"}
    response = app.test_client().post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": {"answer": "accetta"}}, headers=headers
    )
    assert response.status_code == 500 and response.is_json
    assert FAULT not in response.get_data(as_text=True)
    assert _state(app, instance_id) == before
    [incident] = _incidents(app)
    assert incident.task_id == task_id and incident.instance_id == instance_id
    assert incident.path == f"/api/v1/tasks/{task_id}/complete"


def test_refusals_and_conflicts_are_not_incidents(app, login, waiting_referral):
    task_id, _instance_id = waiting_referral
    other = login(f.OPERATOR_B)
    assert other.post(f"/attivita/{task_id}", data={"answer": "accetta"}).status_code == 404
    operator = login(f.OPERATOR_A)
    assert operator.post(f"/attivita/{task_id}", data={"answer": "accetta"}).status_code == 302
    operator.post(f"/attivita/{task_id}", data={"answer": "accetta"})  # no longer open: a conflict
    assert _incidents(app) == []


def test_an_engine_error_in_a_request_is_recorded_with_its_instance(app, login, waiting_referral, monkeypatch):
    """A broken diagram (SpiffWorkflow raising inside the step) reaches the engine-error page: recorded too."""
    from engine import Engine, EngineError

    task_id, instance_id = waiting_referral
    before = _state(app, instance_id)

    def broken_run(self, workflow, step):
        raise EngineError("Il processo non può proseguire: espressione non valida")

    monkeypatch.setattr(Engine, "_run", broken_run)
    response = login(f.OPERATOR_A).post(f"/attivita/{task_id}", data={"answer": "accetta"})
    assert response.status_code == 500 and "Il processo non può proseguire" in response.get_data(as_text=True)
    assert _state(app, instance_id) == before
    [incident] = _incidents(app)
    assert incident.error_type == "engine.errors.EngineError"
    assert incident.task_id == task_id and incident.instance_id == instance_id


def test_an_error_quoting_a_nul_byte_is_still_recorded(app, login, waiting_referral, monkeypatch):
    """An error about hostile input may quote it: PostgreSQL refuses NUL bytes, so the record shows them escaped."""
    engine = app.extensions["tessere_engine"]
    registered = engine.operations.get("referral.record_answer")

    def quoting(ctx):
        raise ValueError("valore non valido: 'a\x00b'")

    monkeypatch.setitem(
        engine.operations._operations,
        "referral.record_answer",
        registered.__class__(registered.name, registered.label, quoting),
    )
    app.config["PROPAGATE_EXCEPTIONS"] = False
    task_id, _instance_id = waiting_referral
    assert login(f.OPERATOR_A).post(f"/attivita/{task_id}", data={"answer": "accetta"}).status_code == 500
    [incident] = _incidents(app)
    assert "a\\x00b" in incident.error_message and "\x00" not in incident.error_traceback
